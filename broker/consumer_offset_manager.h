// ConsumerOffsetManager: the offsets consumer groups committed, per (group, topic, queue id):
// the next offset the group will consume there. They live in the MetaStore's
// `consumer_offsets` family (RocksDB serves reads from its cache) and change only through
// applied CommitOffsetsCommand entries, so a failover never moves a group backwards past its
// last committed offset.
//
// Threading: Apply on the apply thread; the queries from any thread (MetaStore is safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "common/result.h"
#include "proto/broker_command.pb.h"
#include "storage/meta_store.h"

namespace raftmq::broker {

class ConsumerOffsetManager {
 public:
  explicit ConsumerOffsetManager(storage::MetaStore* store);

  // A commit request: CheckGroupName (so the group's retry topic fits), then CheckStorable.
  // (The leader checks the offset against the queue's range before proposing.)
  static grpc::Status CheckCommit(const OffsetCommit& commit);
  // INVALID_ARGUMENT unless group and topic are valid names (up to 127 characters: what an
  // older broker may have committed), queue_id >= 0 and offset >= 0.
  static grpc::Status CheckStorable(const OffsetCommit& commit);

  // Apply thread: puts every commit into `batch` (the last of equal keys wins, as in order).
  // A commit that fails CheckStorable (a proposer's bug or a forged entry) is skipped: the
  // check depends on the entry alone, so every node skips the same.
  void Apply(const CommitOffsetsCommand& command, storage::MetaWriteBatch* batch);

  // Empty when the group never committed on this queue.
  Result<std::optional<int64_t>> Query(const std::string& group, const std::string& topic, int32_t queue_id) const;
  // Every offset of `group`, by topic then queue id.
  Result<std::vector<storage::ConsumerOffset>> List(const std::string& group) const;

 private:
  storage::MetaStore* const store_;
};

}  // namespace raftmq::broker
