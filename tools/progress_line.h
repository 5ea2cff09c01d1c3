// ProgressLine: the progress of one of iamctl's long runs (a replay, a
// rebuild) as one line on a terminal, redrawn in place:
//
//   replay 12000/50000 events (24%), 8000 events/s, 5s left
//
// It draws only when its stream is a terminal (isatty), so that scripts,
// pipes and tests see nothing but the command's real output, and at most
// five times a second, so that a fast loop does not spend its time drawing.
//
// Not thread-safe: one thread updates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace iam::tools {

class ProgressLine {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Draws on `out` (not owned; stderr by default) when it is a terminal.
  explicit ProgressLine(std::string label, std::FILE* out = stderr);
  // For tests: draws exactly when `enabled`, reading time from `clock`.
  ProgressLine(std::string label, std::FILE* out, bool enabled, Clock clock);
  // Finish().
  ~ProgressLine();

  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `done` of `total` events are through. Redraws when 200 ms have passed
  // since the last drawing (the first update of a line draws at once). The rate is
  // measured from the first update, so work done before it (a rebuild that
  // was already under way) does not inflate it.
  void Update(uint64_t done, uint64_t total);

  // Draws the last state and ends the line, when one is drawn (else does
  // nothing). Call it before printing anything else on the stream; a later
  // Update starts a new line.
  void Finish();

  bool enabled() const { return enabled_; }

  // The line's text: "<label> <done>/<total> events (<pct>%)", then the rate
  // ", <n> events/s" when `rate` is known (> 0) and ", <t> left" when there is
  // something left; t as "42s", "3m05s" or "2h07m".
  static std::string Format(const std::string& label, uint64_t done, uint64_t total, double rate);

 private:
  void Draw(const std::string& text);

  std::string label_;
  std::FILE* out_;
  bool enabled_;
  Clock clock_;
  std::optional<std::chrono::steady_clock::time_point> first_at_, drawn_at_;
  uint64_t first_done_ = 0;
  uint64_t done_ = 0, total_ = 0;
  size_t drawn_width_ = 0;  // to blank out what a longer earlier text left
  bool line_open_ = false;  // drawn, and not ended by Finish
};

}  // namespace iam::tools
