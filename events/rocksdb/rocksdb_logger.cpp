#include "events/rocksdb/rocksdb_logger.h"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>

namespace iam::events::rocksdb_backend {
namespace {

class EngineLogger final : public rocksdb::Logger {
 public:
  EngineLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  // Called for messages without a level: treated as informational.
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buffer[1024];
    std::vsnprintf(buffer, sizeof buffer, format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      spdlog::error("rocksdb: {}", buffer);
    } else {
      spdlog::warn("rocksdb: {}", buffer);
    }
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewEngineLogger() { return std::make_shared<EngineLogger>(); }

}  // namespace iam::events::rocksdb_backend
