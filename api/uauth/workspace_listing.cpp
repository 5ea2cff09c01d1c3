#include "api/uauth/workspace_listing.h"

#include <boost/json.hpp>

#include <tuple>

#include "commands/workspace_guid.h"

namespace iam::api {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

Result<int64_t> PositiveQueryInt(const QueryParams& query, std::string_view name, int64_t fallback, int64_t maximum) {
  auto text = query.Get(name);
  if (!text) return fallback;
  const Status refused =
      Status::InvalidArgument(std::string(name) + " must be 1 to " + std::to_string(maximum));
  int64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || value > maximum) return refused;
    value = value * 10 + (c - '0');
  }
  if (text->empty() || value < 1 || value > maximum) return refused;
  return value;
}

}  // namespace

WorkspaceView WorkspaceOfAccount(const projections::AccountRecord& account) {
  return WorkspaceView{account.account_id, commands::WorkspaceGuid(account.account_id), account.account_name,
                       Lower(account.account_id), account.created_ms};
}

void AddWorkspaceIdentity(boost::json::object& item, const WorkspaceView& workspace) {
  item["guid"] = workspace.guid;
  item["hash"] = workspace.guid.substr(24);
  item["name"] = workspace.name;
  item["subdomain"] = workspace.subdomain;
  item["logo"] = nullptr;
}

bool WorkspaceListQuery::Matches(const WorkspaceView& workspace) const {
  return search.empty() || Lower(workspace.name).find(search) != std::string::npos ||
         workspace.subdomain.find(search) != std::string::npos;
}

bool WorkspaceListQuery::Before(const WorkspaceView& a, const WorkspaceView& b) const {
  const auto key_a = by_name ? std::make_pair(Lower(a.name), int64_t{0}) : std::make_pair(std::string(), a.created_ms);
  const auto key_b = by_name ? std::make_pair(Lower(b.name), int64_t{0}) : std::make_pair(std::string(), b.created_ms);
  if (key_a != key_b) return descending ? key_b < key_a : key_a < key_b;
  return a.guid < b.guid;
}

size_t WorkspaceListQuery::First(size_t total) const {
  return std::min(total, static_cast<size_t>((page - 1) * limit));
}

size_t WorkspaceListQuery::End(size_t total) const {
  return std::min(total, First(total) + static_cast<size_t>(limit));
}

Result<WorkspaceListQuery> ParseWorkspaceListQuery(const QueryParams& query) {
  WorkspaceListQuery out;
  auto page = PositiveQueryInt(query, "page", 1, 1000000);
  if (!page.ok()) return page.status();
  auto limit = PositiveQueryInt(query, "limit", 20, 100);
  if (!limit.ok()) return limit.status();
  out.page = *page;
  out.limit = *limit;
  const std::string sort_by(query.Get("sortBy").value_or("NAME:ASC"));
  if (sort_by != "NAME:ASC" && sort_by != "NAME:DESC" && sort_by != "CREATED:ASC" && sort_by != "CREATED:DESC") {
    return Status::InvalidArgument("sortBy must be NAME:ASC, NAME:DESC, CREATED:ASC or CREATED:DESC");
  }
  out.by_name = sort_by.starts_with("NAME");
  out.descending = sort_by.ends_with("DESC");
  if (const auto search = query.Get("search")) {
    if (search->empty() || search->size() > 100) return Status::InvalidArgument("search must be 1 to 100 characters");
    out.search = Lower(*search);
  }
  return out;
}

std::string WorkspacePageBody(boost::json::array data, const WorkspaceListQuery& query, size_t total) {
  return boost::json::serialize(boost::json::object{
      {"data", std::move(data)},
      {"meta", boost::json::object{{"page", query.page}, {"limit", query.limit},
                                   {"totalCount", static_cast<int64_t>(total)}}}});
}

}  // namespace iam::api
