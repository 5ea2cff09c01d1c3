// Hostile bodies through the whole server (the bad-input part of the
// reliability issue): JSON nested 10,000 deep, invalid UTF-8, bodies that are
// not objects, on both surfaces. Each gets a clear 4xx problem, nothing is
// written, and the server keeps serving.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

using testing::kGroups;

class HostileInputApiTest : public testing::UauthApiTest {
 protected:
  uint64_t Head() { return storage_->events().Head(); }
};

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(HostileInputApiTest, DeeplyNestedJsonIsRefusedWithoutHarm) {
  const std::string top = std::to_string(TopGroupId());
  const uint64_t before = Head();
  const std::string arrays = Nested(10000);
  const std::string objects = [] {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += "{\"a\":";
    text += "1";
    text += std::string(10000, '}');
    return text;
  }();
  for (const std::string* body : {&arrays, &objects}) {
    ExpectProblem(client_->SendJson("POST", std::string(kGroups) + "/" + top, *body), 400, "/1002");
    const std::string member = "{\"groupName\":" + *body + "}";
    ExpectProblem(client_->SendJson("POST", std::string(kGroups) + "/" + top, member), 400, "/1002");
    auto sign_in = Send(*client_, "POST", testing::kSignIn, member, "");
    EXPECT_EQ(sign_in.status, 400) << sign_in.body.substr(0, 200);
  }
  EXPECT_EQ(Head(), before) << "a refused body appends nothing";
  EXPECT_EQ(client_->Send("GET", kGroups).status, 200) << "the server still serves";
}

TEST_F(HostileInputApiTest, InvalidUtf8IsRefused) {
  const std::string top = std::to_string(TopGroupId());
  const uint64_t before = Head();
  for (const std::string& bad : {std::string("\xff\xfe"), std::string("\xc3\x28"), std::string("\xed\xa0\x80"),
                                std::string("\xf4\x90\x80\x80"), std::string("a\xc0\xafz")}) {
    const std::string body = "{\"groupName\":\"x" + bad + "\"}";
    ExpectProblem(client_->SendJson("POST", std::string(kGroups) + "/" + top, body), 400, "/1002");
    auto sign_in = Send(*client_, "POST", testing::kSignIn,
                        "{\"username\":\"a" + bad + "@iamd.example\",\"password\":\"x\"}", "");
    EXPECT_EQ(sign_in.status, 400) << sign_in.body;
  }
  EXPECT_EQ(Head(), before);
}

TEST_F(HostileInputApiTest, BodiesThatAreNotObjectsAreRefused) {
  const std::string top = std::to_string(TopGroupId());
  for (const char* body : {"", "null", "[]", "\"groupName\"", "1e999999", "{\"groupName\":\"a\"", "{\"groupName\":1}",
                           "{\"groupName\":\"a\",\"groupName\":\"b\"}", "{\"groupName\":\"a\"} trailing"}) {
    auto response = client_->SendJson("POST", std::string(kGroups) + "/" + top, body);
    EXPECT_EQ(response.status, 400) << "body " << body << ": " << response.body;
  }
}

}  // namespace
}  // namespace iam
