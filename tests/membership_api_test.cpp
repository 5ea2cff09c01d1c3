// Members and invitations of a workspace (seed-003 #34–#47, #62; rules V-1
// … V-13, M-3 … M-14, W-12, CC-1, CC-3): invitations walked through their
// states on the test clock, acceptance by registration and by a proven
// person, members activated, deactivated, limited and removed, and the
// workspace's tokens following every change at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/clock.h"
#include "events/invitation_events.h"
#include "events/membership_events.h"
#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kPassword;

constexpr const char* kInvite = "/uauth/users/invitations/invite";
constexpr const char* kInviteBulk = "/uauth/users/invitations/invite-bulk";
constexpr const char* kInvitations = "/uauth/users/invitations/";
constexpr const char* kLookup = "/uauth/user/register/invitation/";
constexpr const char* kRegister = "/uauth/user/register";
constexpr const char* kListing = "/uauth/users/listing";
constexpr const char* kUsers = "/uauth/users/";
constexpr const char* kPicker = "/business-profile-service/business-profiles";
constexpr const char* kNewPassword = testing::kInvitedPassword;
constexpr int64_t kManagerRole = 2;

class MembershipApiTest : public testing::TestClockApiTest {
 protected:
  json::object Invitation(const std::string& email, int64_t role = kManagerRole) {
    return {{"email", email}, {"firstName", "Nia"}, {"lastName", "Newcomer"}, {"roleId", role}};
  }
  // A workspace token of `user_token`'s person for the workspace named `guid`.
  api::HttpResponse SelectWorkspace(const std::string& user_token, const std::string& guid) {
    return Post(*client_, "/uauth/auth/login/user/workspace", {{"businessProfileGuid", guid}}, user_token);
  }
  json::value Listing(const std::string& token, const std::string& query = "") {
    auto listed = WithBearer("GET", std::string(kListing) + query, token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.status == 200 ? Body(listed) : json::value(json::object{{"data", json::array{}}});
  }
  // Whether any event's payload holds `text` (T-2: tokens never reach the log).
  bool LogHolds(const std::string& text) {
    uint64_t from = 1;
    for (int page = 0; page < 1000 && from <= storage_->events().Head(); ++page) {
      auto read = storage_->events().ReadAll(from, 500);
      if (!read.ok() || read->empty()) break;
      for (const auto& e : *read) {
        if (e.payload.find(text) != std::string::npos) return true;
      }
      from = read->back().position + 1;
    }
    return false;
  }
  api::HttpResponse PostJson(const std::string& path, const json::object& body, const std::string& token) {
    return Post(*client_, path, body, token);
  }
};

TEST_F(MembershipApiTest, AnInvitationIsAcceptedByRegisteringWithItsToken) {
  const std::string admin = WorkspaceToken(UserToken());
  auto invited = PostJson(kInvite, Invitation("Nia@Example.com"), admin);
  ASSERT_EQ(invited.status, 201) << invited.body;
  ExpectEventDetailHeaders(invited);
  const json::value result = Body(invited);
  EXPECT_EQ(result.at("outcome").as_string(), "INVITED");
  EXPECT_EQ(result.at("status").as_string(), "PENDING");
  EXPECT_EQ(result.at("email").as_string(), "nia@example.com");
  EXPECT_TRUE(result.at("userId").is_null());
  const int64_t invitation_id = result.at("invitationId").as_int64();
  EXPECT_EQ(invited.Header("Location"), std::string(kInvitations) + std::to_string(invitation_id));

  // V-3: one pending invitation per address.
  ExpectUauthProblem(PostJson(kInvite, Invitation("nia@example.com"), admin), 409, "INV-0409");

  const json::value listed = Listing(admin, "?status=PENDING");
  ASSERT_EQ(listed.at("data").as_array().size(), 1u) << listed;
  const json::value& row = listed.at("data").as_array().at(0);
  EXPECT_TRUE(row.at("userId").is_null());
  EXPECT_EQ(row.at("invitationId").as_int64(), invitation_id);
  EXPECT_EQ(row.at("roleName").as_string(), "Manager");

  const std::string token = InvitationToken("nia@example.com");
  ASSERT_EQ(token.size(), 43u);
  EXPECT_FALSE(LogHolds(token));  // T-2: only its hash is stored
  auto looked_up = Send(*client_, "GET", kLookup + token, "", "");
  ASSERT_EQ(looked_up.status, 200) << looked_up.body;
  EXPECT_EQ(looked_up.Header("Cache-Control"), "no-store");
  EXPECT_FALSE(Body(looked_up).at("accountExists").as_bool());
  EXPECT_EQ(Body(looked_up).at("invitedBy").at("lastName").as_string(), "Administrator");

  ExpectUauthProblem(RegisterInvited("someone.else@example.com", token), 400, "ACC-0002");
  auto registered = RegisterInvited("nia@example.com", token);
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_EQ(Body(registered).at("status").as_string(), "ACTIVE");
  const int64_t user_id = Body(registered).at("userId").as_int64();

  // The token is spent (T-6); the invitation row gave way to the member's.
  ExpectUauthProblem(Send(*client_, "GET", kLookup + token, "", ""), 410, "TOK-0410");
  const json::value members = Listing(admin, "?search=nia");
  ASSERT_EQ(members.at("data").as_array().size(), 1u) << members;
  EXPECT_EQ(members.at("data").at(0).at("userId").as_int64(), user_id);
  EXPECT_EQ(members.at("data").at(0).at("status").as_string(), "ACTIVE");
  EXPECT_EQ(members.at("data").at(0).at("accountType").as_string(), "GUEST");

  // The new member signs in and gets a workspace token with the role of the invitation.
  const std::string user_token = UserTokenOf("nia@example.com");
  auto picker = WithBearer("GET", kPicker, user_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value workspaces = Body(picker);
  ASSERT_EQ(workspaces.at("data").as_array().size(), 1u);
  EXPECT_EQ(workspaces.at("data").at(0).at("roleId").as_int64(), kManagerRole);
  EXPECT_EQ(workspaces.at("data").at(0).at("accessState").as_string(), "ALLOWED");
  EXPECT_FALSE(WorkspaceToken(user_token).empty());
  EXPECT_EQ(CountEvents(events::kInvitationAccepted), 1);
  EXPECT_EQ(CountEvents(events::kUserAddedToWorkspace), 1);
}

TEST_F(MembershipApiTest, APersonWhoProvedTheAddressIsAddedAtOnceAndSeesBothWorkspaces) {
  const std::string admin_a = WorkspaceToken(UserToken());
  InvitedMember(admin_a, "nia@example.com");
  // A second workspace invites the same, proven person: a member at once (V-4).
  std::string b_email;
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B", &b_email);
  ASSERT_FALSE(admin_b.empty());
  auto added = PostJson(kInvite, Invitation("nia@example.com"), admin_b);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Body(added).at("outcome").as_string(), "ADDED");
  EXPECT_EQ(Body(added).at("status").as_string(), "ACTIVE");
  EXPECT_FALSE(Body(added).at("userId").is_null());
  // CC-3: a second invitation of a member is a conflict.
  ExpectUauthProblem(PostJson(kInvite, Invitation("nia@example.com"), admin_b), 409, "INV-0409");

  auto picker = WithBearer("GET", kPicker, UserTokenOf("nia@example.com"));
  ASSERT_EQ(picker.status, 200) << picker.body;
  EXPECT_EQ(Body(picker).at("meta").at("totalCount").as_int64(), 2);
  // Another workspace's member is 404 here (X-2).
  const int64_t b_user = Body(added).at("userId").as_int64();
  const json::value a_members = Listing(admin_a);
  for (const auto& row : a_members.at("data").as_array()) {
    if (row.at("email").as_string() == b_email) ADD_FAILURE() << "B's administrator is listed in A";
  }
  ExpectUauthProblem(WithBearer("GET", kUsers + std::to_string(b_user + 1000), admin_b), 404, "USR-0404");
}

TEST_F(MembershipApiTest, InvitationsAreRejectedUpdatedResentAndDeleted) {
  const std::string admin = WorkspaceToken(UserToken());
  auto invited = PostJson(kInvite, Invitation("rex@example.com"), admin);
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string id = std::to_string(Body(invited).at("invitationId").as_int64());
  const std::string first_token = InvitationToken("rex@example.com");

  // Resend: a new token; the first one is superseded (V-10, T-4).
  auto resent = PostJson(kInvitations + id, {{"resend", true}, {"roleId", 3}}, admin);
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(Body(resent).at("sendCount").as_int64(), 2);
  EXPECT_EQ(Body(resent).at("roleName").as_string(), "Support");
  ExpectUauthProblem(Send(*client_, "GET", kLookup + first_token, "", ""), 410, "TOK-0410");
  const std::string token = InvitationToken("rex@example.com");
  ASSERT_NE(token, first_token);

  // The invitee declines: REJECTED is final (V-12).
  auto rejected = Send(*client_, "POST", kLookup + token + "/reject", "", "");
  ASSERT_EQ(rejected.status, 204) << rejected.body;
  ExpectUauthProblem(Send(*client_, "POST", kLookup + token + "/reject", "", ""), 410, "TOK-0410");
  EXPECT_EQ(Listing(admin, "?status=REJECTED").at("data").as_array().size(), 1u);
  ExpectUauthProblem(PostJson(kInvitations + id, {{"firstName", "Rexa"}}, admin), 409, "INV-0002");

  // A new invitation supersedes the rejected one (V-3); deletion is all or nothing (V-9).
  auto again = PostJson(kInvite, Invitation("rex@example.com"), admin);
  ASSERT_EQ(again.status, 201) << again.body;
  const std::string new_id = std::to_string(Body(again).at("invitationId").as_int64());
  ExpectUauthProblem(WithBearer("DELETE", kInvitations + new_id + ",999999", admin), 404, "INV-0404");
  EXPECT_EQ(Listing(admin, "?status=PENDING").at("data").as_array().size(), 1u);
  auto deleted = WithBearer("DELETE", kInvitations + new_id, admin);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Listing(admin, "?status=PENDING,REJECTED,EXPIRED").at("data").as_array().size(), 0u);
  ExpectUauthProblem(Send(*client_, "GET", kLookup + InvitationToken("rex@example.com"), "", ""), 410, "TOK-0410");
}

TEST_F(MembershipApiTest, AnInvitationLapsesByTheClockAndAResendRevivesIt) {
  const std::string admin = WorkspaceToken(UserToken());
  auto invited = PostJson(kInvite, Invitation("lapse@example.com"), admin);
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string id = std::to_string(Body(invited).at("invitationId").as_int64());
  const std::string token = InvitationToken("lapse@example.com");
  Advance(7 * 24 * 3600 + 1);
  // The token dies at once (V-13), whenever the scheduler records the lapse.
  ExpectUauthProblem(Send(*client_, "GET", kLookup + token, "", ""), 410, "TOK-0410");
  const std::string admin_now = WorkspaceToken(UserToken());
  const json::value listed = Listing(admin_now, "?status=EXPIRED");
  ASSERT_EQ(listed.at("data").as_array().size(), 1u) << listed;
  EXPECT_TRUE(listed.at("data").at(0).at("userId").is_null());
  Tick();  // the advance woke the scheduler too: the lapse is recorded by now
  EXPECT_EQ(Tick()["invitation-lapse"], 0);  // CC-14: recorded once
  EXPECT_EQ(CountEvents(events::kInvitationExpired), 1);
  EXPECT_EQ(Listing(admin_now, "?status=EXPIRED").at("data").as_array().size(), 1u);
  auto resent = PostJson(kInvitations + id, {{"resend", true}}, admin_now);
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(Body(resent).at("status").as_string(), "PENDING");
  EXPECT_EQ(Send(*client_, "GET", kLookup + InvitationToken("lapse@example.com"), "", "").status, 200);
}

TEST_F(MembershipApiTest, BulkInvitationsApplyEachItemOnItsOwn) {
  const std::string admin = WorkspaceToken(UserToken());
  json::array items{Invitation("one@example.com"), Invitation("two@example.com"), Invitation("one@example.com"),
                    Invitation("three@example.com", 99)};
  auto bulk = PostJson(kInviteBulk, {{"invitations", items}}, admin);
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  const json::value results = Body(bulk);
  ASSERT_EQ(results.at("results").as_array().size(), 4u);
  EXPECT_EQ(results.at("results").at(0).at("outcome").as_string(), "INVITED");
  EXPECT_EQ(results.at("results").at(1).at("outcome").as_string(), "INVITED");
  EXPECT_EQ(results.at("results").at(2).at("outcome").as_string(), "FAILED");
  EXPECT_EQ(results.at("results").at(2).at("error").at("errorCode").as_string(), "INV-0409");
  EXPECT_EQ(results.at("results").at(3).at("error").at("errorCode").as_string(), "INV-0001");
  EXPECT_EQ(CountEvents(events::kInvitationCreated), 2);
  ExpectUauthProblem(PostJson(kInviteBulk, {{"invitations", json::array{}}}, admin), 400, "GEN-0400");
}

TEST_F(MembershipApiTest, DeactivationEndsTheMembersWorkspaceTokensAtOnceAndActivationRestoresIt) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin, "dee@example.com");
  const std::string member_token = MemberWorkspaceToken("dee@example.com");
  ASSERT_EQ(WithBearer("GET", "/uauth/users/available-roles", member_token).status, 200);
  const json::object ids{{"userIds", json::array{member}}};
  ASSERT_EQ(PostJson("/uauth/users/deactivate", ids, admin).status, 204);
  ASSERT_EQ(PostJson("/uauth/users/deactivate", ids, admin).status, 204);  // idempotent (M-8)
  EXPECT_EQ(CountEvents(events::kUserWorkspaceMembershipDeactivated), 1);
  ExpectUauthProblem(WithBearer("GET", "/uauth/users/available-roles", member_token), 401, "GEN-0401");
  auto picker = WithBearer("GET", kPicker, UserTokenOf("dee@example.com"));
  ASSERT_EQ(picker.status, 200);
  EXPECT_EQ(Body(picker).at("data").at(0).at("accessState").as_string(), "DEACTIVATED");
  EXPECT_EQ(Body(picker).at("data").at(0).at("membershipStatus").as_string(), "DEACTIVATED");
  ASSERT_EQ(PostJson("/uauth/users/activate", ids, admin).status, 204);
  EXPECT_FALSE(MemberWorkspaceToken("dee@example.com").empty());

  // Never oneself; an unknown id changes nothing (all or nothing).
  auto self = Body(WithBearer("GET", std::string(kListing) + "?search=admin%40iamd", admin));
  const int64_t admin_id = self.at("data").at(0).at("userId").as_int64();
  ExpectUauthProblem(PostJson("/uauth/users/deactivate", {{"userIds", json::array{admin_id}}}, admin), 400, "USR-0001");
  ExpectUauthProblem(PostJson("/uauth/users/deactivate", {{"userIds", json::array{member, 999999}}}, admin), 404,
                     "USR-0404");
  EXPECT_EQ(CountEvents(events::kUserWorkspaceMembershipDeactivated), 1);
}

TEST_F(MembershipApiTest, AccessExpiresByTheClockAndTheSchedulerRecordsItOnce) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin, "temp@example.com");
  ExpectUauthProblem(
      Send(*client_, "PUT", kUsers + std::to_string(member) + "/access-time",
           json::serialize(json::object{{"accessExpiresAt", "2000-01-01T00:00:00Z"}}), admin),
      400, "USR-0005");
  const int64_t now = *ParseTimestampMillis(ClockNow());
  auto limited = Send(*client_, "PUT", kUsers + std::to_string(member) + "/access-time",
                      json::serialize(json::object{{"accessExpiresAt", FormatTimestampMillis(now + 3600 * 1000)}}), admin);
  ASSERT_EQ(limited.status, 200) << limited.body;
  EXPECT_EQ(Body(limited).at("status").as_string(), "ACTIVE");
  const std::string member_token = MemberWorkspaceToken("temp@example.com");
  Advance(3601);
  // CC-15: the clock decides at once, before the scheduler records anything.
  ExpectUauthProblem(WithBearer("GET", "/uauth/users/available-roles", member_token), 401, "GEN-0401");
  auto picker = WithBearer("GET", kPicker, UserTokenOf("temp@example.com"));
  ASSERT_EQ(picker.status, 200);
  EXPECT_EQ(Body(picker).at("data").at(0).at("accessState").as_string(), "ACCESS_EXPIRED");
  EXPECT_EQ(Body(picker).at("data").at(0).at("membershipStatus").as_string(), "EXPIRED");
  Tick();  // the advance woke the scheduler too: the expiry is recorded by now
  EXPECT_EQ(Tick()["access-expiry"], 0);
  EXPECT_EQ(CountEvents(events::kUserWorkspaceAccessExpired), 1);
  auto unlimited = Send(*client_, "PUT", kUsers + std::to_string(member) + "/access-time",
                        json::serialize(json::object{{"accessExpiresAt", nullptr}}), WorkspaceToken(UserToken()));
  ASSERT_EQ(unlimited.status, 200) << unlimited.body;
  EXPECT_EQ(Body(unlimited).at("status").as_string(), "ACTIVE");
  EXPECT_FALSE(MemberWorkspaceToken("temp@example.com").empty());
}

TEST_F(MembershipApiTest, RolesChangeByWhatTheCallerMayAssignAndTheLastAdministratorStays) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t manager = InvitedMember(admin, "manager@example.com");
  const int64_t second_admin = InvitedMember(admin, "second.admin@example.com", 1);
  const int64_t support = InvitedMember(admin, "support@example.com", 3);
  // R-9: a manager assigns every role but PROFILE_ADMIN.
  const std::string manager_token = MemberWorkspaceToken("manager@example.com");
  auto roles = WithBearer("GET", "/uauth/users/available-roles", manager_token);
  ASSERT_EQ(roles.status, 200) << roles.body;
  EXPECT_EQ(Body(roles).at("data").as_array().size(), 2u);
  ExpectUauthProblem(PostJson(kUsers + std::to_string(support), {{"roleId", 1}}, manager_token), 403, "INV-0003");
  ExpectUauthProblem(PostJson(kUsers + std::to_string(support), {{"roleId", 77}}, admin), 400, "INV-0001");
  ExpectUauthProblem(PostJson(kUsers + std::to_string(manager), {{"roleId", 3}}, manager_token), 400, "USR-0001");
  auto updated = PostJson(kUsers + std::to_string(manager), {{"roleId", 3}, {"firstName", "Mana"}}, admin);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Body(updated).at("roleName").as_string(), "Support");
  EXPECT_EQ(Body(updated).at("firstName").as_string(), "Mana");  // their only workspace administers them (W-13 (b))
  EXPECT_FALSE(updated.Header("ETag").empty());

  // M-14: the second administrator, once limited in time, cannot limit the
  // bootstrap administrator, the last unlimited one.
  const int64_t now = *ParseTimestampMillis(ClockNow());
  const std::string later = FormatTimestampMillis(now + 24 * 3600 * 1000);
  ASSERT_EQ(Send(*client_, "PUT", kUsers + std::to_string(second_admin) + "/access-time",
                 json::serialize(json::object{{"accessExpiresAt", later}}), admin)
                .status,
            200);
  const std::string second_token = MemberWorkspaceToken("second.admin@example.com");
  auto self = Body(WithBearer("GET", std::string(kListing) + "?search=admin%40iamd", admin));
  const int64_t admin_id = self.at("data").at(0).at("userId").as_int64();
  ExpectUauthProblem(Send(*client_, "PUT", kUsers + std::to_string(admin_id) + "/access-time",
                          json::serialize(json::object{{"accessExpiresAt", later}}), second_token),
                     409, "USR-0409");
  ExpectUauthProblem(PostJson("/uauth/users/deactivate", {{"userIds", json::array{admin_id}}}, second_token), 409,
                     "USR-0409");
}

TEST_F(MembershipApiTest, RemovingTheLastMembershipDeletesThePerson) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin, "gone@example.com");
  const std::string member_token = MemberWorkspaceToken("gone@example.com");
  ExpectUauthProblem(WithBearer("DELETE", std::string(kUsers) + "profile-association/" + std::to_string(member) + ",999999",
                                admin),
                     404, "USR-0404");
  auto removed = WithBearer("DELETE", std::string(kUsers) + "profile-association/" + std::to_string(member), admin);
  ASSERT_EQ(removed.status, 204) << removed.body;
  ExpectEventDetailHeaders(removed);
  ExpectUauthProblem(WithBearer("GET", "/uauth/users/available-roles", member_token), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kUsers + std::to_string(member), admin), 404, "USR-0404");
  EXPECT_EQ(SignIn(*client_, "gone@example.com", kNewPassword).status, 401);  // W-19: the person is deleted
  EXPECT_EQ(CountEvents(events::kUserRemovedFromWorkspace), 1);
}

TEST_F(MembershipApiTest, AMemberWithoutAWorkspaceRoleHoldsNoPermission) {
  const std::string admin = WorkspaceToken(UserToken());
  CreateMember("v3.only@example.com");  // made through v3: no workspace role (W-15)
  const std::string token = WorkspaceToken(UserTokenOf("v3.only@example.com", kPassword));
  ExpectUauthProblem(WithBearer("GET", kListing, token), 403, "GEN-0403");
  // The v3-made member is listed here with no role (W-12).
  const json::value listed = Listing(admin, "?search=v3.only");
  ASSERT_EQ(listed.at("data").as_array().size(), 1u);
  EXPECT_TRUE(listed.at("data").at(0).at("roleId").is_null());
}

// V-11 through a reset (A-7), then W-19 across both APIs: a v3 delete ends
// the membership in that account only, and the person keeps the other.
TEST_F(MembershipApiTest, AResetAcceptsAPendingInvitationAndAV3DeleteEndsOnlyThatMembership) {
  const std::string mia = CreateMember("mia@example.com");  // made through v3 in the first account: unproven
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B");
  ASSERT_FALSE(admin_b.empty());
  // V-4: an unproven address is invited, not added.
  auto invited = PostJson(kInvite, Invitation("mia@example.com"), admin_b);
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(Body(invited).at("outcome").as_string(), "INVITED");
  // A-7: the reset proves the address and accepts the invitation (V-11).
  ASSERT_EQ(Post(*client_, "/uauth/password-reset/request", {{"email", "mia@example.com"}}).status, 200);
  uint64_t seen = 0;
  const std::string reset = MailedTo("mia@example.com", R"(/reset-password/([A-Za-z0-9_-]{43}))", &seen);
  ASSERT_EQ(reset.size(), 43u);
  auto confirmed = Post(*client_, "/uauth/password-reset/confirmation", {{"token", reset}, {"newPassword", kNewPassword}});
  ASSERT_EQ(confirmed.status, 204) << confirmed.body;
  EXPECT_EQ(CountEvents(events::kInvitationAccepted), 1);
  auto both = WithBearer("GET", kPicker, UserTokenOf("mia@example.com"));
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(Body(both).at("meta").at("totalCount").as_int64(), 2);

  // The first account deletes mia through v3: only that membership ends.
  auto deleted = client_->Send("DELETE", "/identity-management/v3/user-admin/ui-identities/" + mia);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  auto left = WithBearer("GET", kPicker, UserTokenOf("mia@example.com"));
  ASSERT_EQ(left.status, 200) << left.body;
  const json::value remaining = Body(left);
  ASSERT_EQ(remaining.at("meta").at("totalCount").as_int64(), 1);
  EXPECT_EQ(remaining.at("data").at(0).at("name").as_string(), "Workspace B");
  EXPECT_EQ(client_->Send("GET", "/identity-management/v3/user-admin/ui-identities/" + mia).status, 404);
  const json::value a_members = Listing(WorkspaceToken(UserToken()), "?search=mia");
  EXPECT_TRUE(a_members.at("data").as_array().empty()) << a_members;
}

// X-2: another workspace's member and invitation ids are 404 on every
// member and invitation route, and change nothing.
TEST_F(MembershipApiTest, AnotherWorkspacesIdsAreNotFound) {
  const std::string admin_a = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin_a, "kept@example.com");
  auto invited = PostJson(kInvite, Invitation("waiting@example.com"), admin_a);
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string invitation = std::to_string(Body(invited).at("invitationId").as_int64());
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B");
  ASSERT_FALSE(admin_b.empty());
  const std::string id = std::to_string(member);
  const json::object ids{{"userIds", json::array{member}}};
  ExpectUauthProblem(WithBearer("GET", kUsers + id, admin_b), 404, "USR-0404");
  ExpectUauthProblem(PostJson(kUsers + id, {{"roleId", 3}}, admin_b), 404, "USR-0404");
  ExpectUauthProblem(PostJson("/uauth/users/deactivate", ids, admin_b), 404, "USR-0404");
  ExpectUauthProblem(PostJson("/uauth/users/activate", ids, admin_b), 404, "USR-0404");
  ExpectUauthProblem(Send(*client_, "PUT", kUsers + id + "/access-time",
                          json::serialize(json::object{{"accessExpiresAt", nullptr}}), admin_b),
                     404, "USR-0404");
  ExpectUauthProblem(WithBearer("DELETE", std::string(kUsers) + "profile-association/" + id, admin_b), 404, "USR-0404");
  ExpectUauthProblem(PostJson(kInvitations + invitation, {{"resend", true}}, admin_b), 404, "INV-0404");
  ExpectUauthProblem(WithBearer("DELETE", kInvitations + invitation, admin_b), 404, "INV-0404");
  EXPECT_TRUE(Listing(admin_b, "?search=example.com").at("data").as_array().empty());
  // A's member and invitation are as they were.
  auto kept = WithBearer("GET", kUsers + id, admin_a);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(Body(kept).at("status").as_string(), "ACTIVE");
  EXPECT_EQ(Body(kept).at("roleId").as_int64(), kManagerRole);
  EXPECT_EQ(Listing(admin_a, "?status=PENDING").at("data").as_array().size(), 1u);
}

// CC-3: of 24 parallel invitations of one proven person, one makes the
// membership; the rest find a member.
TEST_F(MembershipApiTest, ParallelInvitationsOfAProvenPersonMakeOneMembership) {
  const std::string admin_a = WorkspaceToken(UserToken());
  InvitedMember(admin_a, "proven@example.com");  // proves the address by registering
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B");
  ASSERT_FALSE(admin_b.empty());
  const int before = CountEvents(events::kUserAddedToWorkspace);
  constexpr int kRacers = 24;
  std::atomic<int> added{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([this, &added, &conflicts, &admin_b, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      auto answer = Post(client, kInvite, Invitation("proven@example.com"), admin_b);
      if (answer.status == 201) added.fetch_add(1);
      if (answer.status == 409) conflicts.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(added.load(), 1);
  EXPECT_EQ(conflicts.load(), kRacers - 1);
  EXPECT_EQ(CountEvents(events::kUserAddedToWorkspace), before + 1);
}

// CC-7, T-3: of 24 racing uses of one invitation token, half rejections and
// half registrations, one wins; every other answers 410.
TEST_F(MembershipApiTest, RacingUsesOfOneInvitationTokenHaveOneWinner) {
  const std::string admin = WorkspaceToken(UserToken());
  ASSERT_EQ(PostJson(kInvite, Invitation("racer@example.com"), admin).status, 201);
  const std::string token = InvitationToken("racer@example.com");
  constexpr int kRacers = 24;
  std::vector<int> statuses(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([this, &statuses, &token, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      statuses[i] = i % 2 ? Send(client, "POST", kLookup + token + "/reject", "", "").status
                          : Post(client, kRegister,
                                 {{"email", "racer@example.com"}, {"password", kNewPassword}, {"firstName", "Ra"},
                                  {"lastName", "Cer"}, {"invitationToken", token}})
                                .status;
    });
  }
  for (auto& racer : racers) racer.join();
  const auto wins = std::count(statuses.begin(), statuses.end(), 204) + std::count(statuses.begin(), statuses.end(), 201);
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 410), kRacers - 1);
  EXPECT_EQ(CountEvents(events::kInvitationAccepted) + CountEvents(events::kInvitationRejected), 1);
}

// CC-1, W-12: a person made through v3 in a workspace that has invited
// their address leaves no pending invitation for a member behind.
// W-12: the account's v3 ui-identities are its memberships. A member who
// joined through an invitation is listed and readable there, without Akamai
// grants, may not be edited (their identity belongs elsewhere), and a v3
// delete removes them from the workspace too (W-19: it was their last
// membership, so the person ends).
TEST_F(MembershipApiTest, AnInvitedMemberIsAV3IdentityWithoutGrantsThatAV3DeleteRemoves) {
  const std::string admin = WorkspaceToken(UserToken());
  ASSERT_NE(InvitedMember(admin, "guest@example.com"), 0);
  const std::string base = "/identity-management/v3/user-admin/ui-identities";
  auto listed = client_->Send("GET", base + "?authGrants=true");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ExpectConformsToV3(listed, "/user-admin/ui-identities", "get");
  std::string guest;
  const json::value users = Body(listed);
  for (const json::value& user : users.as_array()) {
    if (user.at("email").as_string() == "guest@example.com") guest = std::string(user.at("uiIdentityId").as_string());
  }
  ASSERT_FALSE(guest.empty()) << listed.body;
  auto read = client_->Send("GET", base + "/" + guest + "?authGrants=true&actions=true");
  ASSERT_EQ(read.status, 200) << read.body;
  ExpectConformsToV3(read, "/user-admin/ui-identities/{uiIdentityId}", "get");
  const json::value shown = Body(read);
  EXPECT_FALSE(shown.as_object().contains("authGrants")) << read.body;
  EXPECT_FALSE(shown.at("actions").at("edit").as_bool()) << read.body;
  const json::value own = Body(client_->Send("GET", base + "/" + CreateMember("own@example.com")));
  EXPECT_EQ(shown.at("accountId"), own.at("accountId"));

  // Their identity is not this account's to change.
  const json::object info{{"firstName", "Renamed"},         {"lastName", "Guest"},       {"country", "USA"},
                          {"preferredLanguage", "English"}, {"sessionTimeOut", 1800}, {"timeZone", "GMT"}};
  ExpectProblem(client_->SendJson("PUT", base + "/" + guest + "/basic-info", json::serialize(info)), 403, "");
  ExpectProblem(client_->Send("POST", base + "/" + guest + "/lock"), 403, "");

  auto removed = client_->Send("DELETE", base + "/" + guest);
  ASSERT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(client_->Send("GET", base + "/" + guest).status, 404);
  const json::value members = Listing(admin, "?search=guest");
  EXPECT_TRUE(members.at("data").as_array().empty()) << members;
  EXPECT_EQ(CountEvents(events::kUserRemovedFromWorkspace), 1);
  EXPECT_EQ(CountEvents("UserAccountDeleted"), 1);
  EXPECT_EQ(SignIn(*client_, "guest@example.com", kNewPassword).status, 401);
}

TEST_F(MembershipApiTest, AV3CreateOfAnInvitedAddressSupersedesTheInvitation) {
  const std::string admin = WorkspaceToken(UserToken());
  ASSERT_EQ(PostJson(kInvite, Invitation("both@example.com"), admin).status, 201);
  const std::string token = InvitationToken("both@example.com");
  CreateMember("both@example.com");
  const json::value listed = Listing(admin, "?search=both");
  ASSERT_EQ(listed.at("data").as_array().size(), 1u) << listed;
  EXPECT_FALSE(listed.at("data").at(0).at("userId").is_null());
  ExpectUauthProblem(Send(*client_, "GET", kLookup + token, "", ""), 410, "TOK-0410");
}

// CC-1: of 24 parallel invitations of one address, one creates it.
TEST_F(MembershipApiTest, ParallelInvitationsOfOneAddressMakeOnePendingInvitation) {
  const std::string admin = WorkspaceToken(UserToken());
  constexpr int kRacers = 24;
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([this, &created, &conflicts, &admin, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      auto answer = Post(client, kInvite, Invitation("race@example.com"), admin);
      if (answer.status == 201) created.fetch_add(1);
      if (answer.status == 409) conflicts.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), kRacers - 1);
  EXPECT_EQ(CountEvents(events::kInvitationCreated), 1);
}

class OpenRegistrationMembershipApiTest : public MembershipApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    MembershipApiTest::Configure(config);
    config.self_registration = "open";
  }
};

// CC-2 across surfaces: of racing self-registrations and v3 creates of one
// address, exactly one makes a person; the registrations that lose answer as
// for a taken address (202 and a notice) and the v3 creates that lose 400.
TEST_F(OpenRegistrationMembershipApiTest, RacingRegistrationsAndV3CreatesOfOneAddressMakeOnePerson) {
  constexpr int kRacers = 24;
  const json::object registration{{"email", "contested@example.com"}, {"password", kNewPassword},
                                  {"firstName", "Nia"}, {"lastName", "Newcomer"}};
  const std::string create = json::serialize(NewMemberBody("contested@example.com"));
  const int created_before = CountEvents("UserCreated");
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> registrations_answered{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      if (i % 2 == 0) {
        const auto answer = Post(client, kRegister, registration);
        EXPECT_EQ(answer.status, 202) << answer.body;
        if (answer.status == 202) registrations_answered.fetch_add(1);
        return;
      }
      const int status = client.SendJson("POST", "/identity-management/v3/user-admin/ui-identities", create).status;
      if (status == 201) created.fetch_add(1);
      if (status == 400) refused.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(registrations_answered.load(), kRacers / 2);
  EXPECT_EQ(created.load() + refused.load(), kRacers / 2);
  EXPECT_EQ(CountEvents("UserCreated") - created_before, created.load());
  EXPECT_EQ(created.load() + CountEvents(events::kUserRegistered), 1);
}

// CC-13: racing bulk removals of overlapping pairs of members are each all
// or nothing: the pairs that succeed are disjoint, exactly their members
// are gone, and every refused pair lost a member to a winner.
TEST_F(MembershipApiTest, RacingBulkRemovalsAreEachAllOrNothing) {
  const std::string admin = WorkspaceToken(UserToken());
  constexpr int kMembers = 6;
  constexpr int kRacers = 24;
  std::vector<int64_t> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(InvitedMember(admin, "bulk" + std::to_string(i) + "@example.com"));
    ASSERT_NE(members.back(), 0);
  }
  auto pair_of = [&](int racer) {
    return std::pair<int64_t, int64_t>{members[racer % kMembers], members[(racer + 1) % kMembers]};
  };
  std::vector<int> statuses(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);
      const auto [first, second] = pair_of(i);
      statuses[i] = Send(client, "DELETE",
                         std::string(kUsers) + "profile-association/" + std::to_string(first) + "," +
                             std::to_string(second),
                         "", admin)
                        .status;
    });
  }
  for (auto& racer : racers) racer.join();
  std::set<int64_t> removed_by_winners;
  int winners = 0;
  for (int i = 0; i < kRacers; ++i) {
    if (statuses[i] != 204) continue;
    ++winners;
    const auto [first, second] = pair_of(i);
    EXPECT_TRUE(removed_by_winners.insert(first).second) << "two winners removed " << first;
    EXPECT_TRUE(removed_by_winners.insert(second).second) << "two winners removed " << second;
  }
  EXPECT_GE(winners, 1);
  for (int i = 0; i < kRacers; ++i) {
    if (statuses[i] == 204) continue;
    EXPECT_EQ(statuses[i], 404) << "racer " << i;
    const auto [first, second] = pair_of(i);
    EXPECT_TRUE(removed_by_winners.count(first) || removed_by_winners.count(second)) << "racer " << i;
  }
  EXPECT_EQ(CountEvents(events::kUserRemovedFromWorkspace), 2 * winners);
  for (int64_t member : members) {
    const int status = WithBearer("GET", kUsers + std::to_string(member), admin).status;
    EXPECT_EQ(status, removed_by_winners.count(member) ? 404 : 200) << member;
  }
}

// CC-14: the scheduler records an expiry only while it still holds at write
// time. 24 members' access ends as the clock passes it and the scheduler
// runs, while each member is given unlimited access again: in log order no
// expiry is recorded after its membership was extended, each is recorded at
// most once, and nothing is left to record.
TEST_F(MembershipApiTest, RacingExtensionsAndTheSchedulerNeverRecordALiftedExpiry) {
  const std::string admin = WorkspaceToken(UserToken());
  constexpr int kMembers = 24;
  const int64_t start = *ParseTimestampMillis(ClockNow());
  const int64_t ends = start + 60 * 1000;
  std::vector<int64_t> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(InvitedMember(admin, "expiring" + std::to_string(i) + "@example.com"));
    ASSERT_NE(members.back(), 0);
    auto limited = Send(*client_, "PUT", kUsers + std::to_string(members.back()) + "/access-time",
                        json::serialize(json::object{{"accessExpiresAt", FormatTimestampMillis(ends)}}), admin);
    ASSERT_EQ(limited.status, 200) << limited.body;
  }
  std::vector<std::thread> racers;
  std::atomic<int> extended{0};
  for (int64_t member : members) {
    racers.emplace_back([&, member, address = server_->address()] {
      testing::SignedClient client(address, credential_);
      auto lifted = Send(client, "PUT", kUsers + std::to_string(member) + "/access-time",
                         json::serialize(json::object{{"accessExpiresAt", nullptr}}), admin);
      if (lifted.status == 200) extended.fetch_add(1);
    });
  }
  Advance(61);  // wakes the scheduler while the extensions run
  Tick();
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(extended.load(), kMembers);
  EXPECT_EQ(Tick()["access-expiry"], 0);

  std::map<std::string, int64_t> expiry_of;  // membership -> its access end, 0 = unlimited
  std::map<std::string, int> recorded;
  uint64_t from = 1;
  for (int page = 0; page < 1000 && from <= storage_->events().Head(); ++page) {
    auto read = storage_->events().ReadAll(from, 500);
    ASSERT_TRUE(read.ok());
    if (read->empty()) break;
    for (const auto& e : *read) {
      if (e.event_type != events::kUserWorkspaceAccessTimeChanged &&
          e.event_type != events::kUserWorkspaceAccessExpired) {
        continue;
      }
      const json::value payload = json::parse(e.payload);
      const int64_t access_end = payload.at("accessExpiresAt").to_number<int64_t>();
      if (e.event_type == events::kUserWorkspaceAccessTimeChanged) {
        expiry_of[e.aggregate_id] = access_end;
        continue;
      }
      EXPECT_EQ(++recorded[e.aggregate_id], 1) << e.aggregate_id;
      EXPECT_EQ(expiry_of[e.aggregate_id], ends) << "recorded after the extension: " << e.aggregate_id;
      EXPECT_EQ(access_end, ends) << e.aggregate_id;
    }
    from = read->back().position + 1;
  }
  for (int64_t member : members) {
    auto shown = WithBearer("GET", kUsers + std::to_string(member), admin);
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(Body(shown).at("status").as_string(), "ACTIVE") << shown.body;
  }
}

// W-12, U-7, A-3: a one-time password mailed by v3 (sendEmail, the
// default) reaches only the address, so signing in with it proves the
// address and accepts what awaits it (V-11). A password shown in the answer
// proves nothing.
TEST_F(MembershipApiTest, SigningInWithAMailedOneTimePasswordProvesTheAddress) {
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B");
  ASSERT_FALSE(admin_b.empty());
  const std::string users = "/identity-management/v3/user-admin/ui-identities";
  auto created = client_->SendJson("POST", users, json::serialize(NewMemberBody("otp@example.com")));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(Body(created).as_object().contains("newPassword")) << created.body;
  uint64_t seen = 0;
  const std::string password = MailedTo("otp@example.com", R"(\n    (\S+)\r?\n)", &seen);
  ASSERT_FALSE(password.empty());
  auto invited = PostJson(kInvite, Invitation("otp@example.com"), admin_b);
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(Body(invited).at("outcome").as_string(), "INVITED");  // V-4: not proven yet
  EXPECT_FALSE(LogHolds(password));
  ASSERT_EQ(SignIn(*client_, "otp@example.com", password).status, 200);
  EXPECT_EQ(CountEvents("UserEmailConfirmed"), 1);
  EXPECT_EQ(CountEvents(events::kInvitationAccepted), 1);
  auto picker = WithBearer("GET", kPicker, UserTokenOf("otp@example.com", password));
  ASSERT_EQ(picker.status, 200) << picker.body;
  EXPECT_EQ(Body(picker).at("meta").at("totalCount").as_int64(), 2);

  // A reset mails a new one-time password (A-3); shown ones prove nothing.
  auto shown = client_->SendJson("POST", users + "?sendEmail=false", json::serialize(NewMemberBody("shown@example.com")));
  ASSERT_EQ(shown.status, 201) << shown.body;
  const std::string shown_password(Body(shown).at("newPassword").as_string());
  ASSERT_EQ(SignIn(*client_, "shown@example.com", shown_password).status, 200);
  EXPECT_EQ(CountEvents("UserEmailConfirmed"), 1);
  const std::string shown_id(Body(shown).at("uiIdentityId").as_string());
  ASSERT_EQ(client_->Send("POST", users + "/" + shown_id + "/reset-password").status, 204);
  const std::string reset = MailedTo("shown@example.com", R"(\n    (\S+)\r?\n)", &seen);
  ASSERT_FALSE(reset.empty());
  ASSERT_EQ(SignIn(*client_, "shown@example.com", reset).status, 200);
  EXPECT_EQ(CountEvents("UserEmailConfirmed"), 2);
}

}  // namespace
}  // namespace iam
