#include "broker/send_validator.h"

#include <string>

#include "broker/invalid_argument.h"
#include "broker/names.h"
#include "broker/topic_config_manager.h"

namespace raftmq::broker {
namespace {

uint64_t MessageBytes(const messaging::Message& message) {
  uint64_t bytes = message.topic().size() + message.tag().size() + message.body().size() + message.message_id().size();
  for (const std::string& key : message.keys()) bytes += key.size();
  for (const auto& [name, value] : message.properties()) bytes += name.size() + value.size();
  return bytes;
}

grpc::Status CheckMessage(const messaging::Message& message, const std::string& topic, const BrokerOptions& options) {
  if (message.topic() != topic) return InvalidArgument("a batch must target one topic: '" + message.topic() + "' after '" + topic + "'");
  if (message.body().empty()) return InvalidArgument("message body is empty");
  const uint64_t bytes = MessageBytes(message);
  if (bytes > options.max_message_size_bytes) {
    return InvalidArgument("message of " + std::to_string(bytes) + " bytes exceeds max_message_size_bytes = " +
                   std::to_string(options.max_message_size_bytes));
  }
  if (static_cast<uint32_t>(message.keys_size()) > options.message_keys_max) {
    return InvalidArgument("message has more than message_keys_max = " + std::to_string(options.message_keys_max) + " keys");
  }
  if (message.properties_size() > static_cast<int>(options.message_properties_max)) {
    return InvalidArgument("message has more than message_properties_max = " + std::to_string(options.message_properties_max) +
                   " properties");
  }
  if (message.tag().size() > kNameLengthMax || message.message_id().size() > kNameLengthMax) {
    return InvalidArgument("message tag or id is longer than 127 bytes");
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status CheckSendRequest(const messaging::SendMessageRequest& request, const BrokerOptions& options) {
  if (request.messages().empty()) return InvalidArgument("send request holds no message");
  if (static_cast<uint32_t>(request.messages_size()) > options.batch_messages_max) {
    return InvalidArgument("batch of " + std::to_string(request.messages_size()) + " messages exceeds batch_messages_max = " +
                   std::to_string(options.batch_messages_max));
  }
  const std::string& topic = request.messages(0).topic();
  grpc::Status status = CheckName("topic", topic);
  if (status.ok()) status = CheckSendableTopic(topic);
  if (!status.ok()) return status;
  if (request.queue_id() < 0) return InvalidArgument("queue id " + std::to_string(request.queue_id()) + " is negative");
  uint64_t total_bytes = 0;
  for (const messaging::Message& message : request.messages()) {
    status = CheckMessage(message, topic, options);
    if (!status.ok()) return status;
    total_bytes += MessageBytes(message);
  }
  if (total_bytes > options.max_message_size_bytes) {
    return InvalidArgument("batch of " + std::to_string(total_bytes) + " bytes exceeds max_message_size_bytes = " +
                   std::to_string(options.max_message_size_bytes));
  }
  return grpc::Status::OK;
}

grpc::Status CheckTopicWritable(const admin::TopicConfig& topic, int32_t queue_id) {
  if ((topic.perm() & kPermWrite) == 0) {
    return {grpc::StatusCode::PERMISSION_DENIED, "topic '" + topic.name() + "' is not writable"};
  }
  if (queue_id >= topic.write_queue_nums()) {
    return InvalidArgument("queue id " + std::to_string(queue_id) + " is not below write_queue_nums " +
                   std::to_string(topic.write_queue_nums()) + " of topic '" + topic.name() + "'");
  }
  return grpc::Status::OK;
}

grpc::Status CheckTopicReadable(const admin::TopicConfig& topic, int32_t queue_id) {
  if ((topic.perm() & kPermRead) == 0) {
    return {grpc::StatusCode::PERMISSION_DENIED, "topic '" + topic.name() + "' is not readable"};
  }
  if (queue_id < 0 || queue_id >= topic.read_queue_nums()) {
    return InvalidArgument("queue id " + std::to_string(queue_id) + " is not in [0, read_queue_nums " +
                   std::to_string(topic.read_queue_nums()) + ") of topic '" + topic.name() + "'");
  }
  return grpc::Status::OK;
}

}  // namespace raftmq::broker
