// HeldVersion: a published version of a read model, held: it stays unchanged
// for as long as the HeldVersion (or a shared_ptr made from it) lives.
//
// Members are reached through a named HeldVersion only: `->` and get() on a
// temporary do not compile, because a pointer taken from a temporary
// outlives its hold when the statement ends, and the writer may then reuse
// that version's memory for the next one (a use after free the sanitizers
// found in the session refresh). Dereferencing a temporary (`*x.Published()`)
// stays allowed for calls that use the version only while they run; a
// function that returns a pointer into it needs a named hold.
//
// Thread safety: as std::shared_ptr; the version itself is immutable.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace iam::projections {

template <typename T>
class HeldVersion {
 public:
  HeldVersion(std::nullptr_t) {}  // NOLINT: implicit, as for a shared_ptr
  explicit HeldVersion(std::shared_ptr<const T> version) : version_(std::move(version)) {}

  const T* operator->() const& { return version_.get(); }
  const T* operator->() const&& = delete;
  const T* get() const& { return version_.get(); }
  const T* get() const&& = delete;
  const T& operator*() const { return *version_; }
  explicit operator bool() const { return version_ != nullptr; }
  // Keeping the hold elsewhere (a struct of versions, a lambda capture).
  operator std::shared_ptr<const T>() const& { return version_; }  // NOLINT: implicit by design
  operator std::shared_ptr<const T>() && { return std::move(version_); }  // NOLINT: implicit by design

 private:
  std::shared_ptr<const T> version_;
};

}  // namespace iam::projections
