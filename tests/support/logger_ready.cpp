// The default logger exists before any test starts a thread. spdlog makes
// its registry on first use; when a test's first log lines come from two of
// the store's threads at once, the sanitizer (which does not see inside the
// uninstrumented libspdlog) cannot tell that the registry's one-time
// construction orders them. iamd itself configures logging on its main
// thread before it starts any.
#include <spdlog/spdlog.h>

namespace iam::testing {
namespace {

[[maybe_unused]] const bool kLoggerReady = spdlog::default_logger_raw() != nullptr;

}  // namespace
}  // namespace iam::testing
