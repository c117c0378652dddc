#include "storage/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace raftmq::storage::crc32c {
namespace {

constexpr uint32_t kPolynomialReflected = 0x82f63b78u;

// table[k][b]: the CRC contribution of byte b followed by k zero bytes ("slicing by 4").
constexpr std::array<std::array<uint32_t, 256>, 4> MakeTables() {
  std::array<std::array<uint32_t, 256>, 4> tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomialReflected : 0);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 4; ++k) {
      uint32_t previous = tables[k - 1][b];
      tables[k][b] = (previous >> 8) ^ tables[0][previous & 0xff];
    }
  }
  return tables;
}

constexpr auto kTables = MakeTables();

uint32_t ExtendPortable(uint32_t crc, const uint8_t* p, size_t n) {
  while (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);  // little-endian hosts only (static_assert'ed in the format)
    crc ^= word;
    crc = kTables[3][crc & 0xff] ^ kTables[2][(crc >> 8) & 0xff] ^ kTables[1][(crc >> 16) & 0xff] ^
          kTables[0][crc >> 24];
    p += 4;
    n -= 4;
  }
  while (n > 0) {
    crc = (crc >> 8) ^ kTables[0][(crc ^ *p) & 0xff];
    ++p;
    --n;
  }
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t crc64 = crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc64 = _mm_crc32_u64(crc64, word);
    p += 8;
    n -= 8;
  }
  auto crc32 = static_cast<uint32_t>(crc64);
  while (n > 0) {
    crc32 = _mm_crc32_u8(crc32, *p);
    ++p;
    --n;
  }
  return crc32;
}

// Three streams in lockstep: each crc32 depends only on its own stream's previous one, so the
// CPU overlaps them.
__attribute__((target("sse4.2"))) std::array<uint32_t, 3> Extend3Sse42(std::array<uint32_t, 3> crcs,
                                                                         std::array<const uint8_t*, 3> p,
                                                                         size_t n) {
  uint64_t crc0 = crcs[0];
  uint64_t crc1 = crcs[1];
  uint64_t crc2 = crcs[2];
  size_t done = 0;
  for (; done + 8 <= n; done += 8) {
    uint64_t word0;
    uint64_t word1;
    uint64_t word2;
    std::memcpy(&word0, p[0] + done, 8);
    std::memcpy(&word1, p[1] + done, 8);
    std::memcpy(&word2, p[2] + done, 8);
    crc0 = _mm_crc32_u64(crc0, word0);
    crc1 = _mm_crc32_u64(crc1, word1);
    crc2 = _mm_crc32_u64(crc2, word2);
  }
  std::array<uint32_t, 3> out = {static_cast<uint32_t>(crc0), static_cast<uint32_t>(crc1),
                                 static_cast<uint32_t>(crc2)};
  for (size_t stream = 0; stream < 3; ++stream) out[stream] = ExtendSse42(out[stream], p[stream] + done, n - done);
  return out;
}

bool DetectSse42() {
  __builtin_cpu_init();  // this runs during static initialisation, maybe before libgcc's own
  return __builtin_cpu_supports("sse4.2");
}
#else
bool DetectSse42() { return false; }
#endif

const bool kHasSse42 = DetectSse42();

}  // namespace

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  uint32_t crc = init_crc ^ 0xffffffffu;
#if defined(__x86_64__)
  if (kHasSse42) return ExtendSse42(crc, p, n) ^ 0xffffffffu;
#endif
  return ExtendPortable(crc, p, n) ^ 0xffffffffu;
}

std::array<uint32_t, 3> Extend3(std::array<uint32_t, 3> init_crcs, std::array<const char*, 3> data, size_t n) {
#if defined(__x86_64__)
  if (kHasSse42) {
    std::array<const uint8_t*, 3> p{};
    for (size_t stream = 0; stream < 3; ++stream) {
      p[stream] = reinterpret_cast<const uint8_t*>(data[stream]);
      init_crcs[stream] ^= 0xffffffffu;
    }
    std::array<uint32_t, 3> crcs = Extend3Sse42(init_crcs, p, n);
    for (uint32_t& crc : crcs) crc ^= 0xffffffffu;
    return crcs;
  }
#endif
  return {Extend(init_crcs[0], data[0], n), Extend(init_crcs[1], data[1], n), Extend(init_crcs[2], data[2], n)};
}

bool IsHardwareAccelerated() { return kHasSse42; }

uint32_t internal::ExtendPortable(uint32_t init_crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  return storage::crc32c::ExtendPortable(init_crc ^ 0xffffffffu, p, n) ^ 0xffffffffu;
}

}  // namespace raftmq::storage::crc32c
