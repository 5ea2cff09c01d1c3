// The customer-login settings' description table (seed-003 S-1 … S-13):
// defaults that pass their own rules, secrets that never stay in a proposal,
// kept and cleared secret versions, and the settings read model's rows.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "commands/customer_login_settings_schema.h"
#include "projections/customer_login_settings_directory.h"

namespace iam {
namespace {

namespace json = boost::json;
using commands::SettingsSecret;
using events::CustomerLoginSettingsKind;

TEST(CustomerLoginSettingsSchema, EveryKindsDefaultsPassItsRulesAndShowNoSecretVersion) {
  for (CustomerLoginSettingsKind kind : events::AllCustomerLoginSettingsKinds()) {
    SCOPED_TRACE(std::string(events::CustomerLoginSettingsName(kind)));
    const json::object defaults = commands::DefaultSettings(kind);
    EXPECT_TRUE(commands::DependentViolations(kind, defaults).empty());
    EXPECT_EQ(json::serialize(commands::PublicSettings(kind, defaults)).find(events::kSecretVersionMember),
              std::string::npos);
  }
}

TEST(CustomerLoginSettingsSchema, SecretsLeaveTheProposalAndResolveAgainstWhatIsStored) {
  const auto kind = CustomerLoginSettingsKind::kFacebookOAuth;
  auto sent = commands::ProposeSettings(
      kind, json::parse(R"({"enabled":true,"appId":"12345","appSecret":"0123456789abcdef-secret"})"), nullptr);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(json::serialize(sent->settings).find("0123456789abcdef-secret"), std::string::npos);
  ASSERT_EQ(sent->secrets.size(), 1u);
  EXPECT_EQ(sent->secrets[0].action, SettingsSecret::Action::kReplace);
  sent->secrets[0].version = "v1";
  bool changed = false;
  const json::object stored = commands::ResolveSecrets(*sent, nullptr, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(stored.at("secretVersion"), "v1");
  EXPECT_EQ(commands::PublicSettings(kind, stored),
            json::parse(R"({"enabled":true,"appId":"12345","appSecretSet":true})").as_object());

  auto kept = commands::ProposeSettings(kind, json::parse(R"({"enabled":true,"appId":"12345"})"), nullptr);
  ASSERT_TRUE(kept.ok());
  const json::object again = commands::ResolveSecrets(*kept, &stored, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(again, stored);
  // Kept with nothing stored: enabling is refused then (S-11).
  EXPECT_FALSE(commands::DependentViolations(kind, commands::ResolveSecrets(*kept, nullptr, nullptr)).empty());

  auto cleared = commands::ProposeSettings(kind, json::parse(R"({"enabled":false,"appSecret":null})"), nullptr);
  ASSERT_TRUE(cleared.ok());
  EXPECT_TRUE(commands::ResolveSecrets(*cleared, &stored, &changed).at("secretVersion").is_null());
  EXPECT_TRUE(changed);
}

TEST(CustomerLoginSettingsSchema, ViolationsComeWithTheirCodesBadInputFirst) {
  std::vector<commands::SettingsViolation> violations;
  auto refused = commands::ProposeSettings(
      CustomerLoginSettingsKind::kDeviceControl,
      json::parse(R"({"mode":"LOCATION_BASED","approvalRedirectLink":"http://x.example/","surplus":1})"), &violations);
  ASSERT_FALSE(refused.ok());
  ASSERT_EQ(violations.size(), 2u);  // the rules are judged only on good input
  EXPECT_EQ(violations[0].code, "GEN-0400");
  EXPECT_EQ(violations[0].field, "/surplus");
  EXPECT_EQ(violations[1].code, "SET-0003");

  violations.clear();
  refused = commands::ProposeSettings(CustomerLoginSettingsKind::kDeviceControl,
                                      json::parse(R"({"mode":"LOCATION_BASED"})"), &violations);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].code, "SET-0002");
  EXPECT_EQ(violations[0].field, "/defaultCountry");
}

TEST(CustomerLoginSettingsDirectory, RowsRestoreTheSameStateAndVersions) {
  projections::CustomerLoginSettingsDirectory folded;
  uint64_t position = 0;
  for (CustomerLoginSettingsKind kind : {CustomerLoginSettingsKind::kGeneral, CustomerLoginSettingsKind::kAppleSignIn,
                                         CustomerLoginSettingsKind::kGeneral}) {
    events::CustomerLoginSettingsUpdated updated{kind, commands::DefaultSettings(kind), false};
    const events::NewEvent made = events::ToNewEvent(updated);
    events::Event e;
    e.position = ++position;
    e.aggregate_type = events::kCustomerLoginSettingsAggregate;
    e.aggregate_id = "A-1";
    e.aggregate_version = position;
    e.event_type = made.event_type;
    e.payload = made.payload;
    ASSERT_TRUE(folded.Apply(e, nullptr, nullptr).ok());
  }
  projections::CustomerLoginSettingsDirectory restored;
  for (const std::string& key : folded.RowKeys()) ASSERT_TRUE(restored.RestoreRow(key, *folded.EncodeRow(key)).ok());
  EXPECT_EQ(restored.AggregateVersion("A-1"), 3u);
  EXPECT_EQ(restored.Find("A-1", CustomerLoginSettingsKind::kGeneral)->version, 3u);
  EXPECT_EQ(restored.Find("A-1", CustomerLoginSettingsKind::kAppleSignIn)->version, 2u);
  EXPECT_EQ(restored.Find("A-1", CustomerLoginSettingsKind::kBan), nullptr);
  EXPECT_EQ(restored.RowKeys(), folded.RowKeys());
}

}  // namespace
}  // namespace iam
