#include "api/idempotency.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "api/auth/sha256.h"
#include "events/clock.h"
#include "events/expiring_rows.h"
#include "events/payload_json.h"
#include "events/personal_data.h"

namespace iam::api {
namespace {

// Response headers a replay repeats; the rest are per delivery (X-Request-Id, Date, …).
constexpr std::array<std::string_view, 6> kReplayedHeaders = {
    "Content-Type",         "Location",           "X-Iam-Sequence", "X-Iam-Resource-Owner",
    "X-Iam-Creation-Date", "X-Iam-Change-Date"};

// The draft leaves the key's syntax to the server: 1–255 visible ASCII characters.
bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string HexSha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const EVP_MD* sha = Sha256Digest();
  EVP_Digest(data.data(), data.size(), md, &length, sha != nullptr ? sha : EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

// Method, target and body: what makes a repeat "the same request".
std::string Fingerprint(const HttpRequest& request) {
  return request.method + " " + request.target + " " + HexSha256(request.body);
}

std::string EncodeResponse(const std::string& fingerprint, const HttpResponse& response) {
  events::PayloadWriter writer;
  writer.Set("fingerprint", fingerprint).Set("status", static_cast<int64_t>(response.status)).Set("body", response.body);
  for (std::string_view name : kReplayedHeaders) {
    if (auto value = response.Header(name); !value.empty()) writer.Set(name, value);
  }
  return writer.Finish();
}

}  // namespace

IdempotencyGuard::IdempotencyGuard(const events::EventStore& events, events::StateStore& state, Options options)
    : events_(events), state_(state), options_(options) {}

// An expiring row (events/expiring_rows.h): the engine drops it after the retention.
std::string IdempotencyGuard::ResponseKey(const std::string& scoped_key) {
  return std::string(events::kExpiringRowPrefix) + "idempotent-response/" + scoped_key;
}

// Expiring too, with its response: "<prefix><subject>\n<scoped key>". No
// subject holds a line feed (ids, "invitation/<id>").
std::string IdempotencyGuard::SubjectPrefix(std::string_view subject) {
  return std::string(events::kExpiringRowPrefix) + "idempotent-subject/" + std::string(subject) + '\n';
}

Result<std::vector<std::string>> IdempotencyGuard::SubjectsOf(const std::string& scoped_key) const {
  auto record = events_.FindIdempotencyRecord(scoped_key);
  if (!record.ok()) return record.status();
  std::vector<std::string> subjects;
  if (!record->has_value()) return Status::NotFound("the idempotency record is gone");
  const events::AppendResult& appended = (*record)->result;
  if (appended.first_position == 0 || appended.last_position < appended.first_position) return subjects;
  auto appended_events = events_.ReadAll(appended.first_position, appended.last_position - appended.first_position + 1);
  if (!appended_events.ok()) return appended_events.status();
  for (const events::Event& e : *appended_events) {
    auto concerned = events::SubjectsConcerned(e);
    if (!concerned.ok()) return concerned.status();
    for (std::string& subject : *concerned) {
      if (std::find(subjects.begin(), subjects.end(), subject) == subjects.end()) subjects.push_back(std::move(subject));
    }
  }
  return subjects;
}

IdempotencyGuard::Decision IdempotencyGuard::Begin(std::string_view client_id, std::string_view key,
                                                   const HttpRequest& request) {
  using Kind = Decision::Kind;
  Decision decision;
  if (!ValidKey(key)) {
    decision.kind = Kind::kInvalid;
    decision.detail = "Idempotency-Key must be 1 to 255 visible ASCII characters";
    return decision;
  }
  decision.scoped_key = std::string(client_id) + '\n' + std::string(key);
  decision.fingerprint = Fingerprint(request);

  // In flight or recorded: checked and claimed under one lock, so two copies
  // of a request racing each other cannot both proceed.
  std::lock_guard lock(mu_);
  if (auto it = in_flight_.find(decision.scoped_key); it != in_flight_.end()) {
    decision.kind = it->second == decision.fingerprint ? Kind::kInFlight : Kind::kMismatch;
    return decision;
  }
  auto claim = events_.FindIdempotencyRecord(decision.scoped_key);
  if (!claim.ok()) {
    spdlog::error("idempotency lookup failed: {}", claim.status().ToString());
    decision.kind = Kind::kUnavailable;
    decision.detail = "the idempotency record cannot be read; retry shortly";
    return decision;
  }
  if (!claim->has_value()) {
    in_flight_.emplace(decision.scoped_key, decision.fingerprint);
    return decision;
  }
  if ((*claim)->fingerprint != decision.fingerprint) {
    decision.kind = Kind::kMismatch;
    return decision;
  }
  auto stored = state_.Get(ResponseKey(decision.scoped_key));
  std::optional<std::string_view> kept;
  if (stored.ok() && stored->has_value()) kept = events::UnexpiredValue(**stored, NowMillis());
  if (kept) {
    events::PayloadReader reader(*kept, "idempotent response");
    HttpResponse response;
    response.status = static_cast<int>(reader.Int("status"));
    response.body = reader.String("body");
    for (std::string_view name : kReplayedHeaders) {
      if (auto value = reader.OptionalString(name); !value.empty()) response.SetHeader(std::string(name), value);
    }
    if (reader.status().ok() && reader.String("fingerprint") == decision.fingerprint) {
      decision.kind = Kind::kReplay;
      decision.response = std::move(response);
      return decision;
    }
  }
  // The change is durable but its response was lost (a crash right after the
  // commit): say so rather than apply it twice or invent a body.
  const events::AppendResult& result = (*claim)->result;
  HttpResponse headers;
  headers.SetHeader("X-Iam-Sequence", std::to_string(result.last_position));
  headers.SetHeader("X-Iam-Change-Date", FormatTimestampMillis(result.change_date_ms));
  if (!result.stream_creation_dates.empty()) {
    headers.SetHeader("X-Iam-Creation-Date", FormatTimestampMillis(result.stream_creation_dates.front()));
  }
  decision.kind = Kind::kResponseLost;
  decision.response = std::move(headers);
  decision.detail = "the request with this Idempotency-Key was applied (sequence " +
                    std::to_string(result.last_position) + ") but its response was not kept; read the resource";
  return decision;
}

void IdempotencyGuard::Finish(const std::string& scoped_key, const std::string& fingerprint,
                              const HttpResponse& response) {
  const bool applied = response.status >= 200 && response.status < 300 && !response.Header("X-Iam-Sequence").empty();
  // A repeat of a request whose answer held a secret learns that it was
  // applied (kResponseLost), never the secret a second time.
  if (applied && !response.holds_secret) {
    auto subjects = SubjectsOf(scoped_key);
    if (!subjects.ok()) {
      // Without its record (a handler's sequence of no append) no retry would read it.
      if (subjects.status().code() != StatusCode::kNotFound) {
        spdlog::warn("the response of an idempotent request was not kept: its subjects: {}",
                     subjects.status().ToString());
      }
    } else {
      events::StateBatch batch;
      const int64_t expires =
          NowMillis() + std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
      batch.puts.emplace_back(ResponseKey(scoped_key),
                              events::ExpiringValue(expires, EncodeResponse(fingerprint, response)));
      for (const std::string& subject : *subjects) {
        batch.puts.emplace_back(SubjectPrefix(subject) + scoped_key, events::ExpiringValue(expires, ""));
      }
      if (auto s = state_.Write(batch); !s.ok()) {
        spdlog::warn("the response of an idempotent request was not kept: {}", s.ToString());
      }
    }
  }
  std::lock_guard lock(mu_);
  in_flight_.erase(scoped_key);
}

Status IdempotencyGuard::ForgetSubjects(const std::vector<std::string>& subjects) {
  events::StateBatch batch;
  for (const std::string& subject : subjects) {
    const std::string prefix = SubjectPrefix(subject);
    Status scanned = state_.Scan(prefix, [&](std::string_view key, std::string_view) {
      batch.deletes.emplace_back(key);
      batch.deletes.push_back(ResponseKey(std::string(key.substr(prefix.size()))));
      return true;
    });
    if (!scanned.ok()) return scanned;
  }
  if (batch.empty()) return Status::Ok();
  return state_.Write(batch);
}

}  // namespace iam::api
