// libFuzzer target: the router's path matching (percent-decoding of path
// parameters) and the query-string parser. The first byte picks the method.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/query_params.h"
#include "api/router.h"

namespace {
const iam::api::Router& Routes() {
  static const iam::api::Router router = [] {
    iam::api::Router r;
    const std::string base = "/identity-management/v3/user-admin";
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      r.Add(method, base + "/groups/{groupId}", [](std::shared_ptr<iam::api::ApiCall>) {});
      r.Add(method, base + "/ui-identities/{uiIdentityId}/groups/{groupId}/blocked-properties",
            [](std::shared_ptr<iam::api::ApiCall>) {});
    }
    r.Add("POST", base + "/groups/move", [](std::shared_ptr<iam::api::ApiCall>) {});
    r.Add("GET", base + "/groups", [](std::shared_ptr<iam::api::ApiCall>) {});
    return r;
  }();
  return router;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  const char* method = kMethods[data[0] % 5];
  const std::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  auto match = Routes().Find(method, path);
  if (match.outcome == iam::api::Router::Outcome::kMatched) {
    for (std::string_view name : {"groupId", "uiIdentityId"}) (void)match.params.Get(name);
  }
  if (question != std::string_view::npos) {
    auto query = iam::api::QueryParams::Parse(target.substr(question + 1));
    if (query.ok()) {
      for (std::string_view name : query->Names()) (void)query->GetBool(name, false);
    }
  }
  return 0;
}
