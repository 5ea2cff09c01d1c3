// AppendWithMails: an append of one event that sends mails, for the outbox
// and mail delivery tests. For tests only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "events/event_store.h"

namespace iam::testing {

// One event on the stream user/`user_id` (expecting `expected_version`)
// with `mails`.
inline events::AppendRequest AppendWithMails(std::string user_id, uint64_t expected_version,
                                             std::vector<events::OutboxMail> mails, std::string payload = "{}") {
  events::StreamAppend stream{"user", std::move(user_id), expected_version, "1-ACCT", "tester", "req-1",
                              {{"PasswordResetRequested", 1, std::move(payload)}}};
  return events::AppendRequest{{std::move(stream)}, "", "", 0, std::move(mails)};
}

}  // namespace iam::testing
