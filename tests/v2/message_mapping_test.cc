// The mapping between RocketMQ 5 messages and raftmq's (broker/v2/message_mapping.h).
#include "broker/v2/message_mapping.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

constexpr uint64_t kBodyBytesMax = 64;

pb::Message NodeMessage(const std::string& id) {
  pb::Message message;
  message.mutable_topic()->set_name("Orders");
  (*message.mutable_user_properties())["region"] = "eu";
  message.set_body("hello " + id);
  pb::SystemProperties* system = message.mutable_system_properties();
  system->set_tag("created");
  system->add_keys("order-1");
  system->add_keys("customer-7");
  system->set_message_id(id);
  system->set_message_type(pb::NORMAL);
  system->set_body_encoding(pb::IDENTITY);
  system->set_queue_id(2);
  *system->mutable_born_timestamp() = TimeUtil::MillisecondsToTimestamp(1'700'000'000'123);
  return message;
}

pb::Code MappedCode(const pb::SendMessageRequest& request) {
  messaging::SendMessageRequest out;
  return ToSendRequest(request, kBodyBytesMax, &out).code();
}

pb::SendMessageRequest OneMessage(const pb::Message& message) {
  pb::SendMessageRequest request;
  *request.add_messages() = message;
  return request;
}

TEST(MessageMapping, KeepsTopicTagKeysPropertiesBodyBornTimeAndTheProducersId) {
  pb::SendMessageRequest request;
  *request.add_messages() = NodeMessage("01A");
  *request.add_messages() = NodeMessage("01B");
  messaging::SendMessageRequest out;
  ASSERT_EQ(ToSendRequest(request, kBodyBytesMax, &out).code(), pb::OK);
  EXPECT_EQ(out.queue_id(), 2);
  ASSERT_EQ(out.messages_size(), 2);
  const messaging::Message& first = out.messages(0);
  EXPECT_EQ(first.topic(), "Orders");
  EXPECT_EQ(first.tag(), "created");
  ASSERT_EQ(first.keys_size(), 2);
  EXPECT_EQ(first.keys(1), "customer-7");
  EXPECT_EQ(first.properties().at("region"), "eu");
  EXPECT_EQ(first.body(), "hello 01A");
  EXPECT_EQ(first.message_id(), "01A");
  EXPECT_EQ(first.born_timestamp_ms(), 1'700'000'000'123);
  EXPECT_EQ(out.messages(1).message_id(), "01B");
}

TEST(MessageMapping, RefusesWhatRaftmqDoesNotStoreWithTheCodeOfTheField) {
  pb::Message message = NodeMessage("01A");
  EXPECT_EQ(MappedCode(pb::SendMessageRequest()), pb::BAD_REQUEST);

  message.mutable_system_properties()->clear_message_id();
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::ILLEGAL_MESSAGE_ID);

  message = NodeMessage("01A");
  message.mutable_system_properties()->set_message_type(pb::FIFO);
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::UNSUPPORTED);

  message = NodeMessage("01A");
  message.mutable_system_properties()->set_message_group("g");
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::MESSAGE_PROPERTY_CONFLICT_WITH_TYPE);

  message = NodeMessage("01A");
  message.mutable_system_properties()->set_body_encoding(pb::GZIP);
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::UNSUPPORTED);

  message = NodeMessage("01A");
  message.mutable_topic()->set_resource_namespace("tenant");
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::UNSUPPORTED);

  message = NodeMessage("01A");
  message.mutable_topic()->set_name("bad topic");
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::ILLEGAL_TOPIC);

  message = NodeMessage("01A");
  message.clear_body();
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::MESSAGE_BODY_EMPTY);

  message = NodeMessage("01A");
  message.set_body(std::string(kBodyBytesMax + 1, 'x'));
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::MESSAGE_BODY_TOO_LARGE);

  message = NodeMessage("01A");
  message.mutable_system_properties()->mutable_body_digest()->set_type(pb::MD5);
  message.mutable_system_properties()->mutable_body_digest()->set_checksum(BodyMd5Hex("another body"));
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::MESSAGE_CORRUPTED);
}

TEST(MessageMapping, AcceptsAMatchingDigestInEitherCase) {
  pb::Message message = NodeMessage("01A");
  std::string digest = BodyMd5Hex(message.body());
  for (char& c : digest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  message.mutable_system_properties()->mutable_body_digest()->set_type(pb::MD5);
  message.mutable_system_properties()->mutable_body_digest()->set_checksum(digest);
  EXPECT_EQ(MappedCode(OneMessage(message)), pb::OK);
}

TEST(MessageMapping, RefusesABatchMixingTopicsOrQueues) {
  pb::SendMessageRequest topics;
  *topics.add_messages() = NodeMessage("01A");
  *topics.add_messages() = NodeMessage("01B");
  topics.mutable_messages(1)->mutable_topic()->set_name("Other");
  EXPECT_EQ(MappedCode(topics), pb::BAD_REQUEST);

  pb::SendMessageRequest queues;
  *queues.add_messages() = NodeMessage("01A");
  *queues.add_messages() = NodeMessage("01B");
  queues.mutable_messages(1)->mutable_system_properties()->set_queue_id(3);
  EXPECT_EQ(MappedCode(queues), pb::BAD_REQUEST);
}

TEST(MessageMapping, AnswersEachStoredMessageWithItsIdAndQueueOffset) {
  messaging::SendMessageResponse sent;
  messaging::SendResult* result = sent.add_results();
  result->set_message_id("01A");
  result->set_queue_offset(41);
  pb::SendMessageResponse out;
  ToSendResponse(grpc::Status::OK, sent, &out);
  EXPECT_EQ(out.status().code(), pb::OK);
  ASSERT_EQ(out.entries_size(), 1);
  EXPECT_EQ(out.entries(0).status().code(), pb::OK);
  EXPECT_EQ(out.entries(0).message_id(), "01A");
  EXPECT_EQ(out.entries(0).offset(), 41);
}

TEST(MessageMapping, AnswersAnUnknownTopicWithTopicNotFoundAndNoEntry) {
  pb::SendMessageResponse out;
  ToSendResponse(grpc::Status(grpc::StatusCode::NOT_FOUND, "topic 'x' does not exist"), messaging::SendMessageResponse(),
                 &out);
  EXPECT_EQ(out.status().code(), pb::TOPIC_NOT_FOUND);
  EXPECT_EQ(out.status().message(), "topic 'x' does not exist");
  EXPECT_EQ(out.entries_size(), 0);
}

TEST(MessageMapping, GivesAStoredMessageToAConsumerWithDigestOffsetsAndAttempt) {
  messaging::MessageExt stored;
  messaging::Message* message = stored.mutable_message();
  message->set_topic("Orders");
  message->set_tag("created");
  message->add_keys("order-1");
  (*message->mutable_properties())["region"] = "eu";
  message->set_body("hello");
  message->set_message_id("01A");
  message->set_born_timestamp_ms(1000);
  stored.set_queue_id(2);
  stored.set_queue_offset(7);
  stored.set_store_timestamp_ms(2000);
  stored.set_reconsume_times(1);

  const pb::Message out = ToV2Message(stored, "g1");
  EXPECT_EQ(out.topic().name(), "Orders");
  EXPECT_EQ(out.user_properties().at("region"), "eu");
  EXPECT_EQ(out.body(), "hello");
  const pb::SystemProperties& system = out.system_properties();
  EXPECT_EQ(system.tag(), "created");
  EXPECT_EQ(system.keys(0), "order-1");
  EXPECT_EQ(system.message_id(), "01A");
  EXPECT_EQ(system.body_digest().type(), pb::MD5);
  EXPECT_EQ(system.body_digest().checksum(), "5D41402ABC4B2A76B9719D911017C592");  // MD5("hello")
  EXPECT_EQ(system.message_type(), pb::NORMAL);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(system.born_timestamp()), 1000);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(system.store_timestamp()), 2000);
  EXPECT_EQ(system.store_host(), "g1");
  EXPECT_EQ(system.queue_id(), 2);
  EXPECT_EQ(system.queue_offset(), 7);
  EXPECT_EQ(system.delivery_attempt(), 2);
}

TEST(MessageMapping, RoundTripsThroughRaftmqUnchanged) {
  messaging::SendMessageRequest stored;
  ASSERT_EQ(ToSendRequest(OneMessage(NodeMessage("01A")), kBodyBytesMax, &stored).code(), pb::OK);
  messaging::MessageExt pulled;
  *pulled.mutable_message() = stored.messages(0);
  pulled.set_queue_id(stored.queue_id());
  const pb::Message back = ToV2Message(pulled, "g1");
  const pb::Message sent = NodeMessage("01A");
  EXPECT_EQ(back.topic().name(), sent.topic().name());
  EXPECT_EQ(back.body(), sent.body());
  EXPECT_EQ(back.user_properties().at("region"), "eu");
  EXPECT_EQ(back.system_properties().tag(), sent.system_properties().tag());
  EXPECT_EQ(back.system_properties().keys_size(), sent.system_properties().keys_size());
  EXPECT_EQ(back.system_properties().message_id(), sent.system_properties().message_id());
  EXPECT_EQ(back.system_properties().queue_id(), sent.system_properties().queue_id());
  EXPECT_EQ(back.system_properties().born_timestamp().seconds(), sent.system_properties().born_timestamp().seconds());
}

}  // namespace
}  // namespace raftmq::broker::v2
