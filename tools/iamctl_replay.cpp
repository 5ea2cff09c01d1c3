// `iamctl replay --to ndjson`: the whole log (or its tail from --from) as
// NDJSON, read straight from the store, for an export or another system.
//
// It reads as a follower (OpenStoreReadOnly), like `iamctl events`, so it
// works whether or not the server runs, and stops at the head it found at
// its start: a bounded run whose total is known, which is what lets it show
// progress. Each line is EventToJson's shape with the payload redacted as
// the audit trail redacts it (api/audit/audit_redaction.h): an export is a
// copy that travels, and a password hash or token digest must not travel in it.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "api/audit/audit_redaction.h"
#include "events/event_codec.h"
#include "tools/iamctl_commands.h"
#include "tools/progress_line.h"

namespace iam::tools {
namespace {

namespace json = boost::json;

constexpr size_t kPageSize = 1000;
constexpr const char* kWhat = "iamctl replay";

// One event as an NDJSON line (with its newline).
Result<std::string> RedactedLine(const events::Event& e) {
  auto text = events::EventToJson(e);
  if (!text.ok()) return text.status();
  boost::system::error_code ec;
  json::value line = json::parse(*text, ec);
  if (ec || !line.is_object()) return Status::Internal("the JSON form of position " + std::to_string(e.position));
  if (json::value* payload = line.as_object().if_contains("payload"); payload && payload->is_object()) {
    api::RedactPayload(e.event_type, payload->as_object());
  }
  return json::serialize(line) + "\n";
}

// The destination: stdout for "-", else FILE created or truncated with mode
// 0600 (an export holds every account's data, redacted or not).
std::FILE* OpenOutput(const std::string& output) {
  if (output == "-") return stdout;
  const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  std::FILE* file = fdopen(fd, "w");
  if (!file) close(fd);
  return file;
}

}  // namespace

int RunReplay(const ReplayOptions& options) {
  if (options.to != "ndjson") {
    std::fprintf(stderr, "%s: --to must be ndjson, got '%s'\n", kWhat, options.to.c_str());
    return kExitFailed;
  }
  auto opened = OpenStoreReadOnly(options.data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: cannot open the store: %s\n", kWhat, opened.status().ToString().c_str());
    return kExitStoreError;
  }
  const events::EventStore& log = (*opened)->events();
  const uint64_t head = log.Head();
  const uint64_t from = std::max<uint64_t>(options.from, 1);
  const uint64_t total = head >= from ? head - from + 1 : 0;

  std::FILE* out = OpenOutput(options.output);
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s: %s\n", kWhat, options.output.c_str(), std::strerror(errno));
    return kExitFailed;
  }
  int code = kExitOk;
  {
    ProgressLine progress("replay");
    uint64_t next = from, done = 0;
    progress.Update(done, total);
    while (next <= head) {
      if (StopRequested()) {
        progress.Finish();
        std::fprintf(stderr, "%s: interrupted after position %llu\n", kWhat,
                     static_cast<unsigned long long>(next - 1));
        code = kExitFailed;
        break;
      }
      auto page = log.ReadAll(next, static_cast<size_t>(std::min<uint64_t>(kPageSize, head - next + 1)));
      if (!page.ok() || page->empty()) {
        progress.Finish();
        std::fprintf(stderr, "%s: %s\n", kWhat,
                     page.ok() ? ("the log ends before position " + std::to_string(next)).c_str()
                               : page.status().ToString().c_str());
        code = kExitStoreError;
        break;
      }
      std::string text;
      for (const events::Event& e : *page) {
        auto line = RedactedLine(e);
        if (!line.ok()) {
          code = kExitStoreError;
          progress.Finish();
          std::fprintf(stderr, "%s: %s\n", kWhat, line.status().ToString().c_str());
          break;
        }
        text += *line;
      }
      // What was read intact before any damage is still written.
      if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        progress.Finish();
        std::fprintf(stderr, "%s: writing %s: %s\n", kWhat, options.output.c_str(), std::strerror(errno));
        code = kExitFailed;
      }
      if (code != kExitOk) break;
      next = page->back().position + 1;
      done += page->size();
      progress.Update(done, total);
    }
  }
  if (std::fflush(out) != 0 && code == kExitOk) {
    std::fprintf(stderr, "%s: writing %s: %s\n", kWhat, options.output.c_str(), std::strerror(errno));
    code = kExitFailed;
  }
  if (out != stdout && std::fclose(out) != 0 && code == kExitOk) {
    std::fprintf(stderr, "%s: closing %s: %s\n", kWhat, options.output.c_str(), std::strerror(errno));
    code = kExitFailed;
  }
  return code;
}

}  // namespace iam::tools
