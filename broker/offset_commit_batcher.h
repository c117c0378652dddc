// OffsetCommitBatcher: consumers commit offsets often and each commit must go through Raft;
// commits that arrive while one CommitOffsetsCommand entry is in flight wait and go out
// together in the next one (at most offset_commits_batch_max per entry), so a busy broker
// proposes one entry per round trip, not one per commit.
//
// Threading: Commit from any thread; callbacks run on the thread that completes the proposal.
#pragma once

#include <deque>
#include <functional>
#include <mutex>

#include "broker/replicator.h"
#include "common/status.h"
#include "proto/broker_command.pb.h"

namespace raftmq::broker {

class OffsetCommitBatcher {
 public:
  // Ok once the commit is applied; the proposal's error otherwise.
  using Done = std::function<void(Status status)>;

  OffsetCommitBatcher(Replicator* replicator, uint32_t commits_batch_max);

  void Commit(OffsetCommit commit, Done done);

 private:
  struct Pending {
    OffsetCommit commit;
    Done done;
  };

  // Caller holds mutex_ and in_flight_ is false: proposes up to commits_batch_max_ pending.
  void ProposeLocked(std::unique_lock<std::mutex>& lock);
  void Finished(std::vector<Done> done, const Status& status);

  Replicator* const replicator_;
  const uint32_t commits_batch_max_;
  std::mutex mutex_;
  bool in_flight_ = false;
  std::deque<Pending> pending_;
};

}  // namespace raftmq::broker
