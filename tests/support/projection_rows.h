// The rows a projection keeps in the state store: one generation's, as the
// runner files them (`<name>/<generation, 8 digits>/<row key>`). For tests
// only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "events/state_store.h"

namespace iam::testing {

// The rows of `name`'s generation `generation`, keyed without their prefix.
inline std::map<std::string, std::string> RowsOfGeneration(const events::StateStore& state, std::string_view name,
                                                           int64_t generation) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "/%08lld/", static_cast<long long>(generation));
  const std::string prefix = std::string(name) + buffer;
  std::map<std::string, std::string> rows;
  EXPECT_TRUE(state
                  .Scan(prefix,
                        [&](std::string_view key, std::string_view value) {
                          rows.emplace(key.substr(prefix.size()), value);
                          return true;
                        })
                  .ok());
  return rows;
}

}  // namespace iam::testing
