// SnapshotStore: the state-machine snapshots one node holds, in one directory (a broker's
// <data>/snapshots). Names say what each entry is:
//   snapshot-<term>-<index>/       a whole snapshot of this node's: taken here
//                                  (StateMachine::SaveSnapshot, when retention runs) or
//                                  installed from a leader; the newest kSnapshotsKept stay
//   received-<term>-<index>-<n>/   a snapshot a leader sent (SnapshotReceiver), synced, not
//                                  installed yet; Adopt makes it a snapshot-<term>-<index>
//   incoming-<n>/                  a transfer in progress (SnapshotReceiver's own)
//   saving-<index>/                a snapshot being written: a crash leaves it, Open removes it
// A snapshot-* directory appears by rename of a synced directory, so one that exists is whole.
//
// The store is the leader's SnapshotReader (the Core names Latest() to a follower whose entries
// retention deleted) and the follower's source of what to install (the Core installs a kSnapshot
// only when Holds() it: raft::Node drops one whose files have not arrived).
//
// Membership: every snapshot carries the configuration as of its own index, in a file
// `configuration` inside its directory (EncodeConfRecord of storage/meta_codec.h, then its
// masked CRC32C, 4 bytes little-endian): written by Save from the configurations raft::Node
// notes as it applies (NoteConfiguration; the bootstrap one given at Open stands from index 0),
// and by Adopt from the leader's kSnapshot. A snapshot whose index lies before the oldest
// configuration noted, or whose file is missing or damaged and whose configuration the notes
// do not answer, carries none (empty voters): Raft never sends it (raft/core.h, "Membership").
//
// Threading: thread-safe. The Raft loop saves, adopts and asks Latest(); snapshot senders ask
// DirOf() from their own threads (a snapshot pruned while it is sent fails that transfer, which
// the leader retries with the newer one); the SnapshotReceiver writes beside it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <vector>
#include <string>

#include "common/result.h"
#include "raft/snapshot_reader.h"
#include "storage/fs.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class SnapshotStore final : public SnapshotReader {
 public:
  // Snapshots of this node's kept after a newer one is whole: the newest serves followers, the
  // one before it a transfer that started just before the newest was taken.
  static constexpr size_t kSnapshotsKept = 2;
  // Configurations noted and kept to answer a snapshot's: retention snapshots stand a little
  // below the applied index, and changes are rare, so a few cover them.
  static constexpr size_t kConfigurationsKept = 4;

  // Creates `root` if needed and removes what a crash left half-written. IoError when it cannot.
  // `configuration`: the bootstrap voters, in force from index 0 until a noted change.
  static Result<std::unique_ptr<SnapshotStore>> Open(storage::Fs* fs, std::string root,
                                                     storage::ConfState configuration);

  Result<std::optional<storage::SnapshotMeta>> Latest() const override;

  // The configuration as of record.index on (replacing what was noted at or above it): the
  // Raft loop notes each one its applied index reaches, before applying further.
  void NoteConfiguration(const storage::ConfRecord& record);

  // Takes a snapshot at `meta` (its conf_state, or when that has no voters the configuration
  // noted as of meta.index): `write` fills the empty directory it is given and syncs its
  // files; the directory is then synced and renamed into place, and older snapshots beyond
  // kSnapshotsKept go. Holding one at `meta` already, it writes nothing. On error nothing is
  // left behind.
  Status Save(const storage::SnapshotMeta& meta, const std::function<Status(const std::string& dir)>& write);

  // The directory of this node's snapshot at `meta`; NotFound when it holds none.
  Result<std::string> DirOf(const storage::SnapshotMeta& meta) const;

  // True when a snapshot at `meta` is here, this node's or received whole.
  bool Holds(const storage::SnapshotMeta& meta) const;

  // Makes the snapshot received at `meta` (with meta.conf_state, the leader's) this node's own (before the log is reset to it, so a
  // crash in the middle of an install finds it again: DirOf) and returns its directory; received
  // snapshots at or below `meta` are then garbage and go. Returns this node's own when it holds
  // one at `meta`. NotFound when neither is here.
  Result<std::string> Adopt(const storage::SnapshotMeta& meta);

  const std::string& root() const { return root_; }

 private:
  SnapshotStore(storage::Fs* fs, std::string root, storage::ConfState configuration);

  std::string OwnDir(const storage::SnapshotMeta& meta) const;
  // The configuration noted as of `index`; empty when none is (under mutex_).
  storage::ConfState NotedAt(Index index) const;
  // The newest whole received directory at `meta`, or "" when none (under mutex_).
  Result<std::string> ReceivedDir(const storage::SnapshotMeta& meta) const;
  // Removes own snapshots beyond kSnapshotsKept and received ones at or below the newest own.
  // Under mutex_.
  void Prune();

  storage::Fs* const fs_;
  const std::string root_;
  mutable std::mutex mutex_;
  // This node's snapshots, oldest first (by index, then term), with the configuration its file
  // holds (nullopt: none readable; NotedAt answers). Guarded.
  std::map<std::pair<Index, Term>, std::optional<storage::ConfState>> own_;
  // Noted configurations, by ascending index; at most kConfigurationsKept. Guarded.
  std::vector<storage::ConfRecord> noted_;
};

}  // namespace raftmq::raft
