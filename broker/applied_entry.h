// AppliedEntry: what BrokerStateMachine::Apply answers the proposer of one entry, as a typed
// value. raft::StateMachine hands it over in a std::any (raft/ knows nothing of the broker);
// FromApplyValue is the one place that takes it back out.
//
// `status` is the entry's outcome on every node alike: OK; a command's business outcome
// (ALREADY_EXISTS, NOT_FOUND), which changed nothing; or INVALID_ARGUMENT for an entry that was
// skipped because its content cannot be applied (the leader checks requests before proposing,
// so this is a proposer's bug or a forged entry; see BrokerStateMachine).
//
// Threading: a value.
#pragma once

#include <any>
#include <cstdint>
#include <vector>

#include <grpcpp/support/status.h>

#include "common/result.h"
#include "common/status.h"
#include "proto/admin.pb.h"

namespace raftmq::broker {

struct AppliedEntry {
  grpc::Status status;
  std::vector<int64_t> queue_offsets;  // kMessageBatchEntry: each message's queue offset, in order
  admin::TopicConfig topic;            // topic commands: the config after the command
  int64_t pop_epoch = 0;               // pop commands: the entry's index, the epoch of its receipt handles
};

// `value` as BrokerStateMachine::Apply returned it (asserts that it holds an AppliedEntry).
AppliedEntry FromApplyValue(std::any value);

// For entries without a business outcome (message batches, offset commits): the proposal's
// error, InvalidArgument when the entry was skipped at apply, else OK.
Status ProposalStatus(const Result<AppliedEntry>& applied);

}  // namespace raftmq::broker
