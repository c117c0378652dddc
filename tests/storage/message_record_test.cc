#include "storage/message_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/little_endian.h"
#include "storage/message_record_format.h"

namespace raftmq::storage {
namespace {

namespace format = message_record_format;

Message FullMessage(std::string topic, uint32_t queue_id, std::string body) {
  Message message;
  message.topic = std::move(topic);
  message.queue_id = queue_id;
  message.flags = 0x5a5a;
  message.tag = "TagA";
  message.keys = {"order-1", "user-7"};
  message.properties = {{"TRACE_ON", "true"}, {"region", "eu"}};
  message.body = std::move(body);
  message.born_timestamp_ms = 1'700'000'000'123;
  message.store_timestamp_ms = 1'700'000'000'456;
  message.message_id = "7F0000010001000000000000000000AB";
  message.reconsume_times = 3;
  return message;
}

TEST(MessageRecord, RoundTripsEveryField) {
  const Message message = FullMessage("orders", 5, std::string("body\0with zero", 14));
  std::string payload;
  ASSERT_TRUE(AppendMessageRecord(message, &payload).ok());
  EXPECT_EQ(payload.size(), EncodedMessageSize(message));

  Result<Message> decoded = DecodeMessageRecord(payload, 0);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, message);
}

TEST(MessageRecord, RoundTripsAnEmptyMessageWithOnlyATopic) {
  Message message;
  message.topic = "t";
  message.born_timestamp_ms = -1;  // negative timestamps survive the unsigned encoding
  std::string payload;
  ASSERT_TRUE(AppendMessageRecord(message, &payload).ok());
  EXPECT_EQ(payload.size(), format::kRecordSizeMin + 1);
  Result<Message> decoded = DecodeMessageRecord(payload, 0);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, message);
}

TEST(MessageRecord, BatchDecodesEachMessageAtItsOwnOffset) {
  const std::vector<Message> messages = {FullMessage("a", 0, "one"), FullMessage("bb", 1, "two two"),
                                         FullMessage("a", 2, "")};
  Result<std::string> payload = EncodeMessageBatch(messages);
  ASSERT_TRUE(payload.ok());

  size_t offset = 0;
  for (const Message& expected : messages) {
    Result<MessageRecordSummary> summary = ScanMessageRecord(*payload, offset);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->topic, expected.topic);
    EXPECT_EQ(summary->queue_id, expected.queue_id);
    EXPECT_EQ(summary->tag, expected.tag);
    // A ConsumeQueue entry carries (position, size): decoding those bytes alone must work.
    const std::string record = payload->substr(offset, summary->record_size);
    Result<Message> decoded = DecodeMessageRecord(record, 0);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, expected);
    offset += summary->record_size;
  }
  EXPECT_EQ(offset, payload->size());

  Result<std::vector<Message>> all = DecodeMessageBatch(*payload);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, messages);
}

TEST(MessageRecord, RefusesToEncodeFieldsTheFormatCannotHold) {
  Message no_topic;
  std::string payload;
  EXPECT_TRUE(AppendMessageRecord(no_topic, &payload).IsInvalidArgument());

  Message long_tag = FullMessage("t", 0, "");
  long_tag.tag.assign(format::kShortFieldSizeMax + 1, 'x');
  EXPECT_TRUE(AppendMessageRecord(long_tag, &payload).IsInvalidArgument());
  EXPECT_TRUE(payload.empty()) << "a refused message must leave the output untouched";
}

TEST(MessageRecord, EveryTruncationIsCorruptionNotACrash) {
  std::string payload;
  ASSERT_TRUE(AppendMessageRecord(FullMessage("orders", 1, "hello"), &payload).ok());
  for (size_t size = 1; size < payload.size(); ++size) {
    Result<Message> decoded = DecodeMessageRecord(std::string_view(payload).substr(0, size), 0);
    EXPECT_TRUE(decoded.status().IsCorruption()) << "size " << size;
  }
}

TEST(MessageRecord, LyingInnerSizesAreCorruption) {
  std::string payload;
  ASSERT_TRUE(AppendMessageRecord(FullMessage("orders", 1, "hello"), &payload).ok());
  // Flip every byte after the record size in turn: the decoder may accept some (they are
  // just different field values) but must never read out of bounds or assert.
  for (size_t i = format::kVersionOffset; i < payload.size(); ++i) {
    std::string damaged = payload;
    damaged[i] = static_cast<char>(damaged[i] ^ 0xff);
    Result<Message> decoded = DecodeMessageRecord(damaged, 0);
    if (!decoded.ok()) {
      EXPECT_TRUE(decoded.status().IsCorruption()) << "byte " << i;
    }
  }
  std::string bad_version = payload;
  bad_version[format::kVersionOffset] = 2;
  EXPECT_TRUE(DecodeMessageRecord(bad_version, 0).status().IsCorruption());

  std::string trailing = payload;
  StoreLittleEndian(trailing.data(), static_cast<uint32_t>(payload.size() + 1));
  trailing.push_back('x');
  EXPECT_TRUE(DecodeMessageRecord(trailing, 0).status().IsCorruption()) << "bytes after the body";
}

TEST(MessageRecord, OffsetOutsideThePayloadIsInvalidArgument) {
  std::string payload;
  ASSERT_TRUE(AppendMessageRecord(FullMessage("orders", 1, "x"), &payload).ok());
  EXPECT_TRUE(DecodeMessageRecord(payload, payload.size()).status().IsInvalidArgument());
  EXPECT_TRUE(ScanMessageRecord(payload, payload.size() + 100).status().IsInvalidArgument());
}

}  // namespace
}  // namespace raftmq::storage
