// Fixed-width little-endian integers: the byte order of every on-disk and in-payload integer
// storage writes (CommitLog records, entry index, checkpoint and snapshot point, ConsumeQueue,
// message codec, MetaStore values). memcpy keeps the
// loads and stores free of alignment and aliasing traps; on little-endian hosts they compile
// to single moves.
//
// Threading: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace raftmq::storage {

static_assert(std::endian::native == std::endian::little,
              "raftmq stores integers little-endian and supports little-endian hosts only");

template <typename T>
inline void StoreLittleEndian(char* target, T value) {
  static_assert(std::is_unsigned_v<T>);
  std::memcpy(target, &value, sizeof(T));
}

template <typename T>
inline T LoadLittleEndian(const char* source) {
  static_assert(std::is_unsigned_v<T>);
  T value;
  std::memcpy(&value, source, sizeof(T));
  return value;
}

// The fixed-width spellings the CommitLog's files use (LevelDB's EncodeFixed32/DecodeFixed32).
inline void PutFixed32(char* target, uint32_t value) { StoreLittleEndian(target, value); }
inline void PutFixed64(char* target, uint64_t value) { StoreLittleEndian(target, value); }
inline uint32_t GetFixed32(const char* source) { return LoadLittleEndian<uint32_t>(source); }
inline uint64_t GetFixed64(const char* source) { return LoadLittleEndian<uint64_t>(source); }

template <typename T>
inline void AppendLittleEndian(std::string* out, T value) {
  char bytes[sizeof(T)];
  StoreLittleEndian(bytes, value);
  out->append(bytes, sizeof(T));
}

}  // namespace raftmq::storage
