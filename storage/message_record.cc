#include "storage/message_record.h"

#include <string>

#include "common/assert.h"
#include "storage/little_endian.h"
#include "storage/message_record_format.h"

namespace raftmq::storage {

namespace record_format = message_record_format;

namespace {

// Reads the variable part of one record, never past `end`; every read reports whether the
// bytes were there so a short or lying record turns into Corruption, not a crash.
class FieldReader {
 public:
  FieldReader(std::string_view record, size_t position) : record_(record), position_(position) {}

  template <typename T>
  bool ReadInteger(T* value) {
    if (record_.size() - position_ < sizeof(T)) return false;
    *value = LoadLittleEndian<T>(record_.data() + position_);
    position_ += sizeof(T);
    return true;
  }

  template <typename SizeT>
  bool ReadSized(std::string_view* value) {
    SizeT size = 0;
    if (!ReadInteger(&size)) return false;
    if (record_.size() - position_ < size) return false;
    *value = record_.substr(position_, size);
    position_ += size;
    return true;
  }

  bool AtEnd() const { return position_ == record_.size(); }

 private:
  std::string_view record_;
  size_t position_;
};

Status Malformed(size_t offset, std::string_view what) {
  return Status::Corruption("message record at payload offset " + std::to_string(offset) + ": " +
                            std::string(what));
}

// Walks every field of the variable part; fills `message` when given. One parser serves both
// the in-place scan and the full decode so they can never disagree on what is valid.
Status ParseVariablePart(FieldReader& reader, MessageRecordSummary* summary, Message* message,
                         size_t offset) {
  std::string_view topic, tag, message_id;
  if (!reader.ReadSized<uint16_t>(&topic) || !reader.ReadSized<uint16_t>(&tag) ||
      !reader.ReadSized<uint16_t>(&message_id)) {
    return Malformed(offset, "topic, tag or message id runs past the record");
  }
  if (topic.empty()) return Malformed(offset, "empty topic");
  summary->topic = topic;
  summary->tag = tag;
  if (message != nullptr) {
    message->topic = topic;
    message->tag = tag;
    message->message_id = message_id;
  }
  uint16_t key_count = 0;
  if (!reader.ReadInteger(&key_count)) return Malformed(offset, "key count runs past the record");
  for (uint16_t i = 0; i < key_count; ++i) {
    std::string_view key;
    if (!reader.ReadSized<uint16_t>(&key)) return Malformed(offset, "key runs past the record");
    if (message != nullptr) message->keys.emplace_back(key);
  }
  uint16_t property_count = 0;
  if (!reader.ReadInteger(&property_count)) return Malformed(offset, "property count runs past the record");
  for (uint16_t i = 0; i < property_count; ++i) {
    std::string_view name, value;
    if (!reader.ReadSized<uint16_t>(&name) || !reader.ReadSized<uint16_t>(&value)) {
      return Malformed(offset, "property runs past the record");
    }
    if (message != nullptr) message->properties.emplace(name, value);
  }
  std::string_view body;
  if (!reader.ReadSized<uint32_t>(&body)) return Malformed(offset, "body runs past the record");
  if (message != nullptr) message->body = body;
  if (!reader.AtEnd()) return Malformed(offset, "bytes left after the body");
  return Status::Ok();
}

Status ParseRecord(std::string_view payload, size_t offset, MessageRecordSummary* summary, Message* message) {
  if (offset >= payload.size()) {
    return Status::InvalidArgument("message offset " + std::to_string(offset) + " outside payload of " +
                                   std::to_string(payload.size()) + " bytes");
  }
  std::string_view rest = payload.substr(offset);
  if (rest.size() < record_format::kRecordSizeMin) return Malformed(offset, "shorter than the smallest record");
  const uint32_t record_size = LoadLittleEndian<uint32_t>(rest.data() + record_format::kRecordSizeOffset);
  if (record_size < record_format::kRecordSizeMin || record_size > rest.size()) {
    return Malformed(offset, "record size " + std::to_string(record_size) + " does not fit the payload");
  }
  const std::string_view record = rest.substr(0, record_size);
  const auto version = static_cast<uint8_t>(record[record_format::kVersionOffset]);
  if (version != record_format::kVersion) return Malformed(offset, "unknown version " + std::to_string(version));
  summary->record_size = record_size;
  summary->queue_id = LoadLittleEndian<uint32_t>(record.data() + record_format::kQueueIdOffset);
  if (message != nullptr) {
    message->queue_id = summary->queue_id;
    message->flags = LoadLittleEndian<uint32_t>(record.data() + record_format::kFlagsOffset);
    message->reconsume_times = LoadLittleEndian<uint32_t>(record.data() + record_format::kReconsumeTimesOffset);
    message->born_timestamp_ms =
        static_cast<int64_t>(LoadLittleEndian<uint64_t>(record.data() + record_format::kBornTimestampOffset));
    message->store_timestamp_ms =
        static_cast<int64_t>(LoadLittleEndian<uint64_t>(record.data() + record_format::kStoreTimestampOffset));
  }
  FieldReader reader(record, record_format::kFixedHeaderSize);
  return ParseVariablePart(reader, summary, message, offset);
}

template <typename SizeT>
void AppendSized(std::string* out, std::string_view value) {
  AppendLittleEndian(out, static_cast<SizeT>(value.size()));
  out->append(value);
}

Status CheckEncodable(const Message& message) {
  if (message.topic.empty()) return Status::InvalidArgument("message without topic");
  auto too_long = [](const std::string& field) { return field.size() > record_format::kShortFieldSizeMax; };
  if (too_long(message.topic) || too_long(message.tag) || too_long(message.message_id)) {
    return Status::InvalidArgument("topic, tag or message id longer than 65535 bytes");
  }
  if (message.keys.size() > record_format::kCountMax || message.properties.size() > record_format::kCountMax) {
    return Status::InvalidArgument("more than 65535 keys or properties");
  }
  for (const std::string& key : message.keys) {
    if (too_long(key)) return Status::InvalidArgument("key longer than 65535 bytes");
  }
  for (const auto& [name, value] : message.properties) {
    if (too_long(name) || too_long(value)) return Status::InvalidArgument("property longer than 65535 bytes");
  }
  if (EncodedMessageSize(message) > record_format::kRecordSizeMax) {
    return Status::InvalidArgument("message record larger than 4 GiB");
  }
  return Status::Ok();
}

}  // namespace

size_t EncodedMessageSize(const Message& message) {
  size_t size = record_format::kRecordSizeMin + message.topic.size() + message.tag.size() + message.message_id.size() +
                message.body.size();
  for (const std::string& key : message.keys) size += record_format::kShortSizeBytes + key.size();
  for (const auto& [name, value] : message.properties) {
    size += 2 * record_format::kShortSizeBytes + name.size() + value.size();
  }
  return size;
}

Status AppendMessageRecord(const Message& message, std::string* out) {
  RMQ_RETURN_IF_ERROR(CheckEncodable(message));
  const size_t record_size = EncodedMessageSize(message);
  const size_t start = out->size();
  out->reserve(start + record_size);
  AppendLittleEndian(out, static_cast<uint32_t>(record_size));
  out->push_back(static_cast<char>(record_format::kVersion));
  AppendLittleEndian(out, message.flags);
  AppendLittleEndian(out, message.queue_id);
  AppendLittleEndian(out, message.reconsume_times);
  AppendLittleEndian(out, static_cast<uint64_t>(message.born_timestamp_ms));
  AppendLittleEndian(out, static_cast<uint64_t>(message.store_timestamp_ms));
  RMQ_ASSERT(out->size() - start == record_format::kFixedHeaderSize);
  AppendSized<uint16_t>(out, message.topic);
  AppendSized<uint16_t>(out, message.tag);
  AppendSized<uint16_t>(out, message.message_id);
  AppendLittleEndian(out, static_cast<uint16_t>(message.keys.size()));
  for (const std::string& key : message.keys) AppendSized<uint16_t>(out, key);
  AppendLittleEndian(out, static_cast<uint16_t>(message.properties.size()));
  for (const auto& [name, value] : message.properties) {
    AppendSized<uint16_t>(out, name);
    AppendSized<uint16_t>(out, value);
  }
  AppendSized<uint32_t>(out, message.body);
  RMQ_ASSERT(out->size() - start == record_size);
  return Status::Ok();
}

Result<std::string> EncodeMessageBatch(std::span<const Message> messages) {
  size_t total_size = 0;
  for (const Message& message : messages) total_size += EncodedMessageSize(message);
  std::string payload;
  payload.reserve(total_size);
  for (const Message& message : messages) RMQ_RETURN_IF_ERROR(AppendMessageRecord(message, &payload));
  return payload;
}

Result<MessageRecordSummary> ScanMessageRecord(std::string_view payload, size_t offset) {
  MessageRecordSummary summary;
  RMQ_RETURN_IF_ERROR(ParseRecord(payload, offset, &summary, nullptr));
  return summary;
}

Result<Message> DecodeMessageRecord(std::string_view payload, size_t offset) {
  MessageRecordSummary summary;
  Message message;
  RMQ_RETURN_IF_ERROR(ParseRecord(payload, offset, &summary, &message));
  return message;
}

Result<std::vector<Message>> DecodeMessageBatch(std::string_view payload) {
  std::vector<Message> messages;
  for (size_t offset = 0; offset < payload.size();) {
    MessageRecordSummary summary;
    Message message;
    RMQ_RETURN_IF_ERROR(ParseRecord(payload, offset, &summary, &message));
    offset += summary.record_size;
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace raftmq::storage
