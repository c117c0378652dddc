#include "broker/v2/message_mapping.h"

#include <strings.h>

#include <openssl/evp.h>

#include <google/protobuf/util/time_util.h>

#include "broker/names.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

pb::Status Refuse(pb::Code code, size_t index, const std::string& field, const std::string& why) {
  return MakeStatus(code, "messages[" + std::to_string(index) + "]." + field + ": " + why);
}

// The v2-only fields of one message that raftmq does not store.
pb::Status CheckType(const pb::SystemProperties& system, size_t index) {
  if (system.message_type() != pb::NORMAL && system.message_type() != pb::MESSAGE_TYPE_UNSPECIFIED) {
    return Refuse(pb::UNSUPPORTED, index, "system_properties.message_type",
                  pb::MessageType_Name(system.message_type()) + " is not supported; raftmq queues accept NORMAL");
  }
  if (system.has_message_group()) {
    return Refuse(pb::MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, index, "system_properties.message_group",
                  "set on a NORMAL message");
  }
  if (system.has_delivery_timestamp()) {
    return Refuse(pb::MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, index, "system_properties.delivery_timestamp",
                  "set on a NORMAL message");
  }
  if (system.body_encoding() == pb::GZIP) {
    return Refuse(pb::UNSUPPORTED, index, "system_properties.body_encoding", "GZIP bodies are not supported");
  }
  return OkStatus();
}

pb::Status CheckBody(const pb::Message& message, size_t index, uint64_t body_bytes_max) {
  if (message.body().empty()) return Refuse(pb::MESSAGE_BODY_EMPTY, index, "body", "is empty");
  if (message.body().size() > body_bytes_max) {
    return Refuse(pb::MESSAGE_BODY_TOO_LARGE, index, "body",
                  std::to_string(message.body().size()) + " bytes exceed max_message_size_bytes = " +
                      std::to_string(body_bytes_max));
  }
  const pb::Digest& digest = message.system_properties().body_digest();
  if (digest.type() == pb::MD5 && strcasecmp(digest.checksum().c_str(), BodyMd5Hex(message.body()).c_str()) != 0) {
    return Refuse(pb::MESSAGE_CORRUPTED, index, "system_properties.body_digest", "MD5 does not match the body");
  }
  return OkStatus();
}

pb::Status CheckMessage(const pb::Message& message, const pb::Message& first, size_t index, uint64_t body_bytes_max) {
  if (!message.topic().resource_namespace().empty()) {
    return Refuse(pb::UNSUPPORTED, index, "topic.resource_namespace", "namespaces are not supported");
  }
  grpc::Status name = CheckName("topic", message.topic().name());
  if (!name.ok()) return Refuse(pb::ILLEGAL_TOPIC, index, "topic.name", name.error_message());
  if (message.topic().name() != first.topic().name()) {
    return Refuse(pb::BAD_REQUEST, index, "topic.name", "a batch must target one topic");
  }
  const pb::SystemProperties& system = message.system_properties();
  if (system.queue_id() != first.system_properties().queue_id()) {
    return Refuse(pb::BAD_REQUEST, index, "system_properties.queue_id", "a batch must target one queue");
  }
  if (system.message_id().empty()) return Refuse(pb::ILLEGAL_MESSAGE_ID, index, "system_properties.message_id", "is empty");
  pb::Status type = CheckType(system, index);
  if (type.code() != pb::OK) return type;
  return CheckBody(message, index, body_bytes_max);
}

}  // namespace

pb::Status ToSendRequest(const pb::SendMessageRequest& request, uint64_t body_bytes_max,
                         messaging::SendMessageRequest* out) {
  if (request.messages().empty()) return MakeStatus(pb::BAD_REQUEST, "messages: the request holds no message");
  const pb::Message& first = request.messages(0);
  out->set_queue_id(first.system_properties().queue_id());
  for (int i = 0; i < request.messages_size(); ++i) {
    const pb::Message& message = request.messages(i);
    pb::Status checked = CheckMessage(message, first, static_cast<size_t>(i), body_bytes_max);
    if (checked.code() != pb::OK) return checked;
    const pb::SystemProperties& system = message.system_properties();
    messaging::Message* mapped = out->add_messages();
    mapped->set_topic(message.topic().name());
    mapped->set_tag(system.tag());
    mapped->mutable_keys()->CopyFrom(system.keys());
    mapped->mutable_properties()->insert(message.user_properties().begin(), message.user_properties().end());
    mapped->set_body(message.body());
    mapped->set_message_id(system.message_id());
    if (system.has_born_timestamp()) mapped->set_born_timestamp_ms(TimeUtil::TimestampToMilliseconds(system.born_timestamp()));
  }
  return OkStatus();
}

void ToSendResponse(const grpc::Status& status, const messaging::SendMessageResponse& sent,
                    pb::SendMessageResponse* out) {
  *out->mutable_status() = FromGrpc(status, pb::TOPIC_NOT_FOUND);
  if (!status.ok()) return;
  for (const messaging::SendResult& result : sent.results()) {
    pb::SendResultEntry* entry = out->add_entries();
    *entry->mutable_status() = OkStatus();
    entry->set_message_id(result.message_id());
    entry->set_offset(result.queue_offset());
  }
}

pb::Message ToV2Message(const messaging::MessageExt& stored, const std::string& store_host) {
  const messaging::Message& message = stored.message();
  pb::Message out;
  out.mutable_topic()->set_name(message.topic());
  out.mutable_user_properties()->insert(message.properties().begin(), message.properties().end());
  out.set_body(message.body());
  pb::SystemProperties* system = out.mutable_system_properties();
  if (!message.tag().empty()) system->set_tag(message.tag());
  system->mutable_keys()->CopyFrom(message.keys());
  system->set_message_id(message.message_id());
  system->mutable_body_digest()->set_type(pb::MD5);
  system->mutable_body_digest()->set_checksum(BodyMd5Hex(message.body()));
  system->set_body_encoding(pb::IDENTITY);
  system->set_message_type(pb::NORMAL);
  *system->mutable_born_timestamp() = TimeUtil::MillisecondsToTimestamp(message.born_timestamp_ms());
  *system->mutable_store_timestamp() = TimeUtil::MillisecondsToTimestamp(stored.store_timestamp_ms());
  system->set_store_host(store_host);
  system->set_queue_id(stored.queue_id());
  system->set_queue_offset(stored.queue_offset());
  system->set_delivery_attempt(stored.reconsume_times() + 1);
  return out;
}

std::string BodyMd5Hex(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const int done = EVP_Digest(body.data(), body.size(), digest, &length, EVP_md5(), nullptr);
  RMQ_ASSERT(done == 1);
  RMQ_ASSERT(length == 16);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

}  // namespace raftmq::broker::v2
