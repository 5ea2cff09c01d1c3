// BuildSorted: an ordered map or multimap built at once from (key, value)
// pairs, for read models restoring their indexes from rows. Stateless.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace iam::projections {

// Makes `map` what inserting `pairs` one by one in the given order would
// make it: in a unique map a later pair replaces an earlier one with its
// key; a multimap keeps equal keys in the order given. The pairs are sorted
// first (stably) and each goes in at the end in constant time, where
// inserting in the given order searched the tree for every pair. Consumes
// `pairs`' keys.
template <typename Map, typename Value>
void BuildSorted(Map& map, std::vector<std::pair<std::string, Value>>& pairs) {
  // Only maps with unique keys can assign to a key.
  constexpr bool unique = requires(Map& m, std::string key, Value value) { m.insert_or_assign(key, value); };
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  map.clear();
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (unique && i + 1 < pairs.size() && pairs[i + 1].first == pairs[i].first) continue;
    map.emplace_hint(map.end(), std::move(pairs[i].first), std::move(pairs[i].second));
  }
}

}  // namespace iam::projections
