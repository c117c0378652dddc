// Receipt handles of the simple consumer (broker/v2/receipt_handle.h): what Encode makes
// decodes back, anything else does not; and the codes their refusals carry.
#include "broker/v2/receipt_handle.h"

#include <gtest/gtest.h>

#include "broker/v2/status_codes.h"

namespace raftmq::broker::v2 {
namespace {

TEST(ReceiptHandle, DecodesWhatEncodeMadeTopicsWithColonsIncluded) {
  const ReceiptHandle handle{"Topic:With:Colons", 3, 42, 1234, 1700000000000};
  const std::string text = EncodeReceiptHandle(handle);
  EXPECT_EQ(text, "3:42:1234:1700000000000:Topic:With:Colons");
  const auto decoded = DecodeReceiptHandle(text);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, handle);
}

TEST(ReceiptHandle, RefusesMalformedOrOutOfRangeText) {
  for (const char* text : {"", "garbage", "1:2:3:4", "1:2:3:4:", "-1:2:3:4:T", "1:-2:3:4:T", "1:2:0:4:T",
                           "1:2:3:-4:T", "1:2x:3:4:T", "1::3:4:T", "99999999999:2:3:4:T"}) {
    EXPECT_FALSE(DecodeReceiptHandle(text).has_value()) << text;
  }
}

TEST(ReceiptHandle, RefusalCodesAreTheProtocolsNumbers) {
  EXPECT_EQ(static_cast<int>(pb::INVALID_RECEIPT_HANDLE), 40013);
  EXPECT_EQ(static_cast<int>(pb::ILLEGAL_INVISIBLE_TIME), 40011);
  EXPECT_EQ(static_cast<int>(pb::MESSAGE_NOT_FOUND), 40401);
}

}  // namespace
}  // namespace raftmq::broker::v2
