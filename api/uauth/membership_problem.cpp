#include "api/uauth/membership_problem.h"

#include <string>

#include "api/uauth/reason_problem.h"
#include "api/uauth/uauth_problem.h"
#include "commands/invitation_commands.h"
#include "commands/membership_commands.h"
#include "commands/own_account_commands.h"
#include "commands/user_commands.h"

namespace iam::api {
namespace {

constexpr ReasonRefusal kRefusals[] = {
    {commands::kUnknownRole, 400, "unknown-role", "INV-0001"},
    {commands::kRoleNotAssignable, 403, "role-not-assignable", "INV-0003"},
    {commands::kAccessExpiryPast, 400, "access-expiry-in-the-past", "USR-0005"},
    {commands::kInvitationConflict, 409, "conflict", "INV-0409"},
    {commands::kInvitationRejected, 409, "invitation-rejected", "INV-0002"},
    {commands::kUnknownInvitation, 404, "invitation-not-found", "INV-0404"},
    {commands::kNotOnOneself, 400, "not-on-oneself", "USR-0001"},
    {commands::kNotAdministered, 403, "person-not-administered", "USR-0002"},
    {commands::kExternalIdentityProvider, 403, "external-identity-provider", "USR-0003"},
    {commands::kNamesNotAdministered, 403, "names-not-administered", "USR-0004"},
    {commands::kNotAMember, 404, "user-not-found", "USR-0404"},
    {commands::kUserOwnsApiClient, 400, "owns-api-client", "USR-0006"},
    {commands::kLastAdministrator, 409, "last-administrator", "USR-0409"},
};

}  // namespace

HttpResponse MembershipProblem(std::string_view instance, const Status& status) {
  if (status.reason() == commands::kTokenUnknown || status.reason() == commands::kTokenGone) {
    return MailedTokenRefusal(instance, status);
  }
  return ReasonProblem(kRefusals, instance, status);
}

}  // namespace iam::api
