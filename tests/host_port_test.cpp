// HOST:PORT parsing shared by --listen, server.address and the test clients.
#include <gtest/gtest.h>

#include "api/http/host_port.h"

namespace iam::api {
namespace {

TEST(HostPort, ParsesNamesIpv4AndBracketedIpv6) {
  auto v4 = ParseHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:8080");
  auto v6 = ParseHostPort(" [::1]:8443\n");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:8443");
  EXPECT_EQ(ParseHostPort("localhost:1")->host, "localhost");
}

TEST(HostPort, RefusesMalformedAddresses) {
  for (const char* bad : {"", "8080", ":8080", "host:", "host:65536", "host:8o80", "::1:8080", "[::1]8080",
                          "[]:80", "host:0"}) {
    EXPECT_EQ(ParseHostPort(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(ParseHostPort("127.0.0.1:0", /*allow_port_zero=*/true).ok());
}

TEST(HostPort, KnowsLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.8.9.10"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
}

}  // namespace
}  // namespace iam::api
