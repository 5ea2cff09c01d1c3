// BuildSorted (projections/sorted_build.h) makes the same map as inserting
// the pairs one by one in the order given.
#include "projections/sorted_build.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace iam::projections {
namespace {

using Pairs = std::vector<std::pair<std::string, int>>;

const Pairs kPairs = {{"m", 1}, {"b", 2}, {"m", 3}, {"a", 4}, {"z", 5}, {"b", 6}, {"m", 7}};

TEST(BuildSorted, AUniqueMapKeepsTheLastPairOfEachKey) {
  std::map<std::string, int, std::less<>> one_by_one;
  for (const auto& [key, value] : kPairs) one_by_one[key] = value;
  std::map<std::string, int, std::less<>> built{{"stale", 0}};
  Pairs pairs = kPairs;
  BuildSorted(built, pairs);
  EXPECT_EQ(built, one_by_one);
  EXPECT_EQ(built.at("m"), 7);
}

TEST(BuildSorted, AMultimapKeepsEqualKeysInTheOrderGiven) {
  std::multimap<std::string, int, std::less<>> one_by_one;
  for (const auto& [key, value] : kPairs) one_by_one.emplace(key, value);
  std::multimap<std::string, int, std::less<>> built{{"stale", 0}};
  Pairs pairs = kPairs;
  BuildSorted(built, pairs);
  ASSERT_EQ(built.size(), one_by_one.size());
  EXPECT_TRUE(std::equal(built.begin(), built.end(), one_by_one.begin()));
  auto [begin, end] = built.equal_range("m");
  std::vector<int> order;
  for (auto it = begin; it != end; ++it) order.push_back(it->second);
  EXPECT_EQ(order, (std::vector<int>{1, 3, 7}));
}

TEST(BuildSorted, NoPairsLeaveAnEmptyMap) {
  std::map<std::string, int, std::less<>> built{{"stale", 0}};
  Pairs none;
  BuildSorted(built, none);
  EXPECT_TRUE(built.empty());
}

}  // namespace
}  // namespace iam::projections
