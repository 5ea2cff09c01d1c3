// UauthApiTest: the base of the workspace surface's (/uauth) end-to-end
// suites. For tests only.
#pragma once

#include <openssl/evp.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "commands/base64url.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam::testing {

inline constexpr const char* kSignIn = "/uauth/auth/login/user";
inline constexpr const char* kRefresh = "/uauth/auth/refresh";
inline constexpr const char* kLogout = "/uauth/auth/logout";
inline constexpr const char* kSessions = "/uauth/users/my-account/sessions";
inline constexpr const char* kAdminEmail = "admin@iamd.example";
inline constexpr const char* kPassword = "Correct-Horse-42";
// The password of members who registered with an invitation (InvitedMember).
inline constexpr const char* kInvitedPassword = "Fresh-Battery-77";
inline constexpr const char* kInvitationLink = "invitation/([A-Za-z0-9_-]{43})";

// A server whose bootstrap administrator has a password (set through v3, as
// W-22 says), and the calls and checks the workspace-surface suites share.
class UauthApiTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    auto me = Body(client_->Send("GET", "/identity-management/v3/user-profile"));
    admin_id_ = std::string(me.at("uiIdentityId").as_string());
    // W-22: the bootstrap administrator first sets a password through v3.
    auto set = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities/" + admin_id_ + "/set-password",
                                 json::serialize(json::object{{"newPassword", kPassword}}));
    ASSERT_EQ(set.status, 204) << set.body;
  }

  // Every call below goes through here: its answer must be one the contract
  // declares for the operation (matched by method and path), in that
  // status's schema — the conformance check of the whole suite.
  api::HttpResponse Send(SignedClient& client, const std::string& method, const std::string& target,
                         const std::string& body, const std::string& bearer,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("User-Agent", "sign-in-test/1");
    api::HttpResponse response =
        client.SendWithAuthorization(method, target, body, bearer.empty() ? "" : "Bearer " + bearer, std::move(headers));
    ExpectConformsToContract(method, target, response);
    return response;
  }
  api::HttpResponse Post(SignedClient& client, const std::string& path, const json::object& body,
                         const std::string& bearer = "") {
    return Send(client, "POST", path, json::serialize(body), bearer);
  }
  api::HttpResponse SignIn(SignedClient& client, const std::string& username, const std::string& password) {
    return Post(client, kSignIn, {{"username", username}, {"password", password}});
  }
  // A user token of the bootstrap administrator (no second factor enabled).
  std::string UserToken() {
    auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return std::string(Body(signed_in).at("token").as_string());
  }
  // A v3 create-user body for `email` with a grant on the top group.
  json::object NewMemberBody(const std::string& email) {
    return {{"firstName", "Mia"},
            {"lastName", "Member"},
            {"email", email},
            {"country", "USA"},
            {"additionalAuthentication", "NONE"},
            {"authGrants", GrantOn(TopGroupId(), 13)}};
  }
  // A second user of the account (Akamai role 13, no administrator) with
  // password kPassword; their uiIdentityId.
  std::string CreateMember(const std::string& email) {
    auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities",
                                     json::serialize(NewMemberBody(email)));
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id(Body(created).at("uiIdentityId").as_string());
    auto set = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities/" + id + "/set-password",
                                 json::serialize(json::object{{"newPassword", kPassword}}));
    EXPECT_EQ(set.status, 204) << set.body;
    return id;
  }
  // A workspace token of the first administrator of a new account named
  // `name`, whose password is set through v3 first (W-22); their address
  // goes to `email` when given. "" when the account cannot be made.
  std::string OtherWorkspaceAdminToken(const std::string& name, std::string* email = nullptr) {
    json::value answer;
    auto other = CreateAccount({{"accountName", name}}, &answer);
    if (!other) return "";
    const json::value me = Body(other->Send("GET", "/identity-management/v3/user-profile"));
    const std::string id(me.at("uiIdentityId").as_string());
    const std::string address(me.at("email").as_string());
    auto set = other->SendJson("POST", "/identity-management/v3/user-admin/ui-identities/" + id + "/set-password",
                               json::serialize(json::object{{"newPassword", kPassword}}));
    EXPECT_EQ(set.status, 204) << set.body;
    auto signed_in = SignIn(*client_, address, kPassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    if (email) *email = address;
    return signed_in.status == 200 ? WorkspaceToken(std::string(Body(signed_in).at("token").as_string())) : "";
  }
  // A workspace token of the person `user_token` names, for their workspace.
  std::string WorkspaceToken(const std::string& user_token) {
    auto picker = WithBearer("GET", "/business-profile-service/business-profiles", user_token);
    EXPECT_EQ(picker.status, 200) << picker.body;
    const json::value page = Body(picker);
    const json::array& data = page.at("data").as_array();
    EXPECT_EQ(data.size(), 1u) << picker.body;
    if (data.empty()) return "";
    auto selected = Post(*client_, "/uauth/auth/login/user/workspace",
                         {{"businessProfileGuid", data.at(0).at("guid")}}, user_token);
    EXPECT_EQ(selected.status, 200) << selected.body;
    return selected.status == 200 ? std::string(Body(selected).at("token").as_string()) : "";
  }
  api::HttpResponse WithBearer(const std::string& method, const std::string& path, const std::string& token,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(*client_, method, path, "", token, std::move(headers));
  }

  void ExpectConformsToContract(const std::string& method, const std::string& target,
                                const api::HttpResponse& response) {
    const OpenApiSpec* spec = WorkspaceSpec();
    ASSERT_NE(spec, nullptr) << "the workspace contract cannot be read";
    std::string lower_method = method;
    for (char& c : lower_method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string path = target.substr(0, target.find('?'));
    const std::string operation = spec->TemplateOf(path, lower_method);
    ASSERT_FALSE(operation.empty()) << method << " " << path << " is no operation of the contract";
    const std::string status = std::to_string(response.status);
    EXPECT_TRUE(spec->DeclaresStatus(operation, lower_method, status))
        << method << " " << operation << " answered " << status << ", which the contract does not declare: "
        << response.body;
    const boost::json::value* schema = spec->ResponseSchema(operation, lower_method, status);
    if (!schema) return;
    boost::system::error_code ec;
    const json::value body = json::parse(response.body, ec);
    ASSERT_FALSE(ec) << method << " " << operation << " " << status << ": not JSON: " << response.body;
    const auto violations = SchemaViolations(body, *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << operation << " " << status << ": " << JoinViolations(violations)
                                    << " in " << response.body;
  }

  // The uauth problem with `status` and `error_code`.
  void ExpectUauthProblem(const api::HttpResponse& response, int status, const std::string& error_code) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
    json::value body = Body(response);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body.at("errorCode"), json::value(error_code)) << response.body;
    EXPECT_EQ(body.at("status").as_int64(), status);
    EXPECT_TRUE(body.at("type").as_string().starts_with("/problems/")) << response.body;
  }

  // The clear token of the newest invitation mailed to `email`.
  std::string InvitationToken(const std::string& email) {
    uint64_t seen = 0;
    return MailedTo(email, kInvitationLink, &seen);
  }
  // Registers the invited `email` with `token` and kInvitedPassword; the answer.
  api::HttpResponse RegisterInvited(const std::string& email, const std::string& token,
                                    const std::string& first_name = "Nia", const std::string& last_name = "Newcomer") {
    return Post(*client_, "/uauth/user/register",
                {{"email", email}, {"password", kInvitedPassword}, {"firstName", first_name},
                 {"lastName", last_name}, {"invitationToken", token}});
  }
  // Invites `email` with workspace role `role_id` to the workspace of
  // `admin_token` and registers it: the new member's userId (0 on failure).
  int64_t InvitedMember(const std::string& admin_token, const std::string& email, int64_t role_id = 2) {
    auto invited = Post(*client_, "/uauth/users/invitations/invite",
                        {{"email", email}, {"firstName", "Nia"}, {"lastName", "Newcomer"}, {"roleId", role_id}},
                        admin_token);
    EXPECT_EQ(invited.status, 201) << invited.body;
    auto registered = RegisterInvited(email, InvitationToken(email));
    EXPECT_EQ(registered.status, 201) << registered.body;
    return registered.status == 201 ? Body(registered).at("userId").as_int64() : 0;
  }
  // A user token of `email`'s person ("" when sign-in fails).
  std::string UserTokenOf(const std::string& email, const std::string& password = kInvitedPassword) {
    auto signed_in = SignIn(*client_, email, password);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return signed_in.status == 200 ? std::string(Body(signed_in).at("token").as_string()) : "";
  }
  std::string MemberWorkspaceToken(const std::string& email) { return WorkspaceToken(UserTokenOf(email)); }

  // The first group of `pattern` in the newest mail to `to` past `after`
  // (its outbox sequence, which this advances): still in the outbox, or
  // delivered as DATA_DIR/outbox/<sequence>.eml. Waits up to ten seconds
  // for it; "" when none comes.
  std::string MailedTo(const std::string& to, const std::string& pattern, uint64_t* after) {
    const std::regex code(pattern);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      uint64_t best = 0;
      std::string text;
      if (auto pending = storage_->outbox().Pending(1000); pending.ok()) {
        for (const auto& mail : *pending) {
          if (mail.sequence > *after && mail.sequence > best && mail.mail.to == to) {
            best = mail.sequence;
            text = mail.mail.text_body;
          }
        }
      }
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "outbox", ec)) {
        if (entry.path().extension() != ".eml") continue;
        const uint64_t sequence = std::stoull(entry.path().stem().string());
        std::stringstream content;
        content << std::ifstream(entry.path()).rdbuf();
        if (sequence > *after && sequence > best && content.str().find("To: " + to) != std::string::npos) {
          best = sequence;
          text = content.str();
        }
      }
      std::smatch match;
      if (best != 0 && std::regex_search(text, match, code)) {
        *after = best;
        return match[1].str();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }

  int CountEvents(const std::string& type) {
    int count = 0;
    uint64_t from = 1;
    for (int page = 0; page < 1000 && from <= storage_->events().Head(); ++page) {
      auto events = storage_->events().ReadAll(from, 500);
      if (!events.ok() || events->empty()) break;
      for (const auto& e : *events) count += e.event_type == type;
      from = events->back().position + 1;
    }
    return count;
  }

  // Checks `token`'s EdDSA signature with the key the JWKS names, by OpenSSL
  // alone (not iamd's verifier), and returns its claims.
  json::object VerifiedClaims(const std::string& token) {
    const size_t first = token.find('.');
    const size_t second = token.find('.', first + 1);
    EXPECT_NE(second, std::string::npos) << token;
    auto header = commands::Base64UrlDecode(token.substr(0, first));
    auto payload = commands::Base64UrlDecode(token.substr(first + 1, second - first - 1));
    auto signature = commands::Base64UrlDecode(token.substr(second + 1));
    EXPECT_TRUE(header.ok() && payload.ok() && signature.ok());
    if (!header.ok() || !payload.ok() || !signature.ok()) return {};
    const json::object head = json::parse(*header).as_object();
    EXPECT_EQ(head.at("alg"), "EdDSA");
    auto jwks = Send(*client_, "GET", "/uauth/.well-known/jwks.json", "", "");
    EXPECT_EQ(jwks.status, 200);
    EXPECT_EQ(jwks.Header("Cache-Control"), "public, max-age=300");
    bool verified = false;
    const json::value set = Body(jwks);
    for (const auto& key : set.at("keys").as_array()) {
      if (key.at("kid") != head.at("kid")) continue;
      EXPECT_EQ(key.at("kty"), "OKP");
      EXPECT_EQ(key.at("crv"), "Ed25519");
      auto x = commands::Base64UrlDecode(std::string(key.at("x").as_string()));
      EXPECT_TRUE(x.ok());
      EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                   reinterpret_cast<const unsigned char*>(x->data()), x->size());
      EVP_MD_CTX* md = EVP_MD_CTX_new();
      const std::string signed_part = token.substr(0, second);
      verified = pkey && md && EVP_DigestVerifyInit(md, nullptr, nullptr, nullptr, pkey) == 1 &&
                 EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                                  reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
      EVP_MD_CTX_free(md);
      EVP_PKEY_free(pkey);
    }
    EXPECT_TRUE(verified) << "no key of the JWKS verifies " << token;
    return json::parse(*payload).as_object();
  }

  std::string admin_id_;
};


}  // namespace iam::testing
