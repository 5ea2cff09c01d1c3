// `iamctl allowlist disable [--account ID]`: the way back in when an
// account's IP allowlist admits no address its administrators can reach
// (iam-rules.md §8 keeps clients from locking themselves out, but networks
// change under a list). It works on a stopped data directory only: whoever
// may stop the server and write its data directory holds every key anyway,
// and the running server keeps enforcing the list it serves. The list is
// switched off by the same command and event (AllowlistDisabled) the API
// uses, attributed to "iamctl"; its blocks stay.
#include <cstdio>
#include <string>

#include "commands/allowlist_commands.h"
#include "commands/offline_node.h"
#include "projections/identity_read_models.h"
#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {

int RunAllowlistDisable(const AllowlistOptions& options) {
  constexpr const char* kWhat = "iamctl allowlist disable";
  auto server = ServerClient::ForDataDir(options.data_dir);
  if (server.ok() && *server) {
    auto health = (*server)->Send("GET", "/healthz", "");
    if (health.ok()) {
      std::fprintf(stderr,
                   "%s: a server runs on %s: stop it first (a client the allowlist admits can instead POST "
                   "/identity-management/v3/user-admin/ip-acl/allowlist/disable)\n",
                   kWhat, options.data_dir.c_str());
      return kExitFailed;
    }
  }
  auto opened = OpenStoreWritable(options.data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: cannot open the store (is the server still running?): %s\n", kWhat,
                 opened.status().ToString().c_str());
    return kExitStoreError;
  }
  auto node = commands::OfflineNode::Start(**opened);
  if (!node.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, node.status().ToString().c_str());
    return kExitStoreError;
  }
  auto accounts = (*node)->runner().LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  if (!accounts) {
    std::fprintf(stderr, "%s: the accounts read model does not serve\n", kWhat);
    return kExitStoreError;
  }
  const auto accounts_version = accounts->Published();
  const std::vector<std::string> ids = accounts_version->AccountIds();
  std::string account = options.account_id;
  if (account.empty()) {
    if (ids.size() != 1) {
      std::fprintf(stderr, "%s: the data directory serves %zu accounts: name one with --account\n", kWhat, ids.size());
      return kExitFailed;
    }
    account = ids.front();
  } else if (!accounts_version->FindAccount(account)) {
    std::fprintf(stderr, "%s: there is no account %s\n", kWhat, account.c_str());
    return kExitFailed;
  }
  commands::CommandContext context;
  context.account_id = account;
  context.actor = "iamctl";
  context.request_id = "iamctl-allowlist-disable";
  auto outcome = (*node)->processor().Execute(std::make_unique<commands::DisableAllowlist>(), context);
  if (!outcome.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, outcome.status().ToString().c_str());
    return kExitFailed;
  }
  if (outcome->sequence == 0) {
    std::printf("the allowlist of account %s is off already\n", account.c_str());
  } else {
    std::printf("the allowlist of account %s is off (recorded at position %llu); its blocks are kept\n",
                account.c_str(), static_cast<unsigned long long>(outcome->sequence));
  }
  return kExitOk;
}

}  // namespace iam::tools
