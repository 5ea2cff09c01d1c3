// IdempotencyGuard: safe retries of mutations with the `Idempotency-Key`
// request header (D-23, IETF httpapi idempotency-key draft).
//
// A key is scoped to the calling API client. Before a mutation is decided the
// guard looks the key up:
// - unknown: the mutation proceeds; its key and the request's fingerprint
//   (method, target and body digest) are written with its events, in the
//   same durable write, and the response is kept beside them once sent;
// - known with the same fingerprint: the first response is answered again
//   (same status, body and X-Iam-* headers) and nothing is appended;
// - known with another fingerprint: 422;
// - still in flight: 409.
// Records are honoured for `retention` (at least 24 hours).
//
// A kept response may tell about a person (the body of a user's creation).
// So it is kept with the personal-data subjects (events/personal_data.h) of
// the events its request appended, and erasing a subject drops every
// response that concerns it (ForgetSubjects): a retry of such a request is
// then answered as one whose response was lost.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/http/http_message.h"
#include "events/event_store.h"
#include "events/state_store.h"

namespace iam::api {

class IdempotencyGuard {
 public:
  struct Options {
    std::chrono::hours retention{24};
  };

  // What to do with a request that carries a key.
  struct Decision {
    enum class Kind { kProceed, kReplay, kInFlight, kMismatch, kResponseLost, kInvalid, kUnavailable };
    Kind kind = Kind::kProceed;
    std::string scoped_key;                 // kProceed: pass to the command and to Finish
    std::string fingerprint;                // kProceed: likewise
    std::optional<HttpResponse> response;   // kReplay: the first response; kResponseLost: its X-Iam-* headers
    std::string detail;                     // kInvalid / kUnavailable / kResponseLost: why
  };

  // `events` and `state` must outlive the guard.
  IdempotencyGuard(const events::EventStore& events, events::StateStore& state, Options options);

  // Looks up `key` for the API client `client_id`. On kProceed the key is
  // marked in flight until Finish is called with the same scoped key.
  Decision Begin(std::string_view client_id, std::string_view key, const HttpRequest& request);

  // Ends an in-flight key. A successful mutation's `response` (2xx carrying
  // X-Iam-Sequence) is kept for replays; anything else is forgotten, so a
  // retry runs again. The kept response becomes durable with the next synced
  // write; until then a crash loses it, and a replay answers kResponseLost.
  // A response whose subjects cannot be read is not kept (it could outlive
  // an erasure).
  void Finish(const std::string& scoped_key, const std::string& fingerprint, const HttpResponse& response);

  // Drops every kept response concerning one of `subjects`, in one write
  // (not synced: it becomes durable with the next synced write, which the
  // caller may force). kIOError from the state store.
  Status ForgetSubjects(const std::vector<std::string>& subjects);

 private:
  static std::string ResponseKey(const std::string& scoped_key);
  // The row that ties a kept response to one subject it concerns.
  static std::string SubjectPrefix(std::string_view subject);
  // The subjects of the events the request `scoped_key` appended.
  Result<std::vector<std::string>> SubjectsOf(const std::string& scoped_key) const;

  const events::EventStore& events_;
  events::StateStore& state_;
  const Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> in_flight_;  // scoped key -> fingerprint
};

}  // namespace iam::api
