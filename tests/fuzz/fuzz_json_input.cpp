// libFuzzer target: the JSON object reader every request body goes through
// (both surfaces), with the accessors the handlers use.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto reader = iam::api::JsonObjectReader::Parse(body);
  if (!reader.ok()) return 0;
  (void)reader->OnlyMembers({"groupName", "firstName", "email", "authGrants", "password"});
  (void)reader->RequiredString("groupName");
  (void)reader->RequiredString("email");
  (void)reader->RequiredStrings("emails");
  (void)reader->RequiredIntegers("groupIds", 0);
  (void)reader->RequiredBool("isLocked");
  (void)reader->NullableInstant("expiresOn");
  auto grants = reader->RequiredObjects("authGrants");
  if (grants.ok()) {
    for (const auto& grant : *grants) {
      (void)grant.RequiredInteger("groupId", 0);
      (void)grant.RequiredObjects("subGroups");
    }
  }
  return 0;
}
