// PopStateManager (broker/pop_state_manager.h): what each pop command does to the stored pop
// state, and that apply is total: a command whose expectations no longer hold, or that cannot
// be stored, changes nothing and says so in its status (the same on every node).
#include "broker/pop_state_manager.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

constexpr int64_t kDeadlineMs = 1'700'000'000'000;

PopCommand Pop(int64_t expected, std::vector<int64_t> offsets, int64_t next) {
  PopCommand command;
  command.set_consumer_group("g");
  command.set_topic("t");
  command.set_queue_id(0);
  command.set_expected_pop_offset(expected);
  for (int64_t offset : offsets) command.add_offsets(offset);
  command.set_next_pop_offset(next);
  command.set_deadline_ms(kDeadlineMs);
  return command;
}

PopHandle Handle(int64_t offset, int64_t epoch) {
  PopHandle handle;
  handle.set_offset(offset);
  handle.set_epoch(epoch);
  return handle;
}

PopHandleCommand HandleCommand(int64_t offset, int64_t epoch, int64_t deadline_ms = 0) {
  PopHandleCommand command;
  command.set_consumer_group("g");
  command.set_topic("t");
  command.set_queue_id(0);
  *command.mutable_handle() = Handle(offset, epoch);
  command.set_deadline_ms(deadline_ms);
  return command;
}

class PopStateManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::MetaStore::Open(dir_.Sub("meta"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    manager_ = std::make_unique<PopStateManager>(store_.get());
  }
  // Applies `apply` in a batch written only when it answers OK, as BrokerStateMachine does.
  template <typename Fn>
  grpc::StatusCode Apply(Fn apply) {
    auto batch = store_->NewBatch();
    Result<grpc::Status> status = apply(&batch);
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    if (status.ok() && status->ok()) {
      EXPECT_TRUE(store_->Write(std::move(batch)).ok());
    }
    return status.ok() ? status->error_code() : grpc::StatusCode::INTERNAL;
  }
  grpc::StatusCode ApplyPop(const PopCommand& command, uint64_t index) {
    return Apply([&](storage::MetaWriteBatch* batch) { return manager_->ApplyPop(command, Index(index), batch); });
  }
  grpc::StatusCode ApplyAck(const PopHandleCommand& command) {
    return Apply([&](storage::MetaWriteBatch* batch) { return manager_->ApplyAck(command, batch); });
  }
  grpc::StatusCode ApplyChange(const PopHandleCommand& command, uint64_t index) {
    return Apply(
        [&](storage::MetaWriteBatch* batch) { return manager_->ApplyChangeInvisible(command, Index(index), batch); });
  }
  PopQueueState State() const {
    auto state = manager_->Load("g", "t", 0);
    EXPECT_TRUE(state.ok());
    EXPECT_TRUE(state->has_value());
    return state.ok() && state->has_value() ? **state : PopQueueState();
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::MetaStore> store_;
  std::unique_ptr<PopStateManager> manager_;
};

TEST_F(PopStateManagerTest, PopPutsMessagesInFlightWithTheCommandsEpochAndDeadline) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0, 2}, 3), 7), grpc::StatusCode::OK);
  const PopQueueState state = State();
  EXPECT_EQ(state.pop_offset(), 3);
  ASSERT_EQ(state.in_flight_size(), 2);
  EXPECT_EQ(state.in_flight(1).offset(), 2);
  EXPECT_EQ(state.in_flight(1).epoch(), 7);
  EXPECT_EQ(state.in_flight(1).deadline_ms(), kDeadlineMs);
  EXPECT_EQ(state.in_flight(1).attempt(), 1);
}

TEST_F(PopStateManagerTest, APopExpectingAnotherOffsetChangesNothing) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0}, 1), 7), grpc::StatusCode::OK);
  EXPECT_EQ(ApplyPop(Pop(0, {0}, 1), 8), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(State().in_flight(0).epoch(), 7);
  EXPECT_EQ(State().pop_offset(), 1);
}

TEST_F(PopStateManagerTest, AckRemovesTheCurrentHandleOnlyAndAStaleOneIsANoOp) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0, 1}, 2), 7), grpc::StatusCode::OK);
  EXPECT_EQ(ApplyAck(HandleCommand(0, 6)), grpc::StatusCode::NOT_FOUND);  // another epoch
  EXPECT_EQ(State().in_flight_size(), 2);
  EXPECT_EQ(ApplyAck(HandleCommand(0, 7)), grpc::StatusCode::OK);
  EXPECT_EQ(ApplyAck(HandleCommand(0, 7)), grpc::StatusCode::NOT_FOUND);  // spent
  ASSERT_EQ(State().in_flight_size(), 1);
  EXPECT_EQ(State().in_flight(0).offset(), 1);
}

TEST_F(PopStateManagerTest, ChangeMovesTheDeadlineUnderANewEpochAndSpendsTheOldHandle) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0}, 1), 7), grpc::StatusCode::OK);
  EXPECT_EQ(ApplyChange(HandleCommand(0, 7, kDeadlineMs + 5), 9), grpc::StatusCode::OK);
  EXPECT_EQ(State().in_flight(0).epoch(), 9);
  EXPECT_EQ(State().in_flight(0).deadline_ms(), kDeadlineMs + 5);
  EXPECT_EQ(ApplyAck(HandleCommand(0, 7)), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ApplyAck(HandleCommand(0, 9)), grpc::StatusCode::OK);
}

TEST_F(PopStateManagerTest, RedeliveryRaisesTheAttemptAndRemovalTakesTheEntryOut) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0, 1}, 2), 7), grpc::StatusCode::OK);
  PopCommand again = Pop(2, {}, 2);
  *again.add_redeliver() = Handle(0, 7);
  *again.add_remove() = Handle(1, 7);
  ASSERT_EQ(ApplyPop(again, 8), grpc::StatusCode::OK);
  const PopQueueState state = State();
  ASSERT_EQ(state.in_flight_size(), 1);
  EXPECT_EQ(state.in_flight(0).offset(), 0);
  EXPECT_EQ(state.in_flight(0).attempt(), 2);
  EXPECT_EQ(state.in_flight(0).epoch(), 8);
  // The same redelivery again names a spent handle: refused, nothing changes.
  EXPECT_EQ(ApplyPop(again, 9), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(State().in_flight(0).epoch(), 8);
}

TEST_F(PopStateManagerTest, UnstorableCommandsAreRefusedAsInvalid) {
  ASSERT_EQ(ApplyPop(Pop(-1, {0, 1}, 2), 7), grpc::StatusCode::OK);
  PopCommand twice = Pop(2, {}, 2);
  *twice.add_redeliver() = Handle(0, 7);
  *twice.add_remove() = Handle(0, 7);
  EXPECT_EQ(ApplyPop(twice, 8), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ApplyPop(Pop(2, {3, 3}, 4), 8), grpc::StatusCode::INVALID_ARGUMENT);  // not ascending
  EXPECT_EQ(ApplyPop(Pop(2, {5}, 4), 8), grpc::StatusCode::INVALID_ARGUMENT);     // past next
  EXPECT_EQ(ApplyPop(Pop(2, {1}, 4), 8), grpc::StatusCode::INVALID_ARGUMENT);     // below expected
  PopCommand bad_name = Pop(2, {}, 2);
  bad_name.set_topic("bad topic");
  EXPECT_EQ(ApplyPop(bad_name, 8), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(State().pop_offset(), 2);
  EXPECT_EQ(State().in_flight_size(), 2);
}

}  // namespace
}  // namespace raftmq::broker
