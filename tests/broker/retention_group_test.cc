// Scheduled retention in a real 3-node group (broker_group_fixture.h): 4 KiB segments,
// retention_hours 0 and every hour a deletion hour, so the leader's RetentionScheduler proposes
// a DeleteLogBefore as soon as a whole segment lies below every node's progress.
#include <filesystem>
#include <string>
#include <vector>

#include "common/metadata_keys.h"
#include "tests/broker/broker_group_fixture.h"

namespace raftmq::broker {
namespace {

constexpr int kMessages = 60;
constexpr size_t kBodyBytes = 400;  // about 8 entries per 4 KiB segment

class RetentionGroupTest : public BrokerGroupTest {
 protected:
  void Configure(BrokerOptions& options) const override {
    options.max_message_size_bytes = 2048;
    options.commit_log_segment_size_bytes = 4096;
    options.retention_hours = retention_hours_;
    options.disk_usage_watermark_percent = 100;  // by age only, however full the test machine's disk
    options.retention_delete_when = "0;1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23";
    options.retention_check_interval_ms = 50;
  }

  uint64_t retention_hours_ = 0;

  static std::string Body(int64_t offset) {
    std::string body = "m" + std::to_string(offset) + ":";
    body.resize(kBodyBytes, 'x');
    return body;
  }

  // Sends kMessages to queue 0 of "orders" on `leader`; message i lands at queue offset i.
  void SendAll(NodeId leader) {
    for (int i = 0; i < kMessages; ++i) {
      messaging::SendMessageResponse sent;
      grpc::ClientContext context;
      grpc::Status status = Send(leader, Body(i), &sent, &context);
      ASSERT_TRUE(status.ok()) << "message " << i << ": " << status.error_message();
      ASSERT_EQ(sent.results(0).queue_offset(), i);
    }
  }

  const storage::ConsumeQueue* Queue(NodeId id) {
    return nodes_[id - 1]->components()->queues()->Find("orders", 0);
  }
  Index FirstIndex(NodeId id) const { return nodes_[id - 1]->log()->FirstIndex(); }

  // Every running node deleted the same prefix, past entry 1, and its queue 0 starts at the
  // same min offset above 0: what a finished round of retention leaves.
  bool GroupRetainedAlike(const std::vector<NodeId>& ids) {
    const Index first = FirstIndex(ids.front());
    const storage::ConsumeQueue* front_queue = Queue(ids.front());
    if (first <= Index(1) || front_queue == nullptr || front_queue->MinOffset() == 0) return false;
    for (NodeId id : ids) {
      const storage::ConsumeQueue* queue = Queue(id);
      if (FirstIndex(id) != first || queue == nullptr || queue->MinOffset() != front_queue->MinOffset()) return false;
    }
    return true;
  }

  // Retention is done: every node of `ids` deleted the same prefix and the leader's next check
  // finds nothing more to delete (no writes come meanwhile, so nothing moves any more).
  ::testing::AssertionResult RetentionSettled(NodeId leader, const std::vector<NodeId>& ids = {1, 2, 3}) {
    return Eventually([&] {
      auto proposed = nodes_[leader - 1]->retention()->RunOnce(clock_.UnixNowMs());
      // Every node applied the leader's whole log: no deletion an earlier check proposed is
      // still on its way (seen under ASan: it applied after the group looked settled).
      const Index last = nodes_[leader - 1]->log()->LastIndex();
      for (NodeId id : ids) {
        if (nodes_[id - 1]->components()->machine()->applied_index() != last) return false;
      }
      return proposed.ok() && !proposed->has_value() && GroupRetainedAlike(ids);
    });
  }

  // `id` applied what `leader` did, and its queue 0 has the same offsets.
  ::testing::AssertionResult CaughtUpWith(NodeId id, NodeId leader) {
    return Eventually([&] {
      const storage::ConsumeQueue* queue = Queue(id);
      return nodes_[id - 1]->components()->machine()->applied_index() >=
                 nodes_[leader - 1]->components()->machine()->applied_index() &&
             queue != nullptr && queue->MinOffset() == Queue(leader)->MinOffset() &&
             queue->MaxOffset() == Queue(leader)->MaxOffset();
    });
  }

  // Makes `id` lead, then checks it serves every message from its min offset and the next
  // offset. `id` was started with retention_hours_ 1000: as leader it deletes nothing more.
  void ExpectServesAsLeader(NodeId id) {
    ASSERT_TRUE(Eventually([&] {
      const NodeId serving = WaitForServingLeader();
      if (serving != id && serving != kNoNode) (void)nodes_[serving - 1]->replicator()->TransferLeadership(id);
      return serving == id;
    })) << "node " << id << " did not take the lead";
    ExpectIntactFrom(id, static_cast<int64_t>(Queue(id)->MinOffset()));
    messaging::SendMessageResponse sent;
    grpc::ClientContext context;
    ASSERT_TRUE(Send(id, "after", &sent, &context).ok());
    EXPECT_EQ(sent.results(0).queue_offset(), kMessages) << "the queue offsets are the group's";
  }

  // Pulls queue 0 on the serving leader from `from` to its end and checks every body.
  void ExpectIntactFrom(NodeId leader, int64_t from) {
    for (int64_t offset = from; offset < kMessages;) {
      messaging::PullMessageResponse pulled;
      grpc::Status status = Pull(leader, offset, 0, &pulled);
      ASSERT_TRUE(status.ok()) << "offset " << offset << ": " << status.error_message();
      ASSERT_GT(pulled.messages_size(), 0) << "offset " << offset;
      for (const auto& message : pulled.messages()) {
        EXPECT_EQ(message.message().body(), Body(offset)) << "offset " << offset;
        ++offset;
      }
    }
  }
};

TEST_F(RetentionGroupTest, EveryNodeDeletesTheSamePrefixAndPullsBelowTheMinOffsetAreOutOfRange) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  SendAll(leader);
  ASSERT_TRUE(RetentionSettled(leader))
      << "first indexes " << FirstIndex(1).value() << " " << FirstIndex(2).value() << " " << FirstIndex(3).value();
  const uint64_t min_offset = Queue(leader)->MinOffset();
  // Retention's own DeleteLogBefore entries fill segments too, so with retention_hours 0 the
  // segment of the last messages may go as well (min offset kMessages): only the newest stays.
  EXPECT_LE(min_offset, static_cast<uint64_t>(kMessages));
  EXPECT_LE(FirstIndex(leader), nodes_[leader - 1]->log()->LastIndex()) << "the newest segment stays";
  for (NodeId id = 1; id <= kNodes; ++id) {
    EXPECT_GT(nodes_[id - 1]->components()->machine()->retention_segments_deleted(), 0u) << "node " << id;
    EXPECT_GT(nodes_[id - 1]->components()->machine()->retention_bytes_deleted(), 0u) << "node " << id;
  }

  messaging::PullMessageRequest request;
  request.set_consumer_group("group");
  request.set_topic("orders");
  request.set_queue_offset(0);
  messaging::PullMessageResponse pulled;
  grpc::ClientContext context;
  grpc::Status below = messaging_[leader - 1]->PullMessage(&context, request, &pulled);
  EXPECT_EQ(below.error_code(), grpc::StatusCode::OUT_OF_RANGE) << below.error_message();
  auto named = context.GetServerTrailingMetadata().find(kMinOffsetKey);
  ASSERT_NE(named, context.GetServerTrailingMetadata().end()) << "OUT_OF_RANGE names no min offset";
  EXPECT_EQ(std::string(named->second.data(), named->second.size()), std::to_string(min_offset));
  ExpectIntactFrom(leader, static_cast<int64_t>(min_offset));
}

TEST_F(RetentionGroupTest, AFollowerDownPastRetentionCatchesUpBySnapshotWithTheGroupsQueueOffsets) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  const NodeId stopped = leader % kNodes + 1;
  const NodeId running = kNodes * (kNodes + 1) / 2 - leader - stopped;  // the third node
  ASSERT_TRUE(WaitUntilNoNodeRecovers()) << "a node still recovers: stopping one now could leave no majority";
  const Index stopped_last = nodes_[stopped - 1]->log()->LastIndex();
  nodes_[stopped - 1].reset();
  SendAll(leader);
  // A stopped follower does not hold retention back: a snapshot will serve it.
  ASSERT_TRUE(RetentionSettled(leader, {leader, running}));
  ASSERT_GT(FirstIndex(leader), stopped_last + 1) << "retention deleted entries the stopped follower lacks";
  ASSERT_TRUE(nodes_[leader - 1]->components()->snapshots()->Latest().value().has_value())
      << "the leader took no snapshot before deleting";

  retention_hours_ = 1000;  // once it leads, the queue stays as it caught up
  StartNode(stopped);
  ASSERT_TRUE(CaughtUpWith(stopped, leader)) << "the restarted follower did not catch up";
  EXPECT_GT(FirstIndex(stopped), Index(1)) << "it caught up without the deleted entries: by snapshot";
  EXPECT_EQ(nodes_[stopped - 1]->components()->machine()->retention_segments_deleted(), 0u)
      << "it deleted nothing itself: its log was reset to the snapshot";
  ExpectServesAsLeader(stopped);
}

TEST_F(RetentionGroupTest, ANodeOnAnEmptyDataDirCatchesUpBySnapshot) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  SendAll(leader);
  ASSERT_TRUE(RetentionSettled(leader));
  const NodeId replaced = leader % kNodes + 1;
  ASSERT_TRUE(WaitUntilNoNodeRecovers());
  nodes_[replaced - 1].reset();
  std::filesystem::remove_all(dir_.Sub("node" + std::to_string(replaced)));

  // Retention may go on meanwhile (a stopped node holds nothing back): CaughtUpWith compares
  // with the leader's queue as it stands then.
  retention_hours_ = 1000;
  StartNode(replaced);
  ASSERT_TRUE(CaughtUpWith(replaced, leader)) << "the node on an empty data dir did not catch up";
  EXPECT_GT(FirstIndex(replaced), Index(1)) << "it holds no entry retention deleted: it caught up by snapshot";
  ExpectServesAsLeader(replaced);
}

TEST_F(RetentionGroupTest, NodesRestartAfterRetentionWithTheSamePrefixAndMinOffsets) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  SendAll(leader);
  ASSERT_TRUE(RetentionSettled(leader));
  const Index first = FirstIndex(leader);
  const uint64_t min_offset = Queue(leader)->MinOffset();

  retention_hours_ = 1000;  // the restarted group deletes nothing more: what it holds is what it kept
  for (auto& node : nodes_) node.reset();
  for (NodeId id = 1; id <= kNodes; ++id) StartNode(id);
  for (NodeId id = 1; id <= kNodes; ++id) {
    EXPECT_EQ(FirstIndex(id), first) << "node " << id;
    ASSERT_NE(Queue(id), nullptr) << "node " << id;
    EXPECT_EQ(Queue(id)->MinOffset(), min_offset) << "node " << id << ": min offsets are raised again at start-up";
    // Replay applies each DeleteLogBefore once: nothing is left for it to delete.
    EXPECT_EQ(nodes_[id - 1]->components()->machine()->retention_segments_deleted(), 0u) << "node " << id;
  }
  const NodeId serving = WaitForServingLeader();
  ASSERT_NE(serving, kNoNode);
  ExpectIntactFrom(serving, static_cast<int64_t>(min_offset));
  messaging::SendMessageResponse sent;
  grpc::ClientContext context;
  ASSERT_TRUE(Send(serving, "after", &sent, &context).ok());
  EXPECT_EQ(sent.results(0).queue_offset(), kMessages);
}

}  // namespace
}  // namespace raftmq::broker
