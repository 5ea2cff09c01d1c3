// libFuzzer target: the event record decoder, upcasting included, and the
// idempotency record decoder: whatever the bytes, an error or an event,
// never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/event_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  auto event = iam::events::DecodeEvent(record, 42);
  if (event.ok()) (void)iam::events::EncodeEvent(*event);
  (void)iam::events::DecodeIdempotencyRecord(record);
  return 0;
}
