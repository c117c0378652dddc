// Fixed-width little-endian integers: the byte order of every on-disk and in-payload integer
// written by the ConsumeQueue, the message codec and the MetaStore values. memcpy keeps the
// loads and stores free of alignment and aliasing traps; on little-endian hosts they compile
// to single moves.
//
// Threading: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

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

template <typename T>
inline void AppendLittleEndian(std::string* out, T value) {
  char bytes[sizeof(T)];
  StoreLittleEndian(bytes, value);
  out->append(bytes, sizeof(T));
}

}  // namespace raftmq::storage
