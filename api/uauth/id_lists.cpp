#include "api/uauth/id_lists.h"

#include <limits>
#include <set>
#include <string>

namespace iam::api {

Result<std::vector<int64_t>> ParseIdList(std::string_view text) {
  constexpr size_t kMaxIds = 100;
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (item.empty() || item.size() > 19 || item.front() == '0') {
      return Status::InvalidArgument("ids must be 1 to 100 comma-separated positive integers");
    }
    int64_t value = 0;
    for (char c : item) {
      if (c < '0' || c > '9' || value > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
        return Status::InvalidArgument("ids must be 1 to 100 comma-separated positive integers");
      }
      value = value * 10 + (c - '0');
    }
    if (!seen.insert(value).second) return Status::InvalidArgument("id " + std::to_string(value) + " appears twice");
    ids.push_back(value);
    if (ids.size() > kMaxIds) return Status::InvalidArgument("at most 100 ids at once");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ids;
}

}  // namespace iam::api
