#include "broker/offset_commit_batcher.h"

#include <utility>
#include <vector>

#include "broker/entry_kind.h"
#include "common/assert.h"

namespace raftmq::broker {

OffsetCommitBatcher::OffsetCommitBatcher(Replicator* replicator, uint32_t commits_batch_max)
    : replicator_(replicator), commits_batch_max_(commits_batch_max) {
  RMQ_ASSERT(replicator_ != nullptr);
  RMQ_ASSERT(commits_batch_max_ > 0);
}

void OffsetCommitBatcher::Commit(OffsetCommit commit, Done done) {
  std::unique_lock lock(mutex_);
  pending_.push_back({std::move(commit), std::move(done)});
  if (!in_flight_) ProposeLocked(lock);
}

void OffsetCommitBatcher::ProposeLocked(std::unique_lock<std::mutex>& lock) {
  RMQ_ASSERT(!in_flight_);
  RMQ_ASSERT(!pending_.empty());
  BrokerCommand command;
  std::vector<Done> done;
  while (!pending_.empty() && done.size() < commits_batch_max_) {
    *command.mutable_commit_offsets()->add_commits() = std::move(pending_.front().commit);
    done.push_back(std::move(pending_.front().done));
    pending_.pop_front();
  }
  in_flight_ = true;
  lock.unlock();
  // `done` may run inside Propose (an immediate refusal): the lock is released first.
  replicator_->Propose(kBrokerCommandEntry, command.SerializeAsString(),
                       [this, done = std::move(done)](Result<AppliedEntry> applied) mutable {
                         Finished(std::move(done), ProposalStatus(applied));
                       });
  lock.lock();
}

void OffsetCommitBatcher::Finished(std::vector<Done> done, const Status& status) {
  for (Done& callback : done) callback(status);
  std::unique_lock lock(mutex_);
  in_flight_ = false;
  if (!pending_.empty()) ProposeLocked(lock);
}

}  // namespace raftmq::broker
