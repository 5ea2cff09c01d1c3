#include "events/customer_login_settings_events.h"

#include <boost/json.hpp>

#include <utility>

namespace iam::events {
namespace {

using Kind = CustomerLoginSettingsKind;

struct KindNames {
  Kind kind;
  std::string_view name;
  const char* event_type;
  const char* secret_changed_member;  // nullptr: the kind's events have none
};

constexpr KindNames kKinds[] = {
    {Kind::kBan, "ban", "CustomerBanSettingsUpdated", nullptr},
    {Kind::kEmailTemplates, "templates", "CustomerEmailTemplatesSettingsUpdated", nullptr},
    {Kind::kDeviceControl, "device-control", "CustomerDeviceControlSettingsUpdated", nullptr},
    {Kind::kGeneral, "general", "CustomerGeneralSettingsUpdated", nullptr},
    {Kind::kOAuth, "oauth", "CustomerOAuthSettingsUpdated", nullptr},
    {Kind::kSyneriseAuth, "synerise-auth", "CustomerSyneriseAuthSettingsUpdated", nullptr},
    {Kind::kFacebookOAuth, "facebook", "CustomerFacebookOAuthSettingsUpdated", "appSecretChanged"},
    {Kind::kGoogleOAuth, "google", "CustomerGoogleOAuthSettingsUpdated", nullptr},
    {Kind::kAppleSignIn, "apple", "CustomerAppleSignInSettingsUpdated", nullptr},
};
static_assert(std::size(kKinds) == kCustomerLoginSettingsKindCount);

const KindNames& NamesOf(Kind kind) { return kKinds[static_cast<size_t>(kind)]; }

}  // namespace

std::array<CustomerLoginSettingsKind, kCustomerLoginSettingsKindCount> AllCustomerLoginSettingsKinds() {
  std::array<Kind, kCustomerLoginSettingsKindCount> all{};
  for (size_t i = 0; i < all.size(); ++i) all[i] = kKinds[i].kind;
  return all;
}

std::string_view CustomerLoginSettingsName(Kind kind) { return NamesOf(kind).name; }

std::optional<Kind> CustomerLoginSettingsKindNamed(std::string_view name) {
  for (const KindNames& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

const char* CustomerLoginSettingsEventType(Kind kind) { return NamesOf(kind).event_type; }

std::optional<Kind> CustomerLoginSettingsKindOfEvent(std::string_view event_type) {
  for (const KindNames& k : kKinds) {
    if (event_type == k.event_type) return k.kind;
  }
  return std::nullopt;
}

std::string CustomerLoginSecretId(std::string_view account_id, std::string_view secret_version) {
  return "customer-login/" + std::string(account_id) + "/" + std::string(secret_version);
}

NewEvent ToNewEvent(const CustomerLoginSettingsUpdated& e) {
  const KindNames& names = NamesOf(e.kind);
  boost::json::object payload = e.settings;
  if (names.secret_changed_member) payload[names.secret_changed_member] = e.secret_changed;
  return {names.event_type, 1, boost::json::serialize(payload)};
}

Result<CustomerLoginSettingsUpdated> ParseCustomerLoginSettingsUpdated(const Event& e) {
  const std::optional<Kind> kind = CustomerLoginSettingsKindOfEvent(e.event_type);
  const std::string where = "event " + std::to_string(e.position) + " (" + e.event_type + ")";
  if (!kind) return Status::Corruption(where + " is no customer-login settings update");
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(e.payload, ec);
  if (ec || !payload.is_object()) return Status::Corruption(where + ": the payload is not a JSON object");
  CustomerLoginSettingsUpdated out;
  out.kind = *kind;
  out.settings = std::move(payload.as_object());
  if (const char* member = NamesOf(*kind).secret_changed_member) {
    const boost::json::value* changed = out.settings.if_contains(member);
    if (!changed || !changed->is_bool()) return Status::Corruption(where + ": " + member + " is missing");
    out.secret_changed = changed->as_bool();
    out.settings.erase(member);
  }
  return out;
}

}  // namespace iam::events
