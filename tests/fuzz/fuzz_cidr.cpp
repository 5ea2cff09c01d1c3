// libFuzzer target: CIDR and IP address parsing (allowlists, IP ACLs,
// trusted proxies): any text is a network, an address or an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "commands/cidr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto network = iam::commands::ParseCidr(iam::commands::TrimCidrText(text));
  auto address = iam::commands::ParseIpAddress(text);
  if (network.ok()) {
    (void)iam::commands::Contains(*network, text);
    if (address.ok()) (void)iam::commands::Contains(*network, *address);
  }
  return 0;
}
