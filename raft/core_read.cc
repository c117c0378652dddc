// Core: linearizable reads by ReadIndex (Raft thesis 6.4; etcd's ReadOnlySafe). A leader
// answers a read only after a majority confirmed, in a heartbeat round started after the read
// arrived, that no newer leader had been elected; the read then waits (in the driver) until
// the state machine applied the commit index the leader had when the read arrived. No clock
// is involved, so no lease can outlive an election, early campaigns included.
//
// The same rounds confirm a leader to a follower recovering from a wiped data dir
// (Progress::AwaitsConfirmationRound): only answers of followers that vouch for the leader
// (Progress::vouches_for_leader) count, so a deposed leader never confirms with the wiped
// follower's help.
#include <algorithm>
#include <functional>
#include <string>

#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

Status Core::ReadIndex(uint64_t request) {
  RMQ_ASSERT(!ready_outstanding_);
  if (role_ != Role::kLeader) return Status::Unavailable("not the leader; leader=" + std::to_string(leader_));
  if (pending_reads_.size() >= options_.reads_pending_max) return Status::Unavailable("too many pending reads");
  // Entries committed by earlier leaders all sit at or below this term's no-op, which this
  // leader's commit index may not have reached yet: the read waits for it too.
  const Index index = std::max(log_.committed(), term_start_index_);
  RMQ_ASSERT(term_start_index_ > Index(0));
  if (Quorum() == 1 && IsVoter(options_.id)) {
    read_states_.push_back(ReadState{.request = request, .index = index});
    return Status::Ok();
  }
  pending_reads_.push_back(PendingRead{.request = request, .index = index, .round = 0});
  RMQ_ASSERT(pending_reads_.size() <= options_.reads_pending_max);
  return Status::Ok();
}

// A round starts when reads wait for one and none is out: reads asked while a round is out
// share the next one (etcd's server does the same), so a burst of reads costs one heartbeat
// per follower per round trip, not one per read, and the loop handles that many answers. A
// lost heartbeat holds the next round back only until a periodic heartbeat, which carries
// the latest round number, is answered.
bool Core::HasRoundToStart() const {
  if (read_round_confirmed_ != read_round_) return false;
  if (!pending_reads_.empty() && pending_reads_.back().round == 0) return true;
  return std::any_of(progress_.begin(), progress_.end(),
                     [](const auto& member) { return member.second.AwaitsConfirmationRound(); });
}

// One heartbeat to every follower for all reads asked since the last round, and the
// confirmations wiped followers wait for.
void Core::StartReadRound() {
  RMQ_ASSERT(role_ == Role::kLeader);
  RMQ_ASSERT(HasRoundToStart());
  ++read_round_;
  for (PendingRead& read : pending_reads_) {
    if (read.round == 0) read.round = read_round_;
  }
  for (auto& [member, progress] : progress_) {
    if (progress.AwaitsConfirmationRound()) progress.set_confirmation_round(read_round_);
  }
  for (const auto& [member, progress] : progress_) {
    if (member != options_.id) SendHeartbeat(member);
  }
}

// Releases every read whose round a majority (this leader included) has answered, and gives
// the wiped followers whose round it was their recovery target.
void Core::ConfirmRound() {
  RMQ_ASSERT(role_ == Role::kLeader);
  if (read_round_confirmed_ == read_round_) return;  // no round out
  std::vector<uint64_t> acked;
  acked.reserve(progress_.size());
  for (const auto& [member, progress] : progress_) {
    if (!IsVoter(member)) continue;  // learners confirm nothing
    acked.push_back(member == options_.id ? read_round_ : progress.read_round_acked());
  }
  std::sort(acked.begin(), acked.end(), std::greater<>());
  const uint64_t confirmed = acked[Quorum() - 1];
  // Acks of an earlier term's rounds were dropped with its progress: never go back.
  read_round_confirmed_ = std::max(read_round_confirmed_, confirmed);
  size_t released = 0;
  while (released < pending_reads_.size() && pending_reads_[released].round != 0 &&
         pending_reads_[released].round <= confirmed) {
    read_states_.push_back(ReadState{.request = pending_reads_[released].request, .index = pending_reads_[released].index});
    ++released;
  }
  pending_reads_.erase(pending_reads_.begin(), pending_reads_.begin() + static_cast<std::ptrdiff_t>(released));
  for (auto& [member, progress] : progress_) {
    if (progress.ConfirmLeadership(read_round_confirmed_)) SendHeartbeat(member);  // with its target
  }
  RMQ_ASSERT(confirmed <= read_round_);
  RMQ_ASSERT(read_round_confirmed_ <= read_round_);
}

}  // namespace raftmq::raft
