#include "storage/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace raftmq::storage::crc32c {
namespace {

// Values from RFC 3720 section B.4 (also LevelDB's crc32c_test.cc).
TEST(Crc32c, MatchesTheStandardTestVectors) {
  std::string zeros(32, '\0');
  std::string ones(32, '\xff');
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(0x8a9136aau, Value(zeros));
  EXPECT_EQ(0x62a8ab43u, Value(ones));
  EXPECT_EQ(0x46dd794eu, Value(ascending));
  EXPECT_EQ(0xe3069283u, Value("123456789"));
}

TEST(Crc32c, ExtendOverPiecesEqualsValueOfTheWhole) {
  std::string data = "hello raftmq, this is a commit log record body";
  for (size_t split = 0; split <= data.size(); ++split) {
    EXPECT_EQ(Value(data), Extend(Value(data.data(), split), data.data() + split, data.size() - split));
  }
}

TEST(Crc32c, HardwareAndTablePathsAgreeOnEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::string data(300, '\0');
  for (char& c : data) c = static_cast<char>(random());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t size = 0; start + size <= data.size(); size += 13) {
      EXPECT_EQ(internal::ExtendPortable(0, data.data() + start, size), Extend(0, data.data() + start, size));
    }
  }
}

TEST(Crc32c, MaskChangesTheValueAndUnmaskRestoresIt) {
  uint32_t crc = Value("foo");
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
}

}  // namespace
}  // namespace raftmq::storage::crc32c
