// Events of a workspace's customer-login settings (seed-003 §2, §12, #4 …
// #21): aggregate type "customerLoginSettings", one aggregate per workspace,
// id = the account id (a workspace is an account, W-10), which is also the
// events' resourceOwner. Each of the nine kinds of settings is replaced as a
// whole (S-1) by one event naming the kind:
//
//   CustomerBanSettingsUpdated            #5   (S-4, S-5)
//   CustomerEmailTemplatesSettingsUpdated #7   (S-6)
//   CustomerDeviceControlSettingsUpdated  #9   (S-7)
//   CustomerGeneralSettingsUpdated        #11  (S-8)
//   CustomerOAuthSettingsUpdated          #13  (S-9)
//   CustomerSyneriseAuthSettingsUpdated   #15  (S-10)
//   CustomerFacebookOAuthSettingsUpdated  #17  (S-11)
//   CustomerGoogleOAuthSettingsUpdated    #19  (S-12)
//   CustomerAppleSignInSettingsUpdated    #21  (S-13)
//
// Payload, revision 1: the stored object itself — every member of the kind
// (commands/customer_login_settings_schema.h describes them), where a
// write-only secret (S-3, X-14) appears only as its "secretVersion" (the
// secret store's record is CustomerLoginSecretId(account, secretVersion)),
// never in clear. The Facebook event also carries "appSecretChanged":
// whether this change stored a new secret or cleared it.
//
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kCustomerLoginSettingsAggregate = "customerLoginSettings";

// The nine kinds, in the contract's order.
enum class CustomerLoginSettingsKind {
  kBan,
  kEmailTemplates,
  kDeviceControl,
  kGeneral,
  kOAuth,
  kSyneriseAuth,
  kFacebookOAuth,
  kGoogleOAuth,
  kAppleSignIn,
};
inline constexpr size_t kCustomerLoginSettingsKindCount = 9;

// Every kind, in the contract's order.
std::array<CustomerLoginSettingsKind, kCustomerLoginSettingsKindCount> AllCustomerLoginSettingsKinds();

// A stable short name of `kind` ("ban", "templates", "device-control",
// "general", "oauth", "synerise-auth", "facebook", "google", "apple"), used
// in read-model rows.
std::string_view CustomerLoginSettingsName(CustomerLoginSettingsKind kind);
// The kind named so; nullopt for any other name.
std::optional<CustomerLoginSettingsKind> CustomerLoginSettingsKindNamed(std::string_view name);

// The event type of `kind`'s updates (§12).
const char* CustomerLoginSettingsEventType(CustomerLoginSettingsKind kind);
// The kind whose updates `event_type` records; nullopt for any other type.
std::optional<CustomerLoginSettingsKind> CustomerLoginSettingsKindOfEvent(std::string_view event_type);

// The member a stored object names a write-only secret's version by.
inline constexpr const char* kSecretVersionMember = "secretVersion";

// The secret store's id of the secret `secret_version` of `account_id`'s
// customer-login settings.
std::string CustomerLoginSecretId(std::string_view account_id, std::string_view secret_version);

struct CustomerLoginSettingsUpdated {
  CustomerLoginSettingsKind kind = CustomerLoginSettingsKind::kGeneral;
  boost::json::object settings;  // the whole stored object, secrets as secretVersion
  bool secret_changed = false;   // written (as "appSecretChanged") for Facebook only
};

NewEvent ToNewEvent(const CustomerLoginSettingsUpdated& e);
// kCorruption naming the event's position when it is no settings update or
// its payload is not an object (or lacks Facebook's appSecretChanged).
Result<CustomerLoginSettingsUpdated> ParseCustomerLoginSettingsUpdated(const Event& e);

}  // namespace iam::events
