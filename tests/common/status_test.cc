#include "common/result.h"
#include "common/status.h"

#include <gtest/gtest.h>

namespace raftmq {
namespace {

TEST(Status, OkCarriesNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, KeepsCodeAndMessageThroughContext) {
  Status s = Status::Corruption("bad crc").WithContext("segment 00000000000000000000");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.ToString(), "Corruption: segment 00000000000000000000: bad crc");
  Status copy = s;
  EXPECT_EQ(copy.ToString(), s.ToString());
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  RMQ_ASSIGN_OR_RETURN(int half, Half(x));
  RMQ_ASSIGN_OR_RETURN(*out, Half(half));
  return Status::Ok();
}

TEST(Result, PropagatesTheFirstFailure) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
}

}  // namespace
}  // namespace raftmq
