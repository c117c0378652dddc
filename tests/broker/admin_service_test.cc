#include "tests/broker/service_fixture.h"

namespace raftmq::broker::testing {
namespace {

class AdminServiceTest : public ServiceFixture {};

TEST_F(AdminServiceTest, TopicLifecycleCreateDescribeUpdateListDelete) {
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  ASSERT_TRUE(Send(Batch("orders", 1, 3)).ok());
  admin::DescribeTopicRequest describe;
  describe.set_name("orders");
  admin::TopicResponse described;
  ASSERT_TRUE(Call(*admin_, &AdminStub::DescribeTopic, describe, &described).ok());
  ASSERT_EQ(described.queues_size(), 2);
  EXPECT_EQ(described.queues(1).max_offset(), 3);

  admin::UpdateTopicRequest update;
  *update.mutable_topic() = described.topic();
  update.mutable_topic()->set_perm(kPermRead);
  admin::TopicResponse updated;
  ASSERT_TRUE(Call(*admin_, &AdminStub::UpdateTopic, update, &updated).ok());
  EXPECT_EQ(Send(Batch("orders", 1, 1)).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  admin::ListTopicsResponse listed;
  ASSERT_TRUE(Call(*admin_, &AdminStub::ListTopics, {}, &listed).ok());
  ASSERT_EQ(listed.topics_size(), 1);

  admin::DeleteTopicRequest del;
  del.set_name("orders");
  admin::TopicResponse deleted;
  ASSERT_TRUE(Call(*admin_, &AdminStub::DeleteTopic, del, &deleted).ok());
  grpc::ClientContext again;
  EXPECT_EQ(admin_->DescribeTopic(&again, describe, &described).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AdminServiceTest, NodeStatusReportsRoleAndAppliedIndex) {
  admin::NodeStatusResponse status;
  ASSERT_TRUE(Call(*admin_, &AdminStub::NodeStatus, {}, &status).ok());
  EXPECT_EQ(status.role(), admin::LEADER);
  EXPECT_EQ(status.node_id(), 1u);
  EXPECT_EQ(status.term(), 1u);
  EXPECT_EQ(status.applied_index(), log_.LastIndex().value());
  EXPECT_EQ(status.group_name(), "broker-a");
}

TEST_F(AdminServiceTest, GroupOffsetsShowLagPerQueue) {
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  ASSERT_TRUE(Send(Batch("orders", 0, 5)).ok());
  messaging::CommitOffsetRequest commit;
  commit.set_consumer_group("group");
  commit.set_topic("orders");
  commit.set_queue_id(0);
  commit.set_offset(2);
  messaging::CommitOffsetResponse ignored;
  ASSERT_TRUE(Call(*messaging_, &MessagingStub::CommitOffset, commit, &ignored).ok());
  admin::GroupOffsetsRequest request;
  request.set_consumer_group("group");
  request.set_topic("orders");
  admin::GroupOffsetsResponse lag;
  ASSERT_TRUE(Call(*admin_, &AdminStub::GroupOffsets, request, &lag).ok());
  ASSERT_EQ(lag.queues_size(), 2);
  EXPECT_EQ(lag.queues(0).lag(), 3);
  EXPECT_EQ(lag.queues(0).broker_max_offset(), 5);
  EXPECT_EQ(lag.queues(1).consumer_offset(), -1);
}

TEST_F(AdminServiceTest, TopicChangesOnAFollowerAreRefusedWithTheLeaderHint) {
  replicator_->BecomeFollower(2);
  EXPECT_EQ(CreateTopic("orders").error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(components_->topics()->Find("orders").has_value());
}

TEST_F(AdminServiceTest, AFollowerRefusesReadsOfReplicatedStateItMayNotHaveApplied) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  replicator_->BecomeFollower(2);
  admin::DescribeTopicRequest describe;
  describe.set_name("orders");
  admin::TopicResponse described;
  EXPECT_EQ(Call(*admin_, &AdminStub::DescribeTopic, describe, &described).error_code(), grpc::StatusCode::UNAVAILABLE);
  admin::ListTopicsResponse listed;
  EXPECT_EQ(Call(*admin_, &AdminStub::ListTopics, {}, &listed).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(listed.topics_size(), 0);
  admin::GroupOffsetsRequest lag_request;
  lag_request.set_consumer_group("billing");
  admin::GroupOffsetsResponse lag;
  EXPECT_EQ(Call(*admin_, &AdminStub::GroupOffsets, lag_request, &lag).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AdminServiceTest, AMembershipChangeThatIsNotOneIsRefusedNamingWhyAndChangesNothing) {
  auto request = [](admin::MembershipChange change, uint64_t node, std::string address) {
    admin::ChangeMembershipRequest built;
    built.set_change(change);
    built.set_node_id(node);
    built.set_address(std::move(address));
    return built;
  };
  const std::vector<std::pair<admin::ChangeMembershipRequest, std::string>> cases = {
      {request(admin::ADD_LEARNER, 0, "127.0.0.1:1"), "node_id must be positive"},
      {request(admin::ADD_LEARNER, kNodeIdMax + 1, "127.0.0.1:1"), "node_id 65 is above 64"},
      {request(admin::ADD_LEARNER, 4, ""), "no host"},
      {request(admin::ADD_LEARNER, 4, "127.0.0.1:0"), "port"},
      {request(admin::REMOVE_NODE, 2, "127.0.0.1:1"), "ADD_LEARNER only"},
      {request(static_cast<admin::MembershipChange>(9), 4, ""), "unknown membership change 9"},
  };
  const Index last = log_.LastIndex();
  for (const auto& [bad, needle] : cases) {
    SCOPED_TRACE(bad.ShortDebugString());
    admin::ChangeMembershipResponse response;
    const grpc::Status status = Call(*admin_, &AdminStub::ChangeMembership, bad, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find(needle), std::string::npos) << status.error_message();
  }
  EXPECT_EQ(log_.LastIndex(), last);
  admin::GroupMembersResponse members;
  ASSERT_TRUE(Call(*admin_, &AdminStub::GroupMembers, {}, &members).ok());
  ASSERT_EQ(members.members_size(), 1);
  EXPECT_TRUE(members.members(0).voter());
  EXPECT_EQ(members.leader_id(), 1u);
}

}  // namespace
}  // namespace raftmq::broker::testing
