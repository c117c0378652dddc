// The message codec: how messages sit inside a message batch entry's payload (layout in
// message_record_format.h). The leader encodes a batch at propose time; the Dispatcher scans
// it at apply time; a Pull handler decodes one message from the bytes a ConsumeQueue entry
// points at. A message's absolute CommitLog position is the entry's payload_position plus the
// record's offset in the payload, and its ConsumeQueue size is its record_size.
//
// Decoding never trusts its input: bytes from disk or the network that do not form a record
// give Corruption (InvalidArgument when the caller's offset is outside the payload).
//
// Threading: pure functions on values.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace raftmq::storage {

struct Message {
  std::string topic;
  uint32_t queue_id = 0;
  uint32_t flags = 0;
  std::string tag;  // empty: no tag
  std::vector<std::string> keys;
  std::map<std::string, std::string> properties;
  std::string body;
  int64_t born_timestamp_ms = 0;
  int64_t store_timestamp_ms = 0;  // set by the leader at propose time
  std::string message_id;          // the producer's UNIQ_KEY
  uint32_t reconsume_times = 0;

  bool operator==(const Message&) const = default;
};

// What the Dispatcher needs from a record, read in place: the views point into the payload.
struct MessageRecordSummary {
  std::string_view topic;
  uint32_t queue_id = 0;
  std::string_view tag;
  uint32_t record_size = 0;
};

// Bytes Message `message` takes when encoded.
size_t EncodedMessageSize(const Message& message);

// Appends one record to `out`. InvalidArgument (and `out` unchanged) when a field exceeds
// what the format can express.
Status AppendMessageRecord(const Message& message, std::string* out);

// One payload holding `messages` in order.
Result<std::string> EncodeMessageBatch(std::span<const Message> messages);

// Validates the whole record at `offset` and returns its routing fields.
Result<MessageRecordSummary> ScanMessageRecord(std::string_view payload, size_t offset);

// Decodes the record at `offset` (0 for bytes read by a ConsumeQueue entry's position/size).
Result<Message> DecodeMessageRecord(std::string_view payload, size_t offset);

// Every message of a batch payload, in order.
Result<std::vector<Message>> DecodeMessageBatch(std::string_view payload);

}  // namespace raftmq::storage
