#include "events/upcasting.h"

#include <boost/json.hpp>

#include <string>

#include "events/api_client_events.h"
#include "events/credential_events.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"

namespace iam::events {
namespace {

namespace json = boost::json;

// Adds `name` with `value` unless the payload has it: later builds sometimes
// wrote a member under the old revision before the revision was bumped, and
// what they wrote wins over the default.
void Default(json::object& payload, std::string_view name, json::value value) {
  payload.emplace(name, std::move(value));
}

// UserCreated 1 -> 2: revision 1 (the first bootstrap) held the e-mail and
// the names; revision 2 holds the whole profile, unset members empty.
Status UserCreatedWholeProfile(json::object& payload) {
  for (std::string_view member : {"secondaryEmail", "phone", "mobilePhone", "address", "city", "state", "zipCode",
                                  "country", "timeZone", "preferredLanguage", "contactType", "jobTitle",
                                  "additionalAuthentication"}) {
    Default(payload, member, "");
  }
  Default(payload, "sessionTimeOut", 0);
  return Status::Ok();
}

// ApiClientCreated 1 -> 2: revision 1 (the bootstrap client) held its name,
// token and owner; revision 2 holds the whole definition. A revision-1 client
// was its owner's client for everything: all APIs, the owner's groups, and
// credentials of its own.
Status ApiClientCreatedWholeDefinition(json::object& payload) {
  Default(payload, "clientDescription", "");
  Default(payload, "clientType", "CLIENT");
  Default(payload, "allowAccountSwitch", false);
  Default(payload, "canAutoCreateCredential", true);
  Default(payload, "notificationEmails", json::array());
  Default(payload, "allAccessibleApis", true);
  Default(payload, "apis", json::array());
  Default(payload, "cloneAuthorizedUserGroups", true);
  Default(payload, "groups", json::array());
  Default(payload, "ipAclEnabled", false);
  Default(payload, "ipAclCidrs", json::array());
  return Status::Ok();
}

// CredentialCreated 1 -> 2: revision 2 added the description, empty before.
Status CredentialCreatedDescription(json::object& payload) {
  Default(payload, "description", "");
  return Status::Ok();
}

// UserPasswordSet 1 -> 2: revision 2 always says whether the one-time
// password was mailed (U-7, A-3 with sendEmail). Before mailing existed no
// password was mailed; builds that mailed wrote the member under revision 1.
Status UserPasswordSetMailed(json::object& payload) {
  Default(payload, "mailed", false);
  return Status::Ok();
}

// UserErased 1 -> 2: revision 2 names the other subjects the erasure
// deleted the keys of; revision 1 deleted the person's own key only.
Status UserErasedSubjects(json::object& payload) {
  Default(payload, "subjects", json::array());
  return Status::Ok();
}

// The sign-in events 1 -> 2: revision 1 named the attempt's address as
// "username", as the stream's id did; revision 2 keeps it only as the digest
// that names the stream (events/sign_in_events.h), so that no new record
// holds a readable address. An older record keeps its address in its
// stream's id, which no upcaster can change.
Status SignInWithoutUsername(json::object& payload) {
  payload.erase("username");
  return Status::Ok();
}

// Every step of every event type. Keep the entries of one type together and
// in revision order; append, never edit or remove (see upcasting.h).
const Upcaster kUpcasters[] = {
    {kUserCreated, 1, &UserCreatedWholeProfile},
    {kApiClientCreated, 1, &ApiClientCreatedWholeDefinition},
    {kCredentialCreated, 1, &CredentialCreatedDescription},
    {kUserPasswordSet, 1, &UserPasswordSetMailed},
    {kUserErased, 1, &UserErasedSubjects},
    {kUserSignInFailed, 1, &SignInWithoutUsername},
    {kUserSignInSucceeded, 1, &SignInWithoutUsername},
    {kUserLockedOut, 1, &SignInWithoutUsername},
    {kUserLockoutCleared, 1, &SignInWithoutUsername},
};

const Upcaster* FindStep(std::span<const Upcaster> table, std::string_view event_type, uint32_t from_revision) {
  for (const Upcaster& step : table) {
    if (step.from_revision == from_revision && step.event_type == event_type) return &step;
  }
  return nullptr;
}

std::string Describe(const Event& event) {
  return "event at position " + std::to_string(event.position) + " (" + event.event_type + " revision " +
         std::to_string(event.schema_revision) + ")";
}

}  // namespace

std::span<const Upcaster> RegisteredUpcasters() { return kUpcasters; }

uint32_t CurrentRevisionIn(std::span<const Upcaster> table, std::string_view event_type) {
  uint32_t current = 1;
  for (const Upcaster& step : table) {
    if (step.event_type == event_type && step.from_revision >= current) current = step.from_revision + 1;
  }
  return current;
}

uint32_t CurrentRevision(std::string_view event_type) { return CurrentRevisionIn(kUpcasters, event_type); }

Status UpcastWith(std::span<const Upcaster> table, Event& event) {
  const uint32_t current = CurrentRevisionIn(table, event.event_type);
  if (event.schema_revision == current) return Status::Ok();
  if (event.schema_revision == 0) return Status::Corruption(Describe(event) + ": revision 0 does not exist");
  if (event.schema_revision > current) {
    return Status::Corruption(Describe(event) + ": this build knows revisions up to " + std::to_string(current) +
                              "; the log was written by a newer build");
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(event.payload, ec);
  if (ec || !parsed.is_object()) {
    return Status::Corruption(Describe(event) + ": payload is not a JSON object" +
                              (ec ? ": " + ec.message() : std::string()));
  }
  json::object& payload = parsed.as_object();
  for (uint32_t revision = event.schema_revision; revision < current; ++revision) {
    const Upcaster* step = FindStep(table, event.event_type, revision);
    if (!step) {
      return Status::Internal(Describe(event) + ": no upcaster from revision " + std::to_string(revision));
    }
    if (Status s = step->upcast(payload); !s.ok()) {
      return Status::Corruption(Describe(event) + ": upcasting to revision " + std::to_string(revision + 1) +
                                ": " + s.message());
    }
  }
  event.payload = json::serialize(payload);
  event.schema_revision = current;
  return Status::Ok();
}

Status Upcast(Event& event) { return UpcastWith(kUpcasters, event); }

}  // namespace iam::events
