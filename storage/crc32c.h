// CRC32C (Castagnoli), as LevelDB's util/crc32c.h: Value/Extend compute it, Mask/Unmask turn
// a stored CRC into something that is not itself a likely CRC of data that embeds it.
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time), else a
// table.
//
// Threading: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace raftmq::storage::crc32c {

// The CRC of concat(A, data[0, n)) where init_crc is the CRC of some string A.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Rotates and offsets, so that a CRC over bytes that contain CRCs stays well distributed.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked_crc) {
  uint32_t rot = masked_crc - kMaskDelta;
  return ((rot >> 17) | (rot << 15));
}

namespace internal {
// The table path, whatever the CPU: tests compare it with the instruction path.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
}  // namespace internal

// True when Extend runs on the SSE4.2 instruction (reported by the benchmark).
bool IsHardwareAccelerated();

}  // namespace raftmq::storage::crc32c
