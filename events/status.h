// Status and Result<T>: how every fallible call in iamd reports failure.
//
// Exceptions never cross a layer boundary; a function that can fail returns a
// Status (no value) or a Result<T> (a value or the Status explaining why not).
// Both are plain values: safe to copy and move between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace iam {

enum class StatusCode {
  kOk = 0,
  kNotFound,            // the named thing does not exist
  kConflict,            // an expected version did not match (the store's own check)
  kVersionMismatch,     // the caller's If-Match names a version the resource no longer has
  kInvalidArgument,     // the caller's input is malformed
  kFailedPrecondition,  // a business rule refuses the request in the current state
  kPermissionDenied,    // the caller may not do this
  kCorruption,          // stored data cannot be decoded
  kIOError,             // the storage engine failed
  kUnavailable,         // shutting down, or not ready yet
  kInternal,            // a bug
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status VersionMismatch(std::string m) { return {StatusCode::kVersionMismatch, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  // A number naming the precise reason within the code, for error catalogues
  // (the IAM API's error type numbers); 0 when none was given.
  Status WithReason(int reason) && {
    reason_ = reason;
    return std::move(*this);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  int reason() const { return reason_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  int reason_ = 0;
  std::string message_;
};

// A value of type T, or the Status saying why there is none. Accessing the
// value of a failed Result is a bug (checked by assert in debug builds).
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The failure; Status::Ok() when a value is present.
  Status status() const { return ok() ? Status::Ok() : std::get<1>(state_); }

 private:
  std::variant<T, Status> state_;
};

std::string_view StatusCodeName(StatusCode code);

}  // namespace iam
