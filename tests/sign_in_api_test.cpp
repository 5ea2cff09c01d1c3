// Signing in on the workspace surface (seed-003 rules T-10 … T-14, P-9,
// CC-8, CC-16; openapi.yaml tag Authentication): a password set through v3
// signs in here, tokens verify against the published JWKS, refresh tokens
// rotate and a reused one ends its session, sign-out ends it too, and N
// parallel wrong passwords get no more evaluations than the lockout limit.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kLogout;
using testing::kPassword;
using testing::kRefresh;
using testing::kSessions;
using testing::kSignIn;

class SignInApiTest : public testing::UauthApiTest {};

TEST_F(SignInApiTest, AVThreePasswordSignsInAndTheTokenVerifiesAgainstTheJwks) {
  auto signed_in = SignIn(*client_, "  Admin@IAMD.example ", kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.Header("Cache-Control"), "no-store");
  EXPECT_TRUE(signed_in.Header("X-Iam-Sequence").empty());  // token-issuing routes carry no details
  const json::object body = Body(signed_in).as_object();
  EXPECT_EQ(body.at("tokenType"), "Bearer");
  EXPECT_EQ(body.at("scope"), "user");
  EXPECT_EQ(body.at("expiresIn").as_int64(), 300);
  EXPECT_EQ(body.at("refreshToken").as_string().size(), 43u);
  EXPECT_TRUE(body.at("businessProfileGuid").is_null());
  EXPECT_FALSE(body.at("mfaRequired").as_bool());
  EXPECT_TRUE(body.at("mfaMethods").as_array().empty());
  EXPECT_EQ(body.at("consumer").at("type"), "USER");
  EXPECT_EQ(body.at("consumer").at("email"), kAdminEmail);
  EXPECT_EQ(body.size(), 9u);

  const json::object claims = VerifiedClaims(std::string(body.at("token").as_string()));
  EXPECT_EQ(claims.at("iss"), json::value("https://" + server_->address() + "/uauth"));
  EXPECT_EQ(claims.at("sub"), json::value(std::to_string(body.at("consumer").at("id").as_int64())));
  EXPECT_EQ(claims.at("scope"), "user");
  EXPECT_EQ(claims.at("amr"), json::array{"pwd"});
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 300);

  auto config = Body(Send(*client_, "GET", "/uauth/.well-known/openid-configuration", "", ""));
  EXPECT_EQ(config.at("issuer"), claims.at("iss"));
  EXPECT_EQ(config.at("id_token_signing_alg_values_supported"), json::array{"EdDSA"});

  // The token opens the caller's own routes; EdgeGrid signatures do not, and
  // it opens no EdgeGrid route (W-22).
  const std::string token(body.at("token").as_string());
  auto sessions = WithBearer("GET", kSessions, token);
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  const json::value sessions_body = Body(sessions);
  ASSERT_EQ(sessions_body.at("data").as_array().size(), 1u);
  const json::value& listed = sessions_body.at("data").as_array().at(0);
  EXPECT_EQ(listed.at("sessionId"), claims.at("sid"));
  EXPECT_TRUE(listed.at("current").as_bool());
  EXPECT_EQ(listed.at("ipAddress"), "127.0.0.0/24");
  EXPECT_EQ(listed.at("userAgent"), "sign-in-test/1");
  ExpectUauthProblem(client_->Send("GET", kSessions), 401, "GEN-0401");
  EXPECT_EQ(client_->SendWithAuthorization("GET", "/identity-management/v3/user-profile", "", "Bearer " + token).status,
            401);
  // A signature with one character changed (mid-signature, so all six of its bits count).
  std::string tampered = token;
  char& changed = tampered[tampered.size() - 10];
  changed = changed == 'A' ? 'B' : 'A';
  ExpectUauthProblem(WithBearer("GET", kSessions, tampered), 401, "GEN-0401");

  // Every evaluated attempt is an event; no password or token is in the log.
  EXPECT_EQ(CountEvents(events::kUserSignInSucceeded), 1);
  EXPECT_EQ(CountEvents(events::kUserSessionStarted), 1);
  auto all = storage_->events().ReadAll(1, 1000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    EXPECT_EQ(e.payload.find(kPassword), std::string::npos) << e.event_type;
    EXPECT_EQ(e.payload.find(std::string(body.at("refreshToken").as_string())), std::string::npos) << e.event_type;
  }
}

TEST_F(SignInApiTest, UnknownAddressesAndWrongPasswordsGetTheSameAnswer) {
  auto wrong = SignIn(*client_, kAdminEmail, "not-the-password");
  auto unknown = SignIn(*client_, "nobody@example.com", "not-the-password");
  ExpectUauthProblem(wrong, 401, "ACC-0401");
  ExpectUauthProblem(unknown, 401, "ACC-0401");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 2);
  ExpectUauthProblem(Post(*client_, kSignIn, {{"username", "not-an-address"}, {"password", "x"}}), 400, "GEN-0400");
  ExpectUauthProblem(Post(*client_, kSignIn, {{"username", kAdminEmail}}), 400, "GEN-0400");
  ExpectUauthProblem(Post(*client_, kSignIn, {{"username", kAdminEmail}, {"password", kPassword}, {"extra", 1}}), 400,
                     "GEN-0400");
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 2);  // bad input is never an attempt
}

// CC-8 (ZITADEL GHSA-7h8m-vrxx-vr4m): 64 parallel wrong passwords for one
// username get exactly maxFailedLoginAttempts (10) evaluations; the tenth
// failure starts the lockout, and every other attempt is refused unevaluated.
TEST_F(SignInApiTest, ParallelWrongPasswordsGetNoMoreEvaluationsThanTheLimit) {
  constexpr int kAttempts = 64;
  const std::string address = server_->address();
  std::vector<int> statuses(kAttempts, 0);
  std::vector<std::string> retry_after(kAttempts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      auto response = SignIn(client, kAdminEmail, "wrong-password-" + std::to_string(i));
      statuses[i] = response.status;
      retry_after[i] = std::string(response.Header("Retry-After"));
    });
  }
  for (auto& thread : threads) thread.join();
  int rejected = 0, locked = 0;
  for (int i = 0; i < kAttempts; ++i) {
    rejected += statuses[i] == 401;
    locked += statuses[i] == 423;
    if (statuses[i] == 423) {
      EXPECT_FALSE(retry_after[i].empty());
    }
  }
  EXPECT_EQ(rejected + locked, kAttempts);
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 10);
  EXPECT_EQ(CountEvents(events::kUserLockedOut), 1);
  EXPECT_EQ(rejected, 9);
  // During the lockout even the right password is not evaluated.
  auto right = SignIn(*client_, kAdminEmail, kPassword);
  ExpectUauthProblem(right, 423, "PWD-0423");
  EXPECT_EQ(CountEvents(events::kUserSignInSucceeded), 0);
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 10);
}

TEST_F(SignInApiTest, RefreshRotatesAndAReusedTokenEndsTheSession) {
  auto signed_in = Body(SignIn(*client_, kAdminEmail, kPassword));
  const std::string first(signed_in.at("refreshToken").as_string());
  auto refreshed = Post(*client_, kRefresh, {{"refreshToken", first}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(refreshed.Header("Cache-Control"), "no-store");
  const std::string second(Body(refreshed).at("refreshToken").as_string());
  EXPECT_NE(first, second);
  const std::string access(Body(refreshed).at("token").as_string());
  EXPECT_EQ(VerifiedClaims(access).at("sid"), VerifiedClaims(std::string(signed_in.at("token").as_string())).at("sid"));
  ASSERT_EQ(WithBearer("GET", kSessions, access).status, 200);

  // The spent token again: reuse. The session ends, its live token with it,
  // and that is still so after a restart (the hashes are in the log).
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", first}}), 401, "GEN-0401");
  EXPECT_EQ(CountEvents(events::kUserSessionEnded), 1);
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", second}}), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kSessions, access), 401, "GEN-0401");
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", std::string(43, 'A')}}), 401, "GEN-0401");
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", "short"}}), 400, "GEN-0400");

  auto again = Body(SignIn(*client_, kAdminEmail, kPassword));
  const std::string live(again.at("refreshToken").as_string());
  auto rotated = Post(*client_, kRefresh, {{"refreshToken", live}});
  ASSERT_EQ(rotated.status, 200);
  listen_ = server_->address();
  RestartServer();
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", live}}), 401, "GEN-0401");
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", std::string(Body(rotated).at("refreshToken").as_string())}}),
                     401, "GEN-0401");
}

// CC-16: of 24 refreshes with one token exactly one wins; the others are reuse.
TEST_F(SignInApiTest, ParallelRefreshesWithOneTokenHaveOneWinner) {
  constexpr int kRefreshes = 24;
  const std::string token(Body(SignIn(*client_, kAdminEmail, kPassword)).at("refreshToken").as_string());
  const std::string address = server_->address();
  std::vector<int> statuses(kRefreshes, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRefreshes; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(address, credential_);
      statuses[i] = Post(client, kRefresh, {{"refreshToken", token}}).status;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), kRefreshes - 1);
  EXPECT_EQ(CountEvents(events::kUserSessionRefreshed), 1);
  EXPECT_EQ(CountEvents(events::kUserSessionEnded), 1);
}

TEST_F(SignInApiTest, SignOutAndRevocationEndSessions) {
  auto one = Body(SignIn(*client_, kAdminEmail, kPassword));
  auto two = Body(SignIn(*client_, kAdminEmail, kPassword));
  const std::string token_one(one.at("token").as_string());
  const std::string token_two(two.at("token").as_string());
  auto listed = Body(WithBearer("GET", kSessions, token_one)).at("data").as_array();
  ASSERT_EQ(listed.size(), 2u);
  const std::string sid_two(VerifiedClaims(token_two).at("sid").as_string());

  // One session revokes the other; a second revocation finds nothing.
  auto revoked = WithBearer("DELETE", std::string(kSessions) + "/" + sid_two, token_one);
  ASSERT_EQ(revoked.status, 204) << revoked.body;
  ExpectEventDetailHeaders(revoked);
  ExpectUauthProblem(WithBearer("DELETE", std::string(kSessions) + "/" + sid_two, token_one), 404, "ACC-0404");
  ExpectUauthProblem(WithBearer("GET", kSessions, token_two), 401, "GEN-0401");
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", std::string(two.at("refreshToken").as_string())}}), 401,
                     "GEN-0401");

  // Sign-out ends the caller's own session at once.
  auto out = Send(*client_, "POST", kLogout, "", token_one);
  ASSERT_EQ(out.status, 204) << out.body;
  ExpectUauthProblem(WithBearer("GET", kSessions, token_one), 401, "GEN-0401");
  ExpectUauthProblem(Send(*client_, "POST", kLogout, "", token_one), 401, "GEN-0401");
  EXPECT_EQ(CountEvents(events::kUserSessionEnded), 2);
}

}  // namespace
}  // namespace iam
