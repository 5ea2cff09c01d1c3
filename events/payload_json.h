// Reading and writing event payloads and stored read-model rows: JSON
// objects of strings, integers, booleans, arrays of strings and arrays of
// such objects.
//
// Writing goes through Boost.JSON (correct escaping); reading through simdjson's
// DOM parser (replays parse every payload, so this is the hot path of a
// rebuild; parsers and their buffers are reused per thread).
// PayloadReader is not thread-safe; PayloadWriter neither. Use one per payload.
// Any number of readers may be alive at once, on one thread or several: each
// owns the document it parsed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

class PayloadWriter {
 public:
  PayloadWriter();
  ~PayloadWriter();
  PayloadWriter& Set(std::string_view name, std::string_view value);
  PayloadWriter& Set(std::string_view name, const char* value) { return Set(name, std::string_view(value)); }
  PayloadWriter& Set(std::string_view name, int64_t value);
  PayloadWriter& SetBool(std::string_view name, bool value);
  PayloadWriter& SetStrings(std::string_view name, const std::vector<std::string>& values);
  PayloadWriter& SetInts(std::string_view name, const std::vector<int64_t>& values);
  // An array of the objects `items` have written so far.
  PayloadWriter& SetObjects(std::string_view name, const std::vector<PayloadWriter>& items);
  std::string Finish() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PayloadReader {
 public:
  // Parses the payload of `event`; status() reports a malformed payload.
  explicit PayloadReader(const Event& event);
  // Parses any flat JSON object; `context` names it in error messages.
  PayloadReader(std::string_view json, std::string context);
  ~PayloadReader();

  // Missing or mistyped members make status() a kCorruption naming the event.
  std::string String(std::string_view name);
  int64_t Int(std::string_view name);
  bool Bool(std::string_view name);
  // Absent members give `fallback` without an error.
  std::string OptionalString(std::string_view name, std::string_view fallback = {});
  int64_t OptionalInt(std::string_view name, int64_t fallback);
  bool OptionalBool(std::string_view name, bool fallback);
  // An array of strings; absent gives an empty list only when `optional`.
  std::vector<std::string> Strings(std::string_view name, bool optional = false);
  std::vector<int64_t> Ints(std::string_view name, bool optional = false);
  // Calls `each` with a reader of every object of the array `name` (absent:
  // no calls when `optional`); the first failure, of the array or of an item,
  // becomes this reader's status. An item reader lives only during its call.
  void Objects(std::string_view name, const std::function<void(PayloadReader&)>& each, bool optional = false);

  Status status() const { return status_; }

 private:
  struct Impl;
  PayloadReader(std::unique_ptr<Impl> impl, std::string context);
  template <typename T>
  std::vector<T> Array(std::string_view name, bool optional, const char* item_kind);
  void Fail(std::string_view name, std::string_view why);
  std::unique_ptr<Impl> impl_;
  std::string context_;
  Status status_;
};

// The parsed value, or the reader's failure.
template <typename T>
Result<T> FinishPayload(const PayloadReader& reader, T value) {
  if (!reader.status().ok()) return reader.status();
  return value;
}

// Events whose payload is one id member alone, e.g. {"clientId": "…"}
// (revision 1), and their parsing into a struct holding just that id.
inline NewEvent IdOnlyEvent(const char* type, std::string_view member, std::string_view id) {
  return {type, 1, PayloadWriter().Set(member, id).Finish()};
}
template <typename T>
Result<T> ParseIdOnly(const Event& event, std::string_view member) {
  PayloadReader reader(event);
  T out{reader.String(member)};
  return FinishPayload(reader, std::move(out));
}

}  // namespace iam::events
