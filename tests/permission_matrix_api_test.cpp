// The permission matrix of the workspace surface (seed-003 rules R-1, R-2,
// R-11, X-3): every operation of the contract that names an `x-permission`,
// called by a member of each built-in role and by a member without a role.
// Each call passes the permission check exactly when the caller's role holds
// every permission the operation names; otherwise it is refused with 403
// GEN-0403 before anything else is looked at. A user token (no workspace)
// is refused on every one of them.
//
// The expected grants are R-2's, written out here rather than read from the
// server: PROFILE_ADMIN holds every permission, PROFILE_MANAGER every read
// plus settings_iam_users:create and :update, the predefined support role
// every read, and a member without a role none.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kPassword;

constexpr int64_t kAdminRole = 1;
constexpr int64_t kManagerRole = 2;
constexpr int64_t kSupportRole = 3;
constexpr int64_t kNoRole = 0;

bool RoleHolds(int64_t role, const std::string& permission) {
  const bool read = permission.ends_with(":read");
  switch (role) {
    case kAdminRole:
      return true;
    case kManagerRole:
      return read || permission == "settings_iam_users:create" || permission == "settings_iam_users:update";
    case kSupportRole:
      return read;
    default:
      return false;
  }
}

bool RoleHoldsAll(int64_t role, const std::vector<std::string>& permissions) {
  for (const std::string& permission : permissions) {
    if (!RoleHolds(role, permission)) return false;
  }
  return true;
}

// The operation's path with every parameter named by an id no workspace has:
// the permission check comes first, so what the id names does not matter.
std::string ConcretePath(const std::string& path_template) {
  static const std::regex parameter(R"(\{[^}]+\})");
  return std::regex_replace(path_template, parameter, "999999");
}

std::string RoleName(int64_t role) {
  switch (role) {
    case kAdminRole:
      return "PROFILE_ADMIN";
    case kManagerRole:
      return "PROFILE_MANAGER";
    case kSupportRole:
      return "support";
    default:
      return "no role";
  }
}

class PermissionMatrixApiTest : public testing::UauthApiTest {
 protected:
  // Whether `response` is the permission refusal (403 GEN-0403).
  static bool IsPermissionRefusal(const api::HttpResponse& response) {
    if (response.status != 403) return false;
    const json::value body = Body(response);
    return body.is_object() && body.as_object().contains("errorCode") && body.at("errorCode") == "GEN-0403";
  }

  // The contract's operations that name a permission.
  static std::vector<testing::OpenApiOperation> GuardedOperations() {
    std::vector<testing::OpenApiOperation> guarded;
    const testing::OpenApiSpec* spec = testing::WorkspaceSpec();
    if (!spec) return guarded;
    for (auto& operation : spec->Operations()) {
      if (!operation.permissions.empty()) guarded.push_back(std::move(operation));
    }
    return guarded;
  }

  api::HttpResponse Call(const testing::OpenApiOperation& operation, const std::string& token) {
    std::string method = operation.method;
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool has_body = method == "POST" || method == "PUT";
    return Send(*client_, method, ConcretePath(operation.path_template), has_body ? "{}" : "", token);
  }
};

TEST_F(PermissionMatrixApiTest, EveryGuardedOperationAdmitsExactlyTheRolesHoldingItsPermissions) {
  const std::vector<testing::OpenApiOperation> operations = GuardedOperations();
  ASSERT_GE(operations.size(), 50u) << "the contract names a permission on most of its operations";

  const std::string admin_user = UserToken();
  const std::string admin = WorkspaceToken(admin_user);
  ASSERT_NE(InvitedMember(admin, "manager@example.com", kManagerRole), 0);
  ASSERT_NE(InvitedMember(admin, "support@example.com", kSupportRole), 0);
  CreateMember("no.role@example.com");  // made through v3: a member without a workspace role (W-15)
  const std::vector<std::pair<int64_t, std::string>> callers = {
      {kAdminRole, admin},
      {kManagerRole, MemberWorkspaceToken("manager@example.com")},
      {kSupportRole, MemberWorkspaceToken("support@example.com")},
      {kNoRole, WorkspaceToken(UserTokenOf("no.role@example.com", kPassword))},
  };
  for (const auto& [role, token] : callers) ASSERT_FALSE(token.empty()) << RoleName(role);

  int admitted = 0;
  int refused = 0;
  for (const testing::OpenApiOperation& operation : operations) {
    const std::string name = operation.method + " " + operation.path_template;
    for (const auto& [role, token] : callers) {
      const api::HttpResponse answer = Call(operation, token);
      if (RoleHoldsAll(role, operation.permissions)) {
        ++admitted;
        EXPECT_NE(answer.status, 401) << name << " as " << RoleName(role) << ": " << answer.body;
        EXPECT_FALSE(IsPermissionRefusal(answer)) << name << " as " << RoleName(role) << ": " << answer.body;
        EXPECT_EQ(answer.body.find("no such resource"), std::string::npos) << name << " is not served";
      } else {
        ++refused;
        EXPECT_TRUE(IsPermissionRefusal(answer)) << name << " as " << RoleName(role) << " answered "
                                                 << answer.status << ": " << answer.body;
      }
    }
    // X-3: the workspace's routes want a workspace token.
    EXPECT_EQ(Call(operation, admin_user).status, 403) << name << " with a user token";
  }
  // Every role is both admitted and refused somewhere, so the matrix tests both sides.
  EXPECT_GT(admitted, static_cast<int>(operations.size()));
  EXPECT_GT(refused, static_cast<int>(operations.size()));
}

// Every operation of the contract (the seed's 75 and the additions of rules
// §15) is served: called without a token, none answers as an unknown route
// or method, and each answer is one the contract declares (Send checks it).
TEST_F(PermissionMatrixApiTest, EveryOperationOfTheContractIsServed) {
  const testing::OpenApiSpec* spec = testing::WorkspaceSpec();
  ASSERT_NE(spec, nullptr);
  const std::vector<testing::OpenApiOperation> operations = spec->Operations();
  EXPECT_EQ(operations.size(), 86u);
  for (const testing::OpenApiOperation& operation : operations) {
    const api::HttpResponse answer = Call(operation, "");
    const std::string name = operation.method + " " + operation.path_template;
    EXPECT_EQ(answer.body.find("no such resource"), std::string::npos) << name << " is not served";
    EXPECT_NE(answer.status, 405) << name << ": " << answer.body;
  }
}

}  // namespace
}  // namespace iam
