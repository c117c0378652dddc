// raft::Node, part four: linearizable reads. A read is stepped into the Core on the loop
// thread (the Core batches every read asked while a round is out into the next), confirmed by a
// Ready's read_states, and answered once the state machine applied the read's index. Any
// change of role or term fails what is still waiting: that leadership may be over.
#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

void Node::ReadIndex(ReadCallback done) {
  RMQ_ASSERT(done != nullptr);
  if (!IsLeader()) return done(Status::Unavailable("not the leader"));
  auto shared = std::make_shared<ReadCallback>(std::move(done));
  const bool posted = Post([this, shared](Core* core) {
    if (core == nullptr) return (*shared)(Status::Aborted("node stopped"));
    StartRead(std::move(*shared));
  });
  if (!posted) (*shared)(Status::Aborted("node stopped"));
}

void Node::StartRead(ReadCallback done) {
  const uint64_t request = next_read_request_++;
  Status status = core_->ReadIndex(request);
  if (!status.ok()) return done(status);
  auto [it, inserted] = reads_unconfirmed_.emplace(request, std::move(done));
  RMQ_ASSERT(inserted);
  RMQ_ASSERT(reads_unconfirmed_.size() <= options_.core.reads_pending_max);
}

void Node::ConfirmedReads(const std::vector<ReadState>& reads) {
  for (const ReadState& read : reads) {
    auto it = reads_unconfirmed_.find(read.request);
    if (it == reads_unconfirmed_.end()) continue;  // failed meanwhile by a role change
    reads_unapplied_.emplace(read.index, std::move(it->second));
    reads_unconfirmed_.erase(it);
  }
}

void Node::ReleaseAppliedReads() {
  while (!reads_unapplied_.empty() && reads_unapplied_.begin()->first <= state_machine_applied_) {
    ReadCallback done = std::move(reads_unapplied_.begin()->second);
    reads_unapplied_.erase(reads_unapplied_.begin());
    done(Status::Ok());
  }
}

void Node::FailReads(const Status& status) {
  RMQ_ASSERT(!status.ok());
  std::map<uint64_t, ReadCallback> unconfirmed;
  std::multimap<Index, ReadCallback> unapplied;
  unconfirmed.swap(reads_unconfirmed_);
  unapplied.swap(reads_unapplied_);
  for (auto& [request, done] : unconfirmed) done(status);
  for (auto& [index, done] : unapplied) done(status);
  RMQ_ASSERT(reads_unconfirmed_.empty());
}

}  // namespace raftmq::raft
