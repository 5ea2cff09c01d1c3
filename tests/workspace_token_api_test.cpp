// Workspaces on the workspace surface (seed-003 rules W-2, W-3, W-10, W-14,
// T-14): the picker lists the caller's workspace (their account) with its
// access state, a user token is exchanged for a workspace token, and a lock
// set through v3 or ZITADEL stops that workspace's tokens at once.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kRefresh;
using testing::kSessions;

constexpr const char* kPicker = "/business-profile-service/business-profiles";
constexpr const char* kSelect = "/uauth/auth/login/user/workspace";
constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";

class WorkspaceTokenApiTest : public testing::UauthApiTest {
 protected:
  json::object SignedIn(const std::string& email) {
    auto response = SignIn(*client_, email, kPassword);
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response).as_object();
  }
};

TEST_F(WorkspaceTokenApiTest, APickedWorkspaceGivesAWorkspaceToken) {
  const json::object session = SignedIn(kAdminEmail);
  const std::string user_token(session.at("token").as_string());
  auto picker = WithBearer("GET", kPicker, user_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value page = Body(picker);
  ASSERT_EQ(page.at("data").as_array().size(), 1u);
  const json::value& workspace = page.at("data").as_array().at(0);
  EXPECT_EQ(workspace.at("accessState"), "ALLOWED");
  EXPECT_EQ(page.at("meta").at("totalCount").as_int64(), 1);
  const std::string guid(workspace.at("guid").as_string());

  auto selected = Post(*client_, kSelect, {{"businessProfileGuid", guid}}, user_token);
  ASSERT_EQ(selected.status, 200) << selected.body;
  const json::object token = Body(selected).as_object();
  EXPECT_EQ(token.at("scope"), "workspace");
  EXPECT_EQ(token.at("businessProfileGuid"), json::value(guid));
  const json::object claims = VerifiedClaims(std::string(token.at("token").as_string()));
  EXPECT_EQ(claims.at("bp"), json::value(guid));
  EXPECT_EQ(claims.at("sid"), VerifiedClaims(user_token).at("sid"));
  const std::string workspace_token(token.at("token").as_string());
  EXPECT_EQ(WithBearer("GET", kSessions, workspace_token).status, 200);  // it is a user token too

  // The selection rotated the refresh token: the sign-in's one is spent now.
  const std::string rotated(token.at("refreshToken").as_string());
  auto refreshed = Post(*client_, kRefresh, {{"refreshToken", rotated}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(Body(refreshed).at("scope"), "workspace");  // the binding holds

  ExpectUauthProblem(Post(*client_, kSelect, {{"businessProfileGuid", "00000000-0000-5000-8000-000000000000"}}, user_token),
                     404, "WSP-0404");
  ExpectUauthProblem(Post(*client_, kSelect, {{"businessProfileGuid", guid}}), 401, "GEN-0401");
}

TEST_F(WorkspaceTokenApiTest, ALockThroughVThreeOrZitadelStopsWorkspaceTokensAtOnce) {
  const std::string member_id = CreateMember("mia@example.com");
  const json::object session = SignedIn("mia@example.com");
  const std::string user_token(session.at("token").as_string());
  const std::string guid(Body(WithBearer("GET", kPicker, user_token)).at("data").as_array().at(0).at("guid").as_string());
  auto selected = Body(Post(*client_, kSelect, {{"businessProfileGuid", guid}}, user_token)).as_object();
  const std::string workspace_token(selected.at("token").as_string());
  const std::string refresh_token(selected.at("refreshToken").as_string());
  ASSERT_EQ(WithBearer("GET", kSessions, workspace_token).status, 200);

  // v3 lock (iam-rules A-1): the workspace token stops with the next request.
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + member_id + "/lock").status, 204);
  ExpectUauthProblem(WithBearer("GET", kSessions, workspace_token), 401, "GEN-0401");
  const json::value picker = Body(WithBearer("GET", kPicker, user_token));
  EXPECT_EQ(picker.at("data").as_array().at(0).at("accessState"), "LOCKED");
  auto refused = Post(*client_, kSelect, {{"businessProfileGuid", guid}}, user_token);
  ExpectUauthProblem(refused, 403, "WSP-0001");
  EXPECT_EQ(Body(refused).at("accessState"), "LOCKED");
  // The person still signs in (the lock is the membership's, W-14), and sees why.
  const std::string fresh(SignedIn("mia@example.com").at("token").as_string());
  EXPECT_EQ(Body(WithBearer("GET", kPicker, fresh)).at("data").as_array().at(0).at("accessState"), "LOCKED");
  // A refresh answers a user token: the binding is dropped (T-14).
  auto refreshed = Post(*client_, kRefresh, {{"refreshToken", refresh_token}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(Body(refreshed).at("scope"), "user");
  EXPECT_TRUE(Body(refreshed).at("businessProfileGuid").is_null());

  // Unlocked, a new workspace token works; ZITADEL's lock stops it alike.
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + member_id + "/unlock").status, 204);
  const std::string again(
      Body(Post(*client_, kSelect, {{"businessProfileGuid", guid}}, user_token)).at("token").as_string());
  ASSERT_EQ(WithBearer("GET", kSessions, again).status, 200);
  auto zitadel = client_->SendJson("POST", "/v2/users/" + member_id + "/lock", "{}");
  ASSERT_EQ(zitadel.status, 200) << zitadel.body;
  ExpectUauthProblem(WithBearer("GET", kSessions, again), 401, "GEN-0401");
}

TEST_F(WorkspaceTokenApiTest, AFavouriteIsAFlagOnTheCallersOwnWorkspace) {
  const std::string token = UserToken();
  const std::string guid(Body(WithBearer("GET", kPicker, token)).at("data").as_array().at(0).at("guid").as_string());
  constexpr const char* kFavorite = "/uauth/business-profile/mark-favorite";
  auto marked = Post(*client_, kFavorite, {{"businessProfileGuid", guid}, {"favorite", true}}, token);
  ASSERT_EQ(marked.status, 200) << marked.body;
  ExpectEventDetailHeaders(marked);
  EXPECT_TRUE(Body(marked).at("favorite").as_bool());
  // Idempotent: the same flag again appends nothing.
  auto again = Post(*client_, kFavorite, {{"businessProfileGuid", guid}, {"favorite", true}}, token);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());
  EXPECT_TRUE(Body(WithBearer("GET", kPicker, token)).at("data").as_array().at(0).at("favorite").as_bool());
  EXPECT_EQ(Body(WithBearer("GET", std::string(kPicker) + "?favorite=true", token)).at("data").as_array().size(), 1u);
  EXPECT_TRUE(Body(WithBearer("GET", std::string(kPicker) + "?favorite=false", token)).at("data").as_array().empty());
  ASSERT_EQ(Post(*client_, kFavorite, {{"businessProfileGuid", guid}, {"favorite", false}}, token).status, 200);
  EXPECT_FALSE(Body(WithBearer("GET", kPicker, token)).at("data").as_array().at(0).at("favorite").as_bool());
  ExpectUauthProblem(Post(*client_, kFavorite, {{"businessProfileGuid", "00000000-0000-5000-8000-000000000000"},
                                                {"favorite", true}},
                          token),
                     404, "WSP-0404");
  ExpectUauthProblem(Post(*client_, kFavorite, {{"businessProfileGuid", guid}, {"favorite", "yes"}}, token), 400,
                     "GEN-0400");
}

TEST_F(WorkspaceTokenApiTest, ThePickerTakesNoEdgeGridSignatureAndChecksItsPaging) {
  auto picker_with_edgegrid = client_->Send("GET", kPicker);
  ExpectUauthProblem(picker_with_edgegrid, 401, "GEN-0401");
  const std::string token(SignedIn(kAdminEmail).at("token").as_string());
  ExpectUauthProblem(WithBearer("GET", std::string(kPicker) + "?limit=0", token), 400, "GEN-0400");
}

}  // namespace
}  // namespace iam
