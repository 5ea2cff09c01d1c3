#include "tools/progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace iam::tools {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);

std::string Duration(uint64_t seconds) {
  char text[32];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%llus", static_cast<unsigned long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%llum%02llus", static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned long long>(seconds % 60));
  } else {
    std::snprintf(text, sizeof text, "%lluh%02llum", static_cast<unsigned long long>(seconds / 3600),
                  static_cast<unsigned long long>(seconds / 60 % 60));
  }
  return text;
}

}  // namespace

ProgressLine::ProgressLine(std::string label, std::FILE* out)
    : ProgressLine(std::move(label), out, out != nullptr && isatty(fileno(out)) == 1,
                   [] { return std::chrono::steady_clock::now(); }) {}

ProgressLine::ProgressLine(std::string label, std::FILE* out, bool enabled, Clock clock)
    : label_(std::move(label)), out_(out), enabled_(enabled && out != nullptr), clock_(std::move(clock)) {}

ProgressLine::~ProgressLine() { Finish(); }

std::string ProgressLine::Format(const std::string& label, uint64_t done, uint64_t total, double rate) {
  const unsigned percent = total == 0 ? 100u : static_cast<unsigned>(std::min<uint64_t>(done, total) * 100 / total);
  std::string text = label + " " + std::to_string(done) + "/" + std::to_string(total) + " events (" +
                     std::to_string(percent) + "%)";
  if (rate > 0 && std::isfinite(rate)) {
    text += ", " + std::to_string(static_cast<uint64_t>(std::llround(rate))) + " events/s";
    if (done < total) text += ", " + Duration(static_cast<uint64_t>(std::ceil((total - done) / rate))) + " left";
  }
  return text;
}

void ProgressLine::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = clock_();
  if (!first_at_) {
    first_at_ = now;
    first_done_ = done;
  }
  done_ = done;
  total_ = total;
  if (line_open_ && now - *drawn_at_ < kRedrawInterval) return;
  drawn_at_ = now;
  const double seconds = std::chrono::duration<double>(now - *first_at_).count();
  const double rate = seconds > 0 && done > first_done_ ? static_cast<double>(done - first_done_) / seconds : 0;
  Draw(Format(label_, done, total, rate));
}

void ProgressLine::Finish() {
  if (!line_open_) return;
  const double seconds = std::chrono::duration<double>(clock_() - *first_at_).count();
  const double rate = seconds > 0 && done_ > first_done_ ? static_cast<double>(done_ - first_done_) / seconds : 0;
  Draw(Format(label_, done_, total_, rate));
  std::fputc('\n', out_);
  std::fflush(out_);
  line_open_ = false;
  drawn_width_ = 0;
}

void ProgressLine::Draw(const std::string& text) {
  // Spaces rather than an erase sequence: whatever the terminal, the rest of
  // a longer earlier line is blanked out.
  const size_t pad = drawn_width_ > text.size() ? drawn_width_ - text.size() : 0;
  std::fprintf(out_, "\r%s%*s", text.c_str(), static_cast<int>(pad), "");
  std::fflush(out_);
  drawn_width_ = text.size();
  line_open_ = true;
}

}  // namespace iam::tools
