// `iamctl accounts create [--name NAME] [--managed]`: a further account, made by the
// running server (POST /admin/v1/accounts) so it is an event like every
// mutation; prints the new administrator's credential as an .edgerc section
// to append to the caller's .edgerc. The secret appears nowhere else.
#include <boost/json.hpp>

#include <cstdio>
#include <string>

#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {

int RunAccountsCreate(const AccountsCreateOptions& options) {
  constexpr const char* kWhat = "iamctl accounts create";
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  if (!*found) {
    std::fprintf(stderr, "%s: no server runs on %s: accounts are created through it\n", kWhat, options.data_dir.c_str());
    return kExitFailed;
  }
  boost::json::object body;
  if (!options.name.empty()) body["accountName"] = options.name;
  if (options.managed) body["managed"] = true;
  auto response = (*found)->Send("POST", "/admin/v1/accounts", boost::json::serialize(body));
  if (!response.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, response.status().ToString().c_str());
    return kExitFailed;
  }
  if (response->status != 201) {
    std::fprintf(stderr, "%s: %s\n", kWhat, DescribeErrorResponse(*response).c_str());
    return kExitFailed;
  }
  boost::system::error_code ec;
  const boost::json::value answer = boost::json::parse(response->body, ec);
  const auto* object = ec ? nullptr : answer.if_object();
  const auto* edgerc = object ? object->if_contains("edgerc") : nullptr;
  if (!edgerc || !edgerc->is_string()) {
    std::fprintf(stderr, "%s: the server's answer holds no credential\n", kWhat);
    return kExitFailed;
  }
  std::fprintf(stderr, "account %s created; its administrator's credential follows (shown this once)\n",
               std::string(object->at("accountId").as_string()).c_str());
  std::fputs(std::string(edgerc->as_string()).c_str(), stdout);
  return kExitOk;
}

}  // namespace iam::tools
