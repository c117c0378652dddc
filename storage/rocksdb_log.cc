#include "storage/rocksdb_log.h"

#include <rocksdb/env.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdarg>
#include <cstdio>

namespace raftmq::storage {

namespace {

// RocksDB's lines are short; a longer one is cut, not lost.
constexpr size_t kLineBytesMax = 1024;

class RocksDbLog final : public rocksdb::Logger {
 public:
  explicit RocksDbLog(std::string name) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), name_(std::move(name)) {}

  using rocksdb::Logger::Logv;
  // The level-less form is what RocksDB uses for headers; it is info.
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    // Headers (the option dump at open) are informational whatever their enum value says.
    if (level == rocksdb::InfoLogLevel::HEADER_LEVEL || level < GetInfoLogLevel()) return;
    std::array<char, kLineBytesMax> line{};
    std::vsnprintf(line.data(), line.size(), format, ap);
    spdlog::log(ToSpdlog(level), "{}: rocksdb: {}", name_, line.data());
  }

 private:
  static spdlog::level::level_enum ToSpdlog(rocksdb::InfoLogLevel level) {
    switch (level) {
      case rocksdb::InfoLogLevel::DEBUG_LEVEL: return spdlog::level::debug;
      case rocksdb::InfoLogLevel::INFO_LEVEL: return spdlog::level::info;
      case rocksdb::InfoLogLevel::WARN_LEVEL: return spdlog::level::warn;
      case rocksdb::InfoLogLevel::ERROR_LEVEL: return spdlog::level::err;
      default: return spdlog::level::critical;  // FATAL
    }
  }

  const std::string name_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksDbLog(std::string name) { return std::make_shared<RocksDbLog>(std::move(name)); }

}  // namespace raftmq::storage
