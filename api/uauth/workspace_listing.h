// The lists of workspaces on the workspace surface (seed-003 W-1, W-5,
// W-10): #1 (the caller's workspaces) and #2, #3 (their organization's)
// show a workspace alike and page, sort and search alike:
// - a workspace IS an account (W-10): its guid is the account id's
//   name-based UUID, its hash the guid's last 16 hex digits, its subdomain
//   the account id in lower case, and it has no logo yet;
// - `page` (1 to 1,000,000, default 1), `limit` (1 to 100, default 20),
//   `sortBy` NAME:ASC (default), NAME:DESC, CREATED:ASC or CREATED:DESC
//   with ties broken by guid, and `search`, a case-insensitive substring
//   of the name or the subdomain (1 to 100 characters); a page past the end
//   is empty and still carries the true totalCount.
//
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/query_params.h"
#include "events/status.h"
#include "projections/account_directory.h"

namespace iam::api {

// W-1: what the lists and the workspace token show of a workspace.
struct WorkspaceView {
  std::string account_id;
  std::string guid;
  std::string name;
  std::string subdomain;
  int64_t created_ms = 0;
};

WorkspaceView WorkspaceOfAccount(const projections::AccountRecord& account);

// Adds the members every workspace item of the contract shows: `guid`,
// `hash`, `name`, `subdomain` and `logo`.
void AddWorkspaceIdentity(boost::json::object& item, const WorkspaceView& workspace);

// W-5: one page of a workspace list, as its query asks.
struct WorkspaceListQuery {
  int64_t page = 1;
  int64_t limit = 20;
  bool by_name = true;
  bool descending = false;
  std::string search;  // lower-cased; "" = no search

  // Whether `workspace` passes the search.
  bool Matches(const WorkspaceView& workspace) const;
  // Whether `a` comes before `b` in the asked order (ties by guid).
  bool Before(const WorkspaceView& a, const WorkspaceView& b) const;

  // Sorts `rows` in the asked order; `workspace_of(row)` gives a row's WorkspaceView.
  template <typename Row, typename WorkspaceOf>
  void Sort(std::vector<Row>& rows, WorkspaceOf workspace_of) const {
    std::sort(rows.begin(), rows.end(),
              [&](const Row& a, const Row& b) { return Before(workspace_of(a), workspace_of(b)); });
  }

  // The index of the page's first row, and one past its last, in `total` rows.
  size_t First(size_t total) const;
  size_t End(size_t total) const;
};

// The page, limit, sortBy and search parameters of `query`.
// kInvalidArgument naming the parameter that is malformed.
Result<WorkspaceListQuery> ParseWorkspaceListQuery(const QueryParams& query);

// The body {"data": data, "meta": {"page", "limit", "totalCount": total}}.
std::string WorkspacePageBody(boost::json::array data, const WorkspaceListQuery& query, size_t total);

}  // namespace iam::api
