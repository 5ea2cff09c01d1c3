#include "events/user_events.h"

#include "events/payload_json.h"

namespace iam::events {

// The wire names of the profile members, shared by writing and reading.
void WriteUserProfile(PayloadWriter& w, const UserProfile& p) {
  w.Set("firstName", p.first_name)
      .Set("lastName", p.last_name)
      .Set("email", p.email)
      .Set("secondaryEmail", p.secondary_email)
      .Set("phone", p.phone)
      .Set("mobilePhone", p.mobile_phone)
      .Set("address", p.address)
      .Set("city", p.city)
      .Set("state", p.state)
      .Set("zipCode", p.zip_code)
      .Set("country", p.country)
      .Set("timeZone", p.time_zone)
      .Set("preferredLanguage", p.preferred_language)
      .Set("contactType", p.contact_type)
      .Set("jobTitle", p.job_title)
      .Set("sessionTimeOut", p.session_timeout)
      .Set("additionalAuthentication", p.additional_authentication);
}

// Revision 1 of UserCreated had only email and names: the rest reads as unset.
UserProfile ReadUserProfile(PayloadReader& r) {
  UserProfile p;
  p.first_name = r.String("firstName");
  p.last_name = r.String("lastName");
  p.email = r.String("email");
  p.secondary_email = r.OptionalString("secondaryEmail");
  p.phone = r.OptionalString("phone");
  p.mobile_phone = r.OptionalString("mobilePhone");
  p.address = r.OptionalString("address");
  p.city = r.OptionalString("city");
  p.state = r.OptionalString("state");
  p.zip_code = r.OptionalString("zipCode");
  p.country = r.OptionalString("country");
  p.time_zone = r.OptionalString("timeZone");
  p.preferred_language = r.OptionalString("preferredLanguage");
  p.contact_type = r.OptionalString("contactType");
  p.job_title = r.OptionalString("jobTitle");
  p.session_timeout = r.OptionalInt("sessionTimeOut", 0);
  p.additional_authentication = r.OptionalString("additionalAuthentication");
  return p;
}

void WriteNotifications(PayloadWriter& w, const NotificationSettings& n) {
  w.SetBool("enableEmailNotifications", n.enable_email_notifications)
      .SetBool("newUserNotification", n.new_user_notification)
      .SetBool("passwordExpiry", n.password_expiry)
      .SetBool("apiClientCredentialExpiryNotification", n.api_client_credential_expiry_notification)
      .SetStrings("proactive", n.proactive)
      .SetStrings("upgrade", n.upgrade);
}

NotificationSettings ReadNotifications(PayloadReader& r) {
  NotificationSettings n;
  n.enable_email_notifications = r.Bool("enableEmailNotifications");
  n.new_user_notification = r.Bool("newUserNotification");
  n.password_expiry = r.Bool("passwordExpiry");
  n.api_client_credential_expiry_notification = r.Bool("apiClientCredentialExpiryNotification");
  n.proactive = r.Strings("proactive");
  n.upgrade = r.Strings("upgrade");
  return n;
}

void WriteGrants(PayloadWriter& w, const std::vector<AuthGrant>& grants) {
  std::vector<PayloadWriter> items(grants.size());
  for (size_t i = 0; i < grants.size(); ++i) {
    items[i].Set("groupId", grants[i].group_id).Set("roleId", grants[i].role_id).SetBool("isBlocked", grants[i].is_blocked);
  }
  w.SetObjects("grants", items);
}

std::vector<AuthGrant> ReadGrants(PayloadReader& r) {
  std::vector<AuthGrant> grants;
  r.Objects("grants", [&grants](PayloadReader& item) {
    grants.push_back({item.Int("groupId"), item.Int("roleId"), item.Bool("isBlocked")});
  });
  return grants;
}

NewEvent ToNewEvent(const UserCreated& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id).Set("uiUserName", e.ui_user_name);
  WriteUserProfile(w, e.profile);
  return {kUserCreated, 2, w.Finish()};
}

NewEvent ToNewEvent(const UserProfileChanged& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id);
  WriteUserProfile(w, e.profile);
  w.Set("pendingEmail", e.pending_email);
  return {kUserProfileChanged, 1, w.Finish()};
}

NewEvent ToNewEvent(const UserAuthGrantsReplaced& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id);
  WriteGrants(w, e.grants);
  return {kUserAuthGrantsReplaced, 1, w.Finish()};
}

NewEvent ToNewEvent(const UserNotificationsChanged& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id);
  WriteNotifications(w, e.notifications);
  return {kUserNotificationsChanged, 1, w.Finish()};
}

NewEvent ToNewEvent(const UserPasswordSet& e) {
  return {kUserPasswordSet, 2,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("passwordHash", e.password_hash)
              .SetBool("oneTime", e.one_time)
              .Set("expiresOn", e.expires_on_ms)
              .SetBool("mailed", e.mailed)
              .Finish()};
}

NewEvent ToNewEvent(const UserPasswordCheckFailed& e) {
  return {kUserPasswordCheckFailed, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("failures", e.failures).Finish()};
}

NewEvent ToNewEvent(const UserAdditionalAuthenticationSet& e) {
  return {kUserAdditionalAuthenticationSet, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("value", e.value).Finish()};
}

NewEvent ToNewEvent(const UserAdditionalAuthenticationReset& e) {
  return IdOnlyEvent(kUserAdditionalAuthenticationReset, "uiIdentityId", e.ui_identity_id);
}

NewEvent ToNewEvent(const UserBlockedPropertiesReplaced& e) {
  return {kUserBlockedPropertiesReplaced, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("groupId", e.group_id)
              .SetInts("propertyIds", e.property_ids)
              .Finish()};
}

NewEvent ToNewEvent(const UserLocked& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id);
  if (!e.reason.empty()) w.Set("reason", e.reason);
  return {kUserLocked, 1, w.Finish()};
}

NewEvent ToNewEvent(const UserUnlocked& e) { return IdOnlyEvent(kUserUnlocked, "uiIdentityId", e.ui_identity_id); }
NewEvent ToNewEvent(const UserRemoved& e) { return IdOnlyEvent(kUserRemoved, "uiIdentityId", e.ui_identity_id); }

NewEvent ToNewEvent(const UserRegistered& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id).Set("uiUserName", e.ui_user_name);
  WriteUserProfile(w, e.profile);
  w.Set("via", e.via);
  return {kUserRegistered, 1, w.Finish()};
}

NewEvent ToNewEvent(const UserEmailConfirmed& e) {
  return {kUserEmailConfirmed, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("via", e.via).Set("tokenId", e.token_id).Finish()};
}

NewEvent ToNewEvent(const UserAccountDeleted& e) {
  return {kUserAccountDeleted, 1, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("by", e.by).Finish()};
}

Result<UserRegistered> ParseUserRegistered(const Event& e) {
  PayloadReader r(e);
  UserRegistered out{r.String("uiIdentityId"), r.String("uiUserName")};
  out.profile = ReadUserProfile(r);
  out.via = r.String("via");
  return FinishPayload(r, std::move(out));
}

Result<UserEmailConfirmed> ParseUserEmailConfirmed(const Event& e) {
  PayloadReader r(e);
  UserEmailConfirmed out{r.String("uiIdentityId"), r.String("via"), r.String("tokenId")};
  return FinishPayload(r, std::move(out));
}

NewEvent ToNewEvent(const UserErased& e) {
  return {kUserErased, 2,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("userNameDigest", e.user_name_digest)
              .SetStrings("subjects", e.subjects)
              .Finish()};
}

Result<UserErased> ParseUserErased(const Event& e) {
  PayloadReader r(e);
  UserErased out{r.String("uiIdentityId"), r.String("userNameDigest"), r.Strings("subjects")};
  return FinishPayload(r, std::move(out));
}

Result<UserAccountDeleted> ParseUserAccountDeleted(const Event& e) {
  PayloadReader r(e);
  UserAccountDeleted out{r.String("uiIdentityId"), r.String("by")};
  return FinishPayload(r, std::move(out));
}

NewEvent ToNewEvent(const UserPasswordInvalidated& e) {
  return {kUserPasswordInvalidated, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("byUiIdentityId", e.by_ui_identity_id).Finish()};
}

Result<UserPasswordInvalidated> ParseUserPasswordInvalidated(const Event& e) {
  PayloadReader r(e);
  UserPasswordInvalidated out{r.String("uiIdentityId"), r.String("byUiIdentityId")};
  return FinishPayload(r, std::move(out));
}

Result<UserCreated> ParseUserCreated(const Event& e) {
  PayloadReader r(e);
  UserCreated out{r.String("uiIdentityId"), r.String("uiUserName")};
  out.profile = ReadUserProfile(r);
  return FinishPayload(r, std::move(out));
}

Result<UserProfileChanged> ParseUserProfileChanged(const Event& e) {
  PayloadReader r(e);
  UserProfileChanged out{r.String("uiIdentityId")};
  out.profile = ReadUserProfile(r);
  out.pending_email = r.String("pendingEmail");
  return FinishPayload(r, std::move(out));
}

Result<UserAuthGrantsReplaced> ParseUserAuthGrantsReplaced(const Event& e) {
  PayloadReader r(e);
  UserAuthGrantsReplaced out{r.String("uiIdentityId")};
  out.grants = ReadGrants(r);
  return FinishPayload(r, std::move(out));
}

Result<UserNotificationsChanged> ParseUserNotificationsChanged(const Event& e) {
  PayloadReader r(e);
  UserNotificationsChanged out{r.String("uiIdentityId")};
  out.notifications = ReadNotifications(r);
  return FinishPayload(r, std::move(out));
}

Result<UserPasswordSet> ParseUserPasswordSet(const Event& e) {
  PayloadReader r(e);
  // Revision 2: "mailed" is always there (revision 1 is upcast, upcasting.cpp).
  UserPasswordSet out{r.String("uiIdentityId"), r.String("passwordHash"), r.Bool("oneTime"), r.Int("expiresOn"),
                      r.Bool("mailed")};
  return FinishPayload(r, std::move(out));
}

Result<UserPasswordCheckFailed> ParseUserPasswordCheckFailed(const Event& e) {
  PayloadReader r(e);
  UserPasswordCheckFailed out{r.String("uiIdentityId"), r.Int("failures")};
  return FinishPayload(r, std::move(out));
}

Result<UserAdditionalAuthenticationSet> ParseUserAdditionalAuthenticationSet(const Event& e) {
  PayloadReader r(e);
  UserAdditionalAuthenticationSet out{r.String("uiIdentityId"), r.String("value")};
  return FinishPayload(r, std::move(out));
}

Result<UserAdditionalAuthenticationReset> ParseUserAdditionalAuthenticationReset(const Event& e) { return ParseIdOnly<UserAdditionalAuthenticationReset>(e, "uiIdentityId"); }

Result<UserBlockedPropertiesReplaced> ParseUserBlockedPropertiesReplaced(const Event& e) {
  PayloadReader r(e);
  UserBlockedPropertiesReplaced out{r.String("uiIdentityId"), r.Int("groupId"), r.Ints("propertyIds")};
  return FinishPayload(r, std::move(out));
}

Result<UserLocked> ParseUserLocked(const Event& e) {
  PayloadReader r(e);
  UserLocked out{r.String("uiIdentityId"), r.OptionalString("reason")};
  return FinishPayload(r, std::move(out));
}

Result<UserUnlocked> ParseUserUnlocked(const Event& e) { return ParseIdOnly<UserUnlocked>(e, "uiIdentityId"); }

Result<UserRemoved> ParseUserRemoved(const Event& e) { return ParseIdOnly<UserRemoved>(e, "uiIdentityId"); }

}  // namespace iam::events
