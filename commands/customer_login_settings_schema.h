// The customer-login settings' one whole-object mechanism (seed-003 S-1 …
// S-13): each of the nine kinds is a row of a description table — its
// members with their types, bounds, patterns, enums and defaults (the
// contract's schemas), its dependent members (S-2, SET-0002), its https-only
// URIs (SET-0003), its template placeholders (S-6, SET-0001) and its
// write-only secrets (S-3) — and every function below reads that table, so
// no kind has code of its own.
//
// A request becomes a SettingsProposal (ProposeSettings): the object to
// store with every member (S-1: omitted members take their defaults), and
// its secrets, which the caller puts into the secret store before the
// command runs; the command then resolves the secrets against what is
// stored (ResolveSecrets: omitted keeps, null clears) and checks the
// dependent members once more on the result (DependentViolations). Answers
// show PublicSettings: the stored object without its secret versions.
//
// Pure functions over constant tables: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "events/customer_login_settings_events.h"
#include "events/status.h"

namespace iam::commands {

using events::CustomerLoginSettingsKind;

// Refusals (Status::reason()) and the codes of violations (§13).
inline constexpr int kSettingsDependentMember = 302;  // SET-0002, also from the command
inline constexpr const char* kBadInputCode = "GEN-0400";
inline constexpr const char* kPlaceholderMissingCode = "SET-0001";
inline constexpr const char* kDependentMemberCode = "SET-0002";
inline constexpr const char* kNotHttpsCode = "SET-0003";

// One thing wrong with a request, as a problem's errors[] lists it.
struct SettingsViolation {
  std::string field;  // a JSON pointer into the body, e.g. "/headers/1/name"
  std::string code;   // one of the codes above
  std::string message;
};

// A write-only secret a request names (S-3).
struct SettingsSecret {
  enum class Action { kKeep, kClear, kReplace };
  Action action = Action::kKeep;
  std::optional<size_t> item;  // nullopt: of the settings object; else the index in its kind's secret array
  std::string match;           // of an item: the value naming it across saves (an OAuth header's name)
  std::string plaintext;       // kReplace: the secret, until it is stored (clear it then)
  std::string version;         // kReplace: the secretVersion it is stored under (the caller's to set)
};

// A request its kind's description admits: the object to store (every
// member, secrets left out) and the secrets still to resolve.
struct SettingsProposal {
  CustomerLoginSettingsKind kind = CustomerLoginSettingsKind::kGeneral;
  boost::json::object settings;
  std::vector<SettingsSecret> secrets;
};

// Whether GET answers defaults before the first save; false for ban
// settings, which are 404 until then (S-5).
bool HasDefaults(CustomerLoginSettingsKind kind);

// The stored object of a kind never saved: every member at its default.
boost::json::object DefaultSettings(CustomerLoginSettingsKind kind);

// Checks `body`, a request of `kind`, against the kind's description: a
// closed object, each member's type, bounds, pattern, enum and format,
// required members, https-only URIs (SET-0003), placeholders (SET-0001) and
// dependent members (SET-0002, judged as if every kept secret were stored).
// Returns the proposal, or kInvalidArgument with every violation in
// `violations` (GEN-0400 ones first).
Result<SettingsProposal> ProposeSettings(CustomerLoginSettingsKind kind, const boost::json::value& body,
                                         std::vector<SettingsViolation>* violations);

// The object to store for `proposal` when `current` is stored (nullptr:
// nothing yet): a replaced secret takes its version, a cleared one none, a
// kept one the version `current` has for it (S-3). `secret_changed` tells
// whether a secret of the settings object itself changed.
boost::json::object ResolveSecrets(const SettingsProposal& proposal, const boost::json::object* current,
                                   bool* secret_changed);

// The dependent-member rules of `kind` (S-2, S-7, S-9 … S-13) on a resolved
// object: every violation, all SET-0002; empty when they hold.
std::vector<SettingsViolation> DependentViolations(CustomerLoginSettingsKind kind, const boost::json::object& stored);

// What GET and POST answer for `stored`: the object without its secret versions.
boost::json::object PublicSettings(CustomerLoginSettingsKind kind, const boost::json::object& stored);

}  // namespace iam::commands
