// The simple consumer's RPCs (ReceiveMessage, AckMessage, ChangeInvisibleDuration) on the
// gRPC port of real raftmq-broker processes, through raw stubs: what a receive streams, acks
// and changed handles, redelivery with the attempt raised, the dead-letter queue after the
// last attempt, and the documented codes of bad requests (unknown topic, bad or spent handle,
// invisible duration out of range, a follower), each of which changes nothing: the next
// receive gets what it would have got. The brokers run with pop_invisible_duration_ms_min =
// 1 s and max_reconsume_times = 1 so redelivery takes seconds.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/v2/v2_cluster_test.h"

namespace raftmq::e2e {
namespace {

constexpr int64_t kInvisibleMs = 1000;  // the brokers' minimum here
constexpr int64_t kLongPollingMs = 5000;

class V2Pop : public V2ClusterTest {
 protected:
  static void SetUpTestSuite() {
    const std::vector<std::string> flags = {"--pop_invisible_duration_ms_min=" + std::to_string(kInvisibleMs),
                                            "--max_reconsume_times=1"};
    ASSERT_NO_FATAL_FAILURE(StartCluster(ClusterOptions{.broker_flags = flags}));
  }
  static void TearDownTestSuite() { StopCluster(); }

  static pb::ReceiveMessageRequest ReceiveRequest(const std::string& topic, int batch, int64_t invisible_ms) {
    return V2ClusterTest::ReceiveRequest("PopGroup", topic, batch, invisible_ms, kLongPollingMs);
  }

  pb::AckMessageResponse Ack(const std::string& topic, const std::vector<std::string>& handles) const {
    return V2ClusterTest::Ack("PopGroup", topic, handles);
  }
  pb::ChangeInvisibleDurationResponse Change(const std::string& topic, const std::string& handle,
                                             int64_t invisible_ms) const {
    return V2ClusterTest::Change("PopGroup", topic, handle, invisible_ms);
  }
};

TEST_F(V2Pop, ReceiveStreamsStatusThenMessagesThenTimestampAndAcksSpendTheirHandles) {
  const std::string topic = "PopReceive";
  ASSERT_NO_FATAL_FAILURE(CreateWithMessages(topic, 3));
  Received first = Receive(ReceiveRequest(topic, 2, 60000));
  ASSERT_EQ(first.status.code(), pb::OK) << first.status.message();
  EXPECT_TRUE(first.status_first);
  EXPECT_TRUE(first.delivery_timestamp);
  ASSERT_EQ(first.messages.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const pb::SystemProperties& system = first.messages[static_cast<size_t>(i)].system_properties();
    EXPECT_EQ(system.message_id(), topic + "-ID-" + std::to_string(i));
    EXPECT_EQ(system.queue_offset(), i);
    EXPECT_EQ(system.delivery_attempt(), 1);
    EXPECT_FALSE(system.receipt_handle().empty());
    EXPECT_EQ(system.body_digest().type(), pb::MD5);
    EXPECT_EQ(system.body_digest().checksum().size(), 32u);
    EXPECT_TRUE(system.has_born_timestamp());
    EXPECT_TRUE(system.has_store_timestamp());
  }
  const std::string handle0 = first.messages[0].system_properties().receipt_handle();
  const std::string handle1 = first.messages[1].system_properties().receipt_handle();

  pb::AckMessageResponse acked = Ack(topic, {handle0, handle1});
  ASSERT_EQ(acked.status().code(), pb::OK) << acked.status().message();
  ASSERT_EQ(acked.entries_size(), 2);
  EXPECT_EQ(acked.entries(0).status().code(), pb::OK);
  // Spent: acknowledged already.
  acked = Ack(topic, {handle0});
  EXPECT_EQ(acked.status().code(), pb::INVALID_RECEIPT_HANDLE);

  // The next receive gets the third message only: nothing acknowledged comes back.
  Received second = Receive(ReceiveRequest(topic, 32, 60000));
  ASSERT_EQ(second.status.code(), pb::OK) << second.status.message();
  ASSERT_EQ(second.messages.size(), 1u);
  EXPECT_EQ(second.messages[0].body(), topic + "-2");
  ASSERT_EQ(Ack(topic, {second.messages[0].system_properties().receipt_handle()}).status().code(), pb::OK);
}

TEST_F(V2Pop, BadRequestsGetTheirCodesAndChangeNothing) {
  const std::string topic = "PopBad";
  ASSERT_NO_FATAL_FAILURE(CreateWithMessages(topic, 2));
  EXPECT_EQ(Receive(ReceiveRequest("NoSuchTopic", 1, 60000)).status.code(), pb::TOPIC_NOT_FOUND);
  EXPECT_EQ(Receive(ReceiveRequest(topic, 1, kInvisibleMs - 1)).status.code(), pb::ILLEGAL_INVISIBLE_TIME);
  EXPECT_EQ(Receive(ReceiveRequest(topic, 1, 13LL * 3600 * 1000)).status.code(), pb::ILLEGAL_INVISIBLE_TIME);
  Received follower = Receive(ReceiveRequest(topic, 1, 60000), Follower());
  EXPECT_EQ(follower.status.code(), pb::HA_NOT_AVAILABLE);
  EXPECT_NE(follower.status.message().find(cluster_->NodeAddress(1, leader_)), std::string::npos);

  // None of them moved the pop offset: the first receive that counts gets message 0.
  Received received = Receive(ReceiveRequest(topic, 1, 60000));
  ASSERT_EQ(received.status.code(), pb::OK) << received.status.message();
  ASSERT_EQ(received.messages.size(), 1u);
  EXPECT_EQ(received.messages[0].body(), topic + "-0");
  const std::string handle = received.messages[0].system_properties().receipt_handle();

  EXPECT_EQ(Ack(topic, {"not a handle"}).status().code(), pb::INVALID_RECEIPT_HANDLE);
  EXPECT_EQ(Ack(topic, {"0:0:999999:0:" + topic}).status().code(), pb::INVALID_RECEIPT_HANDLE);  // forged epoch
  EXPECT_EQ(Ack("NoSuchTopic", {handle}).status().code(), pb::TOPIC_NOT_FOUND);
  // A change may be shorter than a receive's minimum (a push consumer's retry), not negative
  // nor longer than the maximum.
  EXPECT_EQ(Change(topic, handle, -1).status().code(), pb::ILLEGAL_INVISIBLE_TIME);
  EXPECT_EQ(Change(topic, handle, 13LL * 3600 * 1000).status().code(), pb::ILLEGAL_INVISIBLE_TIME);
  EXPECT_EQ(Change(topic, "garbage", 60000).status().code(), pb::INVALID_RECEIPT_HANDLE);

  // Still in flight with its handle: a change answers a new handle and spends the old one.
  pb::ChangeInvisibleDurationResponse changed = Change(topic, handle, 30000);
  ASSERT_EQ(changed.status().code(), pb::OK) << changed.status().message();
  ASSERT_FALSE(changed.receipt_handle().empty());
  EXPECT_NE(changed.receipt_handle(), handle);
  EXPECT_EQ(Ack(topic, {handle}).status().code(), pb::INVALID_RECEIPT_HANDLE);
  EXPECT_EQ(Ack(topic, {changed.receipt_handle()}).status().code(), pb::OK);
}

TEST_F(V2Pop, AnUnackedMessageComesBackWithItsAttemptRaisedThenGoesToTheDeadLetterQueue) {
  const std::string topic = "PopRedeliver";
  ASSERT_NO_FATAL_FAILURE(CreateWithMessages(topic, 1));
  Received first = Receive(ReceiveRequest(topic, 1, kInvisibleMs));
  ASSERT_EQ(first.messages.size(), 1u) << first.status.message();
  EXPECT_EQ(first.messages[0].system_properties().delivery_attempt(), 1);

  // Not acknowledged: the receive waits for its deadline and gets it again, id unchanged.
  Received again = Receive(ReceiveRequest(topic, 1, kInvisibleMs));
  ASSERT_EQ(again.messages.size(), 1u) << again.status.message();
  EXPECT_EQ(again.messages[0].system_properties().message_id(), topic + "-ID-0");
  EXPECT_EQ(again.messages[0].system_properties().delivery_attempt(), 2);
  EXPECT_NE(again.messages[0].system_properties().receipt_handle(),
            first.messages[0].system_properties().receipt_handle());
  EXPECT_EQ(Ack(topic, {first.messages[0].system_properties().receipt_handle()}).status().code(),
            pb::INVALID_RECEIPT_HANDLE);

  // max_reconsume_times = 1: after its second delivery it goes to %DLQ%PopGroup, not back.
  Received third = Receive(ReceiveRequest(topic, 1, kInvisibleMs));
  EXPECT_EQ(third.status.code(), pb::MESSAGE_NOT_FOUND);
  EXPECT_TRUE(third.messages.empty());
  std::vector<messaging::MessageExt> dead;
  ASSERT_TRUE(PullToEnd(cluster_->Messaging(1, leader_), "%DLQ%PopGroup", 0, 0, &dead).ok());
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message().message_id(), topic + "-ID-0");
  EXPECT_EQ(dead[0].message().body(), topic + "-0");
}

}  // namespace
}  // namespace raftmq::e2e
