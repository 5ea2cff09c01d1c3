// DirectorySet<D...>: a fixed list of directory types (GroupDirectory,
// AccountDirectory, …) handled as one — the registration table of the read
// models that rules are checked against.
//
// Each directory type D names its projection as `D::kProjectionName` and
// follows the DirectoryProjection protocol. The same list gives:
// - the projections the server registers (Register),
// - the command processor's working state (a DirectorySet value, folded by
//   Apply with the same code the read models use),
// - the snapshot that working state is loaded from (Snapshot) and the check
//   that every one of them serves (Serving).
// Adding a resource's read model is one entry in the list.
//
// A value is not thread-safe; the static functions are safe for concurrent use.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>

#include "events/event.h"
#include "events/status.h"
#include "projections/directory_projection.h"
#include "projections/projection_runner.h"

namespace iam::projections {

// A directory's kRowFormat (the shape of its rows), 1 when it declares none.
template <typename Directory>
constexpr int RowFormatOf() {
  if constexpr (requires { Directory::kRowFormat; }) {
    return Directory::kRowFormat;
  } else {
    return 1;
  }
}

template <typename... Directories>
class DirectorySet {
 public:
  template <typename D>
  D& Get() {
    return std::get<D>(directories_);
  }
  template <typename D>
  const D& Get() const {
    return std::get<D>(directories_);
  }

  // Folds events into every directory, in order. kCorruption as the
  // directories report it (the value is then partly folded).
  Status Apply(std::span<const events::Event> events) {
    for (const events::Event& e : events) {
      Status status;
      ((status = status.ok() ? std::get<Directories>(directories_).Apply(e, nullptr, nullptr) : status), ...);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  // Calls visit(name, directory) for each directory, in list order.
  template <typename Visitor>
  void ForEach(Visitor&& visit) const {
    (visit(std::string_view(Directories::kProjectionName), std::get<Directories>(directories_)), ...);
  }

  static constexpr std::array<std::string_view, sizeof...(Directories)> Names() {
    return {std::string_view(Directories::kProjectionName)...};
  }

  // Registers one DirectoryProjection per directory with `runner` (before Start).
  static void Register(ProjectionRunner& runner) {
    (runner.Register(Directories::kProjectionName,
                     [] { return std::make_shared<DirectoryProjection<Directories>>(); }, RowFormatOf<Directories>()),
     ...);
  }

  // Ok when every one serves; otherwise the first refusal (kUnavailable).
  static Status Serving(const ProjectionRunner& runner) {
    Status status;
    ((status = status.ok() ? runner.Serving(Directories::kProjectionName) : status), ...);
    return status;
  }

  // Copies of the serving read models. kUnavailable when one is not serving.
  static Result<DirectorySet> Snapshot(const ProjectionRunner& runner) {
    DirectorySet set;
    bool complete = true;
    (
        [&] {
          auto live = runner.LiveAs<DirectoryProjection<Directories>>(Directories::kProjectionName);
          if (live) {
            std::get<Directories>(set.directories_) = live->Snapshot();
          } else {
            complete = false;
          }
        }(),
        ...);
    if (!complete) return Serving(runner).ok() ? Status::Unavailable("a read model stopped serving") : Serving(runner);
    return set;
  }

 private:
  std::tuple<Directories...> directories_;
};

}  // namespace iam::projections
