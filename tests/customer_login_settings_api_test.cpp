// The workspace's customer-login settings end to end (seed-003 #4 … #21;
// rules S-1 … S-14, X-4, X-7, CC-12): defaults before the first save (ban:
// 404), whole-object replacement, entity tags and If-Match under racing
// saves, every refusal's code, the e-mail templates' sizes, write-only
// secrets that never reach the log or any file in clear, permissions and
// workspaces apart. Every answer is checked against the contract (Send).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "events/customer_login_settings_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kPassword;

constexpr const char* kBan = "/sauth/settings/ban";
constexpr const char* kTemplates = "/sauth/settings/templates";
constexpr const char* kDeviceControl = "/sauth/settings/device-control";
constexpr const char* kGeneral = "/sauth/settings/general";
constexpr const char* kOAuth = "/sauth/settings/oauth";
constexpr const char* kSyneriseAuth = "/sauth/settings/synerise-auth";
constexpr const char* kFacebook = "/sauth/settings/oauth/facebook";
constexpr const char* kGoogle = "/sauth/settings/oauth/google";
constexpr const char* kApple = "/sauth/settings/oauth/apple";
constexpr const char* kAllSettings[] = {kBan,         kTemplates, kDeviceControl, kGeneral, kOAuth,
                                        kSyneriseAuth, kFacebook,  kGoogle,        kApple};

class CustomerLoginSettingsApiTest : public testing::UauthApiTest {
 protected:
  api::HttpResponse Save(const std::string& path, const json::value& body, const std::string& token,
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         testing::SignedClient* client = nullptr) {
    return Send(client ? *client : *client_, "POST", path, json::serialize(body), token, std::move(headers));
  }
  // The settings at `path` as GET answers them (null unless 200).
  json::value Read(const std::string& path, const std::string& token, std::string* etag = nullptr) {
    auto answer = WithBearer("GET", path, token);
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.body;
    if (etag) *etag = std::string(answer.Header("ETag"));
    return answer.status == 200 ? Body(answer) : json::value();
  }
  // Whether any event's payload, or any file of the data directory once the
  // server is stopped, holds `text` (S-3, X-14: secrets never do in clear).
  bool LogHolds(const std::string& text) {
    for (uint64_t from = 1; from <= storage_->events().Head();) {
      auto page = storage_->events().ReadAll(from, 500);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->empty()) break;
      for (const auto& e : *page) {
        if (e.payload.find(text) != std::string::npos) return true;
      }
      from = page->back().position + 1;
    }
    return false;
  }
  std::vector<std::string> FilesHolding(const std::string& text) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (content.find(text) != std::string::npos) found.push_back(entry.path().string());
    }
    return found;
  }
};

TEST_F(CustomerLoginSettingsApiTest, EveryKindAnswersItsDefaultsUntilSavedExceptBan) {
  const std::string token = WorkspaceToken(UserToken());
  // S-5: no ban settings until they are saved.
  ExpectUauthProblem(WithBearer("GET", kBan, token), 404, "SET-0404");
  for (const char* path : kAllSettings) {
    if (path == std::string(kBan)) continue;
    std::string etag;
    Read(path, token, &etag);
    EXPECT_EQ(etag, "\"0\"") << path;
  }
  EXPECT_EQ(Read(kGeneral, token),
            json::parse(R"({"tokenLifetimeInSeconds":3600,"voucherPoolUuid":null,"allowOverwriteCustomIdentify":false,
                            "allowCustomIdentifyAtRegistration":false,"emailChangeByLink":false})"));
  EXPECT_EQ(Read(kDeviceControl, token),
            json::parse(R"({"mode":"OFF","defaultCountry":null,"approvalLinkLifetimeSeconds":86400,
                            "approvalRedirectLink":null})"));
  EXPECT_EQ(Read(kSyneriseAuth, token),
            json::parse(R"({"enabled":true,"registrationType":"AUTOMATIC","confirmationRedirectLink":null,
                            "pinCodeRequirement":null,"pinCodeLength":6,"pinCodeLifetimeSeconds":900})"));
  EXPECT_EQ(Read(kFacebook, token), json::parse(R"({"enabled":false,"appId":null,"appSecretSet":false})"));
  EXPECT_EQ(Read(kGoogle, token), json::parse(R"({"enabled":false,"clientIds":[]})"));
  EXPECT_EQ(Read(kApple, token), json::parse(R"({"enabled":false,"appBundleIdentifier":null})"));
  EXPECT_EQ(Read(kOAuth, token),
            json::parse(R"({"enabled":false,"endpointName":null,"authenticationMethod":null,"uri":null,"headers":[],
                            "identifyByOAuthResponse":true,"uniqueIdentifierKey":null,"attributeMapping":[]})"));
  const json::value templates = Read(kTemplates, token);
  EXPECT_EQ(templates.as_object().size(), 15u);
  EXPECT_NE(templates.at("confirmationMailBody").as_string().find("{{client_confirmation_link}}"), json::string::npos);

  // Saving the defaults changes nothing (X-6).
  auto same = Save(kGeneral, {{"tokenLifetimeInSeconds", 3600}}, token);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_TRUE(same.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(CountEvents("CustomerGeneralSettingsUpdated"), 0);
}

TEST_F(CustomerLoginSettingsApiTest, APostReplacesTheWholeObjectAndAnswersWhatWasStored) {
  const std::string token = WorkspaceToken(UserToken());
  auto saved = Save(kBan, {{"enabled", true}, {"maxFailedAttempts", 5}, {"timeWindowSeconds", 900},
                           {"banDurationSeconds", 3600}},
                    token);
  ASSERT_EQ(saved.status, 200) << saved.body;
  ExpectEventDetailHeaders(saved);
  EXPECT_EQ(Body(saved).at("banBy"), json::parse(R"(["IP","UUID"])"));  // its default
  std::string etag;
  EXPECT_EQ(Read(kBan, token, &etag), Body(saved));
  EXPECT_EQ(etag, std::string(saved.Header("ETag")));
  EXPECT_EQ(CountEvents("CustomerBanSettingsUpdated"), 1);

  // S-1: what is not sent returns to its default.
  auto general = Save(kGeneral,
                      {{"tokenLifetimeInSeconds", 7200}, {"voucherPoolUuid", "0b0e3a86-5a4c-4bb4-8d0f-7a5c2f1d9e10"},
                       {"allowOverwriteCustomIdentify", true}, {"emailChangeByLink", true}},
                      token);
  ASSERT_EQ(general.status, 200) << general.body;
  EXPECT_EQ(Body(general).at("voucherPoolUuid"), "0b0e3a86-5a4c-4bb4-8d0f-7a5c2f1d9e10");
  auto reset = Save(kGeneral, {{"tokenLifetimeInSeconds", 7200}}, token);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_TRUE(Body(reset).at("voucherPoolUuid").is_null());
  EXPECT_EQ(Body(reset).at("allowOverwriteCustomIdentify"), false);
  EXPECT_EQ(Body(reset).at("emailChangeByLink"), false);
  // The same again appends nothing and answers the same (X-6).
  auto again = Save(kGeneral, {{"tokenLifetimeInSeconds", 7200}}, token);
  ASSERT_EQ(again.status, 200);
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(again.Header("ETag"), reset.Header("ETag"));
  EXPECT_EQ(CountEvents("CustomerGeneralSettingsUpdated"), 2);

  // Each kind keeps its own tag, and everything survives a restart.
  auto device = Save(kDeviceControl, {{"mode", "LOCATION_BASED"}, {"defaultCountry", "PL"},
                                      {"approvalRedirectLink", "https://shop.example.com/device-approved"}},
                     token);
  ASSERT_EQ(device.status, 200) << device.body;
  EXPECT_EQ(Body(device).at("approvalLinkLifetimeSeconds").as_int64(), 86400);
  std::string general_tag;
  Read(kGeneral, token, &general_tag);
  EXPECT_EQ(general_tag, std::string(reset.Header("ETag")));
  RestartServer();
  const std::string after = WorkspaceToken(UserToken());
  EXPECT_EQ(Read(kDeviceControl, after), Body(device));
  EXPECT_EQ(Read(kBan, after), Body(saved));
}

TEST_F(CustomerLoginSettingsApiTest, IfMatchRefusesAStaleTagAndRacingSavesHaveOneWinner) {
  const std::string token = WorkspaceToken(UserToken());
  std::string tag;
  Read(kApple, token, &tag);
  auto first = Save(kApple, {{"enabled", true}, {"appBundleIdentifier", "com.example.shop"}}, token, {{"If-Match", tag}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.Header("ETag"), tag);
  ExpectUauthProblem(Save(kApple, {{"enabled", false}}, token, {{"If-Match", tag}}), 412, "GEN-0412");
  ExpectUauthProblem(Save(kApple, {{"enabled", false}}, token, {{"If-Match", "W/\"1\""}}), 412, "GEN-0412");

  // CC-12: 24 saves against one tag; one wins, the others are refused, nothing is lost.
  const std::string current(first.Header("ETag"));
  constexpr int kRequests = 24;
  std::atomic<int> saved{0}, stale{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(server_->address(), credential_);
      auto answer = Save(kApple,
                         {{"enabled", true}, {"appBundleIdentifier", "com.example.app" + std::to_string(i)}}, token,
                         {{"If-Match", current}}, &client);
      (answer.status == 200 ? saved : answer.status == 412 ? stale : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(saved.load(), 1);
  EXPECT_EQ(stale.load(), kRequests - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(CountEvents("CustomerAppleSignInSettingsUpdated"), 2);
}

TEST_F(CustomerLoginSettingsApiTest, EveryBadInputIsAProblemWithTheContractsCode) {
  const std::string token = WorkspaceToken(UserToken());
  struct Case {
    const char* path;
    const char* body;
    const char* code;
  };
  const Case cases[] = {
      {kBan, R"({"enabled":true,"maxFailedAttempts":5,"timeWindowSeconds":900})", "GEN-0400"},  // required member
      {kBan, R"({"enabled":true,"maxFailedAttempts":0,"timeWindowSeconds":900,"banDurationSeconds":60})", "GEN-0400"},
      {kBan, R"({"enabled":true,"maxFailedAttempts":5,"timeWindowSeconds":900,"banDurationSeconds":60,
                 "banBy":["IP","IP"]})", "GEN-0400"},
      {kGeneral, R"({"tokenLifetimeInSeconds":3600,"surplus":1})", "GEN-0400"},   // closed object (X-4)
      {kGeneral, R"({"tokenLifetimeInSeconds":3600.5})", "GEN-0400"},
      {kGeneral, R"({"tokenLifetimeInSeconds":3600,"voucherPoolUuid":"not-a-uuid"})", "GEN-0400"},
      {kGeneral, R"([1,2])", "GEN-0400"},
      {kGeneral, R"({"tokenLifetimeInSeconds":)", "GEN-0400"},
      {kDeviceControl, R"({"mode":"LOCATION_BASED"})", "SET-0002"},                  // S-7
      {kDeviceControl, R"({"mode":"OFF","defaultCountry":"PL"})", "SET-0002"},
      {kDeviceControl, R"({"mode":"EMAIL_APPROVAL","approvalRedirectLink":"http://shop.example.com/ok"})", "SET-0003"},
      {kDeviceControl, R"({"mode":"SOMETIMES"})", "GEN-0400"},
      {kTemplates, R"({"confirmationMailBody":"<p>no link</p>"})", "SET-0001"},       // S-6
      {kTemplates, R"({"pinCodeMailSubject":""})", "GEN-0400"},
      {kOAuth, R"({"enabled":true,"endpointName":"acme"})", "SET-0002"},             // S-9
      {kOAuth, R"({"enabled":false,"authenticationMethod":"JWT_TOKEN",
                   "headers":[{"name":"X-Key","value":"v","sensitive":false}]})", "SET-0002"},
      {kOAuth, R"({"enabled":false,"uri":"http://auth.example.com/userinfo"})", "SET-0003"},
      {kOAuth, R"({"enabled":false,"headers":[{"name":"X-Key","value":"a","sensitive":false},
                                              {"name":"x-key","value":"b","sensitive":false}]})", "GEN-0400"},
      {kOAuth, R"({"enabled":false,"headers":[{"name":"X-Key","sensitive":false}]})", "SET-0002"},
      {kOAuth, R"({"enabled":false,"headers":[{"name":"bad name","value":"v","sensitive":false}]})", "GEN-0400"},
      {kSyneriseAuth, R"({"enabled":true,"registrationType":"PIN_ACTIVATION_REQUIRED"})", "SET-0002"},  // S-10
      {kSyneriseAuth, R"({"enabled":true,"registrationType":"AUTOMATIC","pinCodeRequirement":"EVERY_REGISTRATION"})",
       "SET-0002"},
      {kSyneriseAuth, R"({"enabled":true,"registrationType":"AUTOMATIC","confirmationRedirectLink":"ftp://x.example"})",
       "SET-0003"},
      {kSyneriseAuth, R"({"enabled":true,"registrationType":"AUTOMATIC","pinCodeLength":9})", "GEN-0400"},
      {kFacebook, R"({"enabled":true,"appId":"1234567890123456"})", "SET-0002"},    // S-11: no secret stored
      {kFacebook, R"({"enabled":false,"appSecret":"short"})", "GEN-0400"},
      {kFacebook, R"({"enabled":false,"appId":"12ab"})", "GEN-0400"},
      {kGoogle, R"({"enabled":true,"clientIds":[]})", "SET-0002"},                  // S-12
      {kGoogle, R"({"enabled":false})", "GEN-0400"},
      {kApple, R"({"enabled":true})", "SET-0002"},                                  // S-13
      {kApple, R"({"enabled":false,"appBundleIdentifier":"noDots"})", "GEN-0400"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.path) + " " + c.body);
    ExpectUauthProblem(Send(*client_, "POST", c.path, c.body, token), 400, c.code);
  }
  // X-4: every violation in one answer.
  auto many = Save(kBan, {{"enabled", "yes"}, {"maxFailedAttempts", 1000}, {"surplus", true}}, token);
  ExpectUauthProblem(many, 400, "GEN-0400");
  EXPECT_GE(Body(many).at("errors").as_array().size(), 5u) << many.body;
  // Nothing refused left a trace.
  for (events::CustomerLoginSettingsKind kind : events::AllCustomerLoginSettingsKinds()) {
    EXPECT_EQ(CountEvents(events::CustomerLoginSettingsEventType(kind)), 0);
  }
  // A template id wins over the placeholder (S-6).
  auto templated = Save(kTemplates, {{"confirmationMailBody", "<p>no link</p>"}, {"confirmationMailTemplateId", "t-1"}},
                        token);
  EXPECT_EQ(templated.status, 200) << templated.body;
}

TEST_F(CustomerLoginSettingsApiTest, TemplatesTakeBodiesUpToTheContractsLimits) {
  const std::string token = WorkspaceToken(UserToken());
  std::string body = "<p>{{pin_code}}</p>";
  body += std::string(100000 - body.size() - 1, 'x') + "\xc3\xa9";  // 100,000 characters, one of them two bytes
  auto saved = Save(kTemplates, {{"pinCodeMailBody", body}, {"pinCodeMailSubject", std::string(255, 's')}}, token);
  ASSERT_EQ(saved.status, 200) << saved.body.substr(0, 500);
  EXPECT_EQ(Read(kTemplates, token).at("pinCodeMailBody").as_string(), body);
  ExpectUauthProblem(Save(kTemplates, {{"pinCodeMailBody", body + "x"}}, token), 400, "GEN-0400");
  ExpectUauthProblem(Save(kTemplates, {{"pinCodeMailSubject", std::string(256, 's')}}, token), 400, "GEN-0400");
  ExpectUauthProblem(Save(kTemplates, {{"pinCodeMailTemplateId", std::string(65, 't')}}, token), 400, "GEN-0400");

  // X-13: all five bodies at their longest fit the 1 MiB a bearer route takes; more is 413 before it is read.
  json::object all;
  const std::pair<const char*, const char*> bodies[] = {{"confirmationMailBody", "{{client_confirmation_link}}"},
                                                         {"passwordResetMailBody", "{{password_reset_hash}}"},
                                                         {"emailChangeMailBody", "{{email_change_link}}"},
                                                         {"pinCodeMailBody", "{{pin_code}}"},
                                                         {"deviceControlMailBody", "{{device_confirmation_link}}"}};
  for (const auto& [name, placeholder] : bodies) {
    std::string text = placeholder;
    all[name] = text + std::string(100000 - text.size(), 'y');
  }
  auto whole = Save(kTemplates, all, token);
  ASSERT_EQ(whole.status, 200) << whole.body.substr(0, 500);
  EXPECT_GT(json::serialize(all).size(), 500000u);
  EXPECT_EQ(Read(kTemplates, token).at("deviceControlMailBody"), all.at("deviceControlMailBody"));
  auto too_large = Send(*client_, "POST", kTemplates, json::serialize(json::object{{"pinCodeMailBody", std::string(1 << 20, 'z')}}),
                        token);
  ExpectUauthProblem(too_large, 413, "GEN-0413");
}

// S-3, X-14: the Facebook app secret is written, never read: omitted keeps
// it, null clears it, and the log holds only its version.
TEST_F(CustomerLoginSettingsApiTest, TheFacebookSecretIsWriteOnly) {
  const std::string token = WorkspaceToken(UserToken());
  const std::string secret = "3f8e1c0d9b7a6f5e4d3c2b1a09f8e7d6-facebook";
  auto saved = Save(kFacebook, {{"enabled", true}, {"appId", "1234567890123456"}, {"appSecret", secret}}, token);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Body(saved), json::parse(R"({"enabled":true,"appId":"1234567890123456","appSecretSet":true})"));
  EXPECT_EQ(saved.body.find(secret), std::string::npos);
  EXPECT_EQ(Read(kFacebook, token), Body(saved));
  // Omitted keeps it: enabling still finds it.
  auto kept = Save(kFacebook, {{"enabled", true}, {"appId", "99999"}}, token);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(Body(kept).at("appSecretSet"), true);
  // Null clears it, and then enabling is refused (S-11).
  auto cleared = Save(kFacebook, {{"enabled", false}, {"appId", "99999"}, {"appSecret", nullptr}}, token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(Body(cleared).at("appSecretSet"), false);
  ExpectUauthProblem(Save(kFacebook, {{"enabled", true}, {"appId", "99999"}}, token), 400, "SET-0002");

  // The events name versions and whether the secret changed, never the secret.
  int changed = 0, versions = 0;
  auto all = storage_->events().ReadAll(1, 100000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    if (e.event_type != "CustomerFacebookOAuthSettingsUpdated") continue;
    const json::object payload = json::parse(e.payload).as_object();
    EXPECT_EQ(e.aggregate_type, events::kCustomerLoginSettingsAggregate);
    changed += payload.at("appSecretChanged").as_bool();
    versions += payload.at("secretVersion").is_string();
  }
  EXPECT_EQ(changed, 2);   // stored, then cleared
  EXPECT_EQ(versions, 2);  // stored, then kept
  EXPECT_FALSE(LogHolds(secret));
  client_.reset();
  server_.reset();  // everything on disk
  EXPECT_TRUE(FilesHolding(secret).empty()) << FilesHolding(secret).front();
}

// S-3, S-9: values of sensitive OAuth headers are write-only; one sent
// without a value keeps the stored value of the header of that name.
TEST_F(CustomerLoginSettingsApiTest, SensitiveOAuthHeaderValuesAreWriteOnly) {
  const std::string token = WorkspaceToken(UserToken());
  const std::string secret = "api-key-7c1e9a5b3d2f4e6a8b0c";
  json::object settings{{"enabled", true},
                        {"endpointName", "acme-sso"},
                        {"authenticationMethod", "SERVER"},
                        {"uri", "https://auth.example.com/userinfo"},
                        {"headers", json::array{json::object{{"name", "Authorization"},
                                                             {"value", "Bearer {{_snrs_access_token}}"},
                                                             {"sensitive", false}},
                                                json::object{{"name", "X-Api-Key"}, {"value", secret}, {"sensitive", true}}}},
                        {"uniqueIdentifierKey", "sub"},
                        {"attributeMapping", json::array{json::object{{"responseKey", "email"}, {"profileAttribute", "email"}}}}};
  auto saved = Save(kOAuth, settings, token);
  ASSERT_EQ(saved.status, 200) << saved.body;
  const json::value expected_headers = json::parse(R"([
    {"name":"Authorization","value":"Bearer {{_snrs_access_token}}","sensitive":false,"valueSet":true},
    {"name":"X-Api-Key","value":null,"sensitive":true,"valueSet":true}])");
  EXPECT_EQ(Body(saved).at("headers"), expected_headers);
  EXPECT_EQ(Body(saved).at("identifyByOAuthResponse"), true);
  EXPECT_EQ(Read(kOAuth, token), Body(saved));

  // Sent without its value, the header keeps it (matched by name, case aside);
  // a new sensitive header without one has none.
  settings["headers"] = json::array{json::object{{"name", "x-api-key"}, {"sensitive", true}},
                                    json::object{{"name", "X-Other"}, {"sensitive", true}}};
  auto kept = Save(kOAuth, settings, token);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(Body(kept).at("headers"), json::parse(R"([
    {"name":"x-api-key","value":null,"sensitive":true,"valueSet":true},
    {"name":"X-Other","value":null,"sensitive":true,"valueSet":false}])"));
  EXPECT_FALSE(LogHolds(secret));
  client_.reset();
  server_.reset();
  EXPECT_TRUE(FilesHolding(secret).empty()) << FilesHolding(secret).front();
}

TEST_F(CustomerLoginSettingsApiTest, EachOperationNeedsItsPermissionAndAWorkspaceToken) {
  ExpectUauthProblem(WithBearer("GET", kGeneral, ""), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kGeneral, UserToken()), 403, "GEN-0403");
  // A member without a role in the workspace holds no permission.
  CreateMember("mia@example.com");
  auto member = SignIn(*client_, "mia@example.com", kPassword);
  ASSERT_EQ(member.status, 200) << member.body;
  const std::string member_token = WorkspaceToken(std::string(Body(member).at("token").as_string()));
  for (const char* path : kAllSettings) {
    ExpectUauthProblem(WithBearer("GET", path, member_token), 403, "GEN-0403");
    ExpectUauthProblem(Send(*client_, "POST", path, R"({"enabled":false})", member_token), 403, "GEN-0403");
  }
}

// X-2: each workspace has its own settings; an Idempotency-Key replays the first answer (X-15).
TEST_F(CustomerLoginSettingsApiTest, WorkspacesKeepTheirOwnSettings) {
  const std::string mine = WorkspaceToken(UserToken());
  const std::string theirs = OtherWorkspaceAdminToken("Elsewhere");
  ASSERT_FALSE(theirs.empty());
  const json::object google{{"enabled", true},
                            {"clientIds", json::array{"123456789012-abcdefghijklmnop.apps.googleusercontent.com"}}};
  auto saved = Save(kGoogle, google, mine, {{"Idempotency-Key", "google-1"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto replayed = Save(kGoogle, google, mine, {{"Idempotency-Key", "google-1"}});
  EXPECT_EQ(replayed.status, 200);
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(CountEvents("CustomerGoogleOAuthSettingsUpdated"), 1);
  EXPECT_EQ(Read(kGoogle, theirs), json::parse(R"({"enabled":false,"clientIds":[]})"));
  ExpectUauthProblem(WithBearer("GET", kBan, theirs), 404, "SET-0404");
  EXPECT_EQ(Read(kGoogle, mine), Body(saved));
}

}  // namespace
}  // namespace iam
