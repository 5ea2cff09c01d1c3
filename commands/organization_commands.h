// Commands of organizations (seed-003 W-1, W-4, §15 item 11): the operator
// API (/admin/v1/organizations…) makes organizations and puts workspaces
// (accounts, W-10) and organization users (persons, W-11) in them. The
// rules that span organizations (a workspace in at most one, a person a
// user of at most one) are decided here, in the single writer, against the
// state of that moment, so racing requests cannot both pass them.
//
// Refusals (Status::reason()):
//   kOrganizationBadName          kInvalidArgument    name empty, blank or over 100 characters     400
//   kOrganizationBadGroupId       kInvalidArgument    businessProfileGroupId malformed             400
//   kOrganizationUnknown          kNotFound           no organization has that id                  404
//   kOrganizationWorkspaceUnknown kNotFound           no account (workspace) has that id           404
//   kOrganizationWorkspaceTaken   kFailedPrecondition the workspace is in another organization     409
//   kOrganizationWorkspaceNotHere kNotFound           the workspace is not in this organization    404
//   kOrganizationPersonUnknown    kNotFound           no person has that uiIdentityId or e-mail    404
//   kOrganizationPersonTaken      kFailedPrecondition the person is a user of another organization 409
//   kOrganizationPersonNotHere    kNotFound           the person is no user of this organization   404
// A change to what already holds (a workspace put again with its group, a
// user added again) decides no events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "commands/command.h"

namespace iam::commands {

inline constexpr int kOrganizationBadName = 1;
inline constexpr int kOrganizationBadGroupId = 2;
inline constexpr int kOrganizationUnknown = 3;
inline constexpr int kOrganizationWorkspaceUnknown = 4;
inline constexpr int kOrganizationWorkspaceTaken = 5;
inline constexpr int kOrganizationWorkspaceNotHere = 6;
inline constexpr int kOrganizationPersonUnknown = 7;
inline constexpr int kOrganizationPersonTaken = 8;
inline constexpr int kOrganizationPersonNotHere = 9;

// An organization's name: 1 to 100 characters (code points), not only
// white space, no control characters. kInvalidArgument (kOrganizationBadName).
Status ValidateOrganizationName(std::string_view name);

// A workspace's businessProfileGroupId within its organization: 1 to 64
// characters of ASCII letters, digits, '.', '_' and '-' (the contract's
// BusinessProfileGroupId parameter). kInvalidArgument (kOrganizationBadGroupId).
Status ValidateBusinessProfileGroupId(std::string_view group_id);

// Makes organization `name` with the next id (Decision::created_id).
// Refusal: kOrganizationBadName.
class CreateOrganization final : public Command {
 public:
  explicit CreateOrganization(std::string name) : name_(std::move(name)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string name_;
};

// Puts workspace `account_id` into organization `organization_id` with
// `group_id` (nullopt = none): adds it, or changes its group when it is
// there with another. Refusals: kOrganizationBadGroupId, kOrganizationUnknown,
// kOrganizationWorkspaceUnknown, kOrganizationWorkspaceTaken.
class PutOrganizationWorkspace final : public Command {
 public:
  PutOrganizationWorkspace(int64_t organization_id, std::string account_id, std::optional<std::string> group_id)
      : organization_id_(organization_id), account_id_(std::move(account_id)), group_id_(std::move(group_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t organization_id_;
  std::string account_id_;
  std::optional<std::string> group_id_;
};

// Takes workspace `account_id` out of organization `organization_id`.
// Refusals: kOrganizationUnknown, kOrganizationWorkspaceNotHere.
class RemoveOrganizationWorkspace final : public Command {
 public:
  RemoveOrganizationWorkspace(int64_t organization_id, std::string account_id)
      : organization_id_(organization_id), account_id_(std::move(account_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t organization_id_;
  std::string account_id_;
};

// Who an organization user is: an existing person by exactly one of their
// uiIdentityId or their e-mail address (compared ignoring ASCII case; one
// person per address, CC-2).
struct PersonReference {
  std::string ui_identity_id;
  std::string email;
};

// Makes the person `person` names a user of organization `organization_id`.
// Refusals: kOrganizationUnknown, kOrganizationPersonUnknown,
// kOrganizationPersonTaken.
class AddOrganizationUser final : public Command {
 public:
  AddOrganizationUser(int64_t organization_id, PersonReference person)
      : organization_id_(organization_id), person_(std::move(person)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t organization_id_;
  PersonReference person_;
};

// Ends the organization access of person `ui_identity_id` (their workspace
// memberships stay: the two are independent, W-1). Refusals:
// kOrganizationUnknown, kOrganizationPersonNotHere.
class RemoveOrganizationUser final : public Command {
 public:
  RemoveOrganizationUser(int64_t organization_id, std::string ui_identity_id)
      : organization_id_(organization_id), ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t organization_id_;
  std::string ui_identity_id_;
};

}  // namespace iam::commands
