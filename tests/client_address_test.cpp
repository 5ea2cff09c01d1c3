// The client address behind trusted proxies (seed-003 TO-9, iam-rules I-12).
#include <gtest/gtest.h>

#include "api/client_address.h"

namespace iam {
namespace {

std::vector<commands::CidrNetwork> Proxies(std::initializer_list<const char*> blocks) {
  std::vector<commands::CidrNetwork> networks;
  for (const char* block : blocks) networks.push_back(commands::ParseCidr(block).value());
  return networks;
}

TEST(ClientAddress, ATrustedPeersHeaderNamesTheRightmostUntrustedHop) {
  const auto proxies = Proxies({"127.0.0.1/32", "10.0.0.0/8"});
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "192.0.2.7", proxies), "192.0.2.7");
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "203.0.113.5, 192.0.2.7, 10.1.2.3", proxies), "192.0.2.7");
  EXPECT_EQ(api::ClientAddress("127.0.0.1", " 2001:db8::1 ", proxies), "2001:db8::1");
}

TEST(ClientAddress, AnyOtherPeerIsTheClientWhateverItSends) {
  const auto proxies = Proxies({"127.0.0.1/32"});
  EXPECT_EQ(api::ClientAddress("192.0.2.50", "198.51.100.1", proxies), "192.0.2.50");
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "", proxies), "127.0.0.1");
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "192.0.2.7", {}), "127.0.0.1");
}

TEST(ClientAddress, AnEntryThatIsNoAddressEndsTheWalk) {
  const auto proxies = Proxies({"127.0.0.1/32", "10.0.0.0/8"});
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "192.0.2.7, unknown", proxies), "127.0.0.1");
  EXPECT_EQ(api::ClientAddress("127.0.0.1", "forged, 10.0.0.9", proxies), "10.0.0.9");
}

}  // namespace
}  // namespace iam
