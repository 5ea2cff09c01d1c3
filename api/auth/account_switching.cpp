#include "api/auth/account_switching.h"

#include <algorithm>
#include <cctype>

namespace iam::api {
namespace {

bool ContainsIgnoringCase(std::string_view text, std::string_view part) {
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(text.begin(), text.end(), part.begin(), part.end(), same) != text.end();
}

}  // namespace

std::vector<const projections::AccountRecord*> AccountSwitchTargets(const projections::ApiClientRecord& client,
                                                                    const projections::AccountDirectory& accounts) {
  if (!client.definition.allow_account_switch) return {};
  return accounts.ManagedBy(client.account_id);
}

Result<std::string> ResolveAccountSwitchKey(const projections::ApiClientRecord& client,
                                            const projections::AccountDirectory& accounts, std::string_view key) {
  for (const projections::AccountRecord* account : AccountSwitchTargets(client, accounts)) {
    if (account->account_id == key) return account->account_id;
  }
  return Status::PermissionDenied("this API client may not use account switch key " + std::string(key))
      .WithReason(1001);
}

bool MatchesSwitchKeySearch(const projections::AccountRecord& account, std::string_view search) {
  return ContainsIgnoringCase(account.account_id, search) || ContainsIgnoringCase(account.account_name, search);
}

bool IsCallerSelfOperation(std::string_view path) {
  constexpr std::string_view kSelfClient = "/identity-management/v3/api-clients/self";
  constexpr std::string_view kProfile = "/identity-management/v3/user-profile";
  auto under = [path](std::string_view prefix) {
    return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
  };
  return under(kSelfClient) || under(kProfile);
}

}  // namespace iam::api
