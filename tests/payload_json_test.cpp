// Tests for events/payload_json.h: PayloadReader and PayloadWriter.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "events/payload_json.h"

namespace iam::events {
namespace {

// Readers alive together on one thread (a fold that reads a stored row while
// it reads an event, say) must each keep reading their own document: a later
// parse must not replace an earlier reader's values.
TEST(PayloadReaderTest, ReadersAliveTogetherOnOneThreadKeepTheirOwnDocuments) {
  PayloadReader first(R"({"name":"first","count":1,"flag":true})", "first");
  ASSERT_TRUE(first.status().ok()) << first.status().ToString();
  PayloadReader second(R"({"name":"second","count":2,"flag":false,"extra":"only here"})", "second");
  ASSERT_TRUE(second.status().ok()) << second.status().ToString();

  EXPECT_EQ(first.String("name"), "first");
  EXPECT_EQ(first.Int("count"), 1);
  EXPECT_TRUE(first.Bool("flag"));
  EXPECT_EQ(first.OptionalString("extra", "absent"), "absent");
  EXPECT_TRUE(first.status().ok()) << first.status().ToString();

  EXPECT_EQ(second.String("name"), "second");
  EXPECT_EQ(second.Int("count"), 2);
  EXPECT_FALSE(second.Bool("flag"));
  EXPECT_EQ(second.OptionalString("extra"), "only here");
  EXPECT_TRUE(second.status().ok()) << second.status().ToString();

  // A third, malformed payload parsed meanwhile harms neither.
  PayloadReader broken("[1,2", "broken");
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(first.String("name"), "first");
  EXPECT_EQ(second.String("name"), "second");
}

// Many readers at once, and again after they are gone (parsers are reused):
// every one still reads its own values.
TEST(PayloadReaderTest, ManyReadersAndReuseAfterwards) {
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<PayloadReader>> readers;
    for (int i = 0; i < 10; ++i) {
      const std::string json = PayloadWriter().Set("i", int64_t{i}).Set("s", "v" + std::to_string(i)).Finish();
      readers.push_back(std::make_unique<PayloadReader>(json, "reader " + std::to_string(i)));
    }
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(readers[i]->Int("i"), i) << "round " << round;
      EXPECT_EQ(readers[i]->String("s"), "v" + std::to_string(i)) << "round " << round;
      EXPECT_TRUE(readers[i]->status().ok()) << readers[i]->status().ToString();
    }
  }
}

TEST(PayloadReaderTest, MissingAndMistypedMembersAreCorruptionNamingTheContext) {
  PayloadReader reader(R"({"n":"text"})", "event at position 7 (Thing)");
  EXPECT_EQ(reader.Int("n"), 0);
  EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reader.status().message().find("event at position 7 (Thing)"), std::string::npos);
  EXPECT_NE(reader.status().message().find("'n'"), std::string::npos);
}

}  // namespace
}  // namespace iam::events
