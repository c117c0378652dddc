// raft::Node, snapshots (see node.h, "Snapshots"): shipping a leader's snapshot files before
// its kSnapshot message, and installing a received one on a follower.
#include <string>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

namespace {

storage::SnapshotMeta MetaOf(const Message& message) {
  return storage::SnapshotMeta{.index = message.log_index, .term = message.log_term};
}

}  // namespace

// During a Ready: the Core hears how it went through a task, between Readys.
void Node::ShipSnapshot(const Message& message) {
  const storage::SnapshotMeta meta = MetaOf(message);
  Result<std::string> dir = snapshots_.store != nullptr
                                ? snapshots_.store->DirOf(meta)
                                : Result<std::string>(Status::NotSupported("this node has no snapshot store"));
  const SnapshotOffer offer{.from = id_, .to = message.to, .leader_term = message.term, .meta = meta};
  const bool shipping =
      dir.ok() && snapshots_.shipper->Ship(offer, *dir, [this, message](Status shipped) {
        (void)Post([this, message, shipped](Core* core) { SnapshotShipped(core, message, shipped); });
      });
  if (shipping) {
    spdlog::info("raft node {}: sending the snapshot at index {} (term {}) to node {}", id_, meta.index.value(),
                 meta.term.value(), message.to);
    return;
  }
  const Status refused = dir.ok() ? Status::Unavailable("a transfer to that node is still running") : dir.status();
  (void)Post([this, message, refused](Core* core) { SnapshotShipped(core, message, refused); });
}

void Node::SnapshotShipped(Core* core, const Message& message, const Status& shipped) {
  if (core == nullptr) return;  // stopped, or set aside: a rebuilt Core probes afresh
  if (!shipped.ok()) {
    metrics_.snapshot_transfers_failed_total.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("raft node {}: the snapshot at index {} did not reach node {}; probing it again: {}", id_,
                 message.log_index.value(), message.to, shipped.ToString());
    core->ReportSnapshot(message.to, /*delivered=*/false);
    return;
  }
  metrics_.snapshots_sent_total.fetch_add(1, std::memory_order_relaxed);
  // The follower holds the files: now the message that makes it install them.
  std::vector<Message> install{message};
  metrics_.messages_sent_total.fetch_add(1, std::memory_order_relaxed);
  transport_->Send(std::move(install));
  core->ReportSnapshot(message.to, /*delivered=*/true);
}

bool Node::MayStep(const Message& message) {
  if (message.type != MessageType::kSnapshot) return true;
  if (snapshots_.store != nullptr && snapshots_.store->Holds(MetaOf(message))) return true;
  metrics_.snapshot_messages_dropped_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("raft node {}: dropping node {}'s snapshot message for index {} (term {}): its files did not arrive",
               id_, message.from, message.log_index.value(), message.log_term.value());
  return false;
}

// Ready step 0. The files are adopted as this node's own snapshot before the log is reset, so
// a crash between the reset and the restore finds them at the next start (the state machine
// restores them then: its Recover sees a state older than the log's start).
Status Node::InstallSnapshot(const storage::SnapshotMeta& snapshot) {
  RMQ_ASSERT_MSG(snapshots_.store != nullptr, "a kSnapshot stepped without a store (MayStep)");
  RMQ_ASSIGN_OR_RETURN(std::string dir, snapshots_.store->Adopt(snapshot));
  // Before the log's reset: the entries that made the configuration go with it.
  RMQ_RETURN_IF_ERROR(SaveConfRecord(storage::ConfRecord{snapshot.index, snapshot.conf_state}));
  RMQ_RETURN_IF_ERROR(log_->ResetToSnapshot(snapshot).WithContext("raft log reset to a snapshot"));
  RMQ_RETURN_IF_ERROR(state_machine_->RestoreSnapshot(dir, snapshot).WithContext("state machine restore"));
  state_machine_applied_ = snapshot.index;
  metrics_.snapshots_installed_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("raft node {}: installed the snapshot at index {} (term {}) from {}", id_, snapshot.index.value(),
               snapshot.term.value(), dir);
  return Status::Ok();
}

void Node::PublishSnapshotsUnavailable() {
  const uint64_t counted = core_->snapshots_unavailable();
  RMQ_ASSERT(counted >= snapshots_unavailable_seen_);
  metrics_.snapshots_unavailable_total.fetch_add(counted - snapshots_unavailable_seen_, std::memory_order_relaxed);
  snapshots_unavailable_seen_ = counted;
}

}  // namespace raftmq::raft
