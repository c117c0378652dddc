// RocksDbLog: RocksDB's info log, written through the node's spdlog instead of a LOG file in
// the store's directory. A LOG file on the data disk is one more writer that a full disk
// fails, and RocksDB 7.8 (Debian 12) aborts the process on the next line after a failed one
// (WritableFileWriter asserts no write follows an error); spdlog writes where the node's own
// log goes. Only warnings and errors pass (RocksDB's info level dumps every option at open).
//
// Threading: RocksDB calls it from any of its threads; spdlog's loggers are thread-safe.
#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace raftmq::storage {

// Lines are prefixed with `name` (e.g. "meta store /data/meta").
std::shared_ptr<rocksdb::Logger> NewRocksDbLog(std::string name);

}  // namespace raftmq::storage
