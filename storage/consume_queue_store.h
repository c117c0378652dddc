// ConsumeQueueStore: every ConsumeQueue of a node, under <root>/consumequeue/<topic>/<queueId>/.
// Open lists and opens the queues found on disk (recovery has to look at every one of them
// anyway); a queue that does not exist yet is created by the writer on its first message.
//
// Threading: one writer (the Dispatcher or recovery) calls FindOrCreate, SyncAll,
// TruncateAllFrom, ResetAll and DeleteBefore; readers call Find and Queues from any thread. A queue
// once created lives as long as the store, so the pointers handed out stay valid.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/resource_names.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/consume_queue.h"
#include "storage/fs.h"

namespace raftmq::storage {

// RocketMQ's topic rule (common/resource_names.h), which also keeps a topic safe as a
// directory name.
inline constexpr size_t kTopicNameBytesMax = kResourceNameLengthMax;
Status CheckTopicName(std::string_view topic);

struct QueueId {
  std::string topic;
  uint32_t queue_id = 0;

  auto operator<=>(const QueueId&) const = default;
};

class ConsumeQueueStore {
 public:
  static Result<std::unique_ptr<ConsumeQueueStore>> Open(Fs* fs, std::string root, const ConsumeQueueOptions& options);

  // Readers: the queue, or nullptr when it has never been written.
  ConsumeQueue* Find(std::string_view topic, uint32_t queue_id) const;
  // Every queue with its id, ordered by topic, then queue id.
  std::vector<std::pair<QueueId, ConsumeQueue*>> Queues() const;

  // Writer. InvalidArgument for a topic CheckTopicName refuses.
  Result<ConsumeQueue*> FindOrCreate(std::string_view topic, uint32_t queue_id);
  // Syncs every queue holding unsynced entries or files.
  Status SyncAll();
  // What SyncAll would sync, handed over to be run on another thread.
  std::vector<ConsumeQueueSync> TakeUnsynced();
  // Recovery: removes from every queue the entries pointing at or after `commit_log_position`.
  Status TruncateAllFrom(uint64_t commit_log_position);
  // Snapshot restore: every queue starts over empty (ConsumeQueue::ResetTo) at its offset in
  // `max_offsets`, created when missing; a queue not in it starts over at 0, as if it had
  // never been written (it stays in the store, so pointers handed out stay valid). Durable
  // when it returns.
  Status ResetAll(const std::map<QueueId, uint64_t>& max_offsets);
  // Retention: ConsumeQueue::DeleteBefore on every queue; returns the files removed.
  Result<size_t> DeleteBefore(uint64_t commit_log_position);

 private:
  // Finds by (string_view, id) without building a std::string.
  struct Less {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, uint32_t>(a.topic, a.queue_id) <
             std::pair<std::string_view, uint32_t>(b.topic, b.queue_id);
    }
  };
  struct QueueIdView {
    std::string_view topic;
    uint32_t queue_id;
  };

  ConsumeQueueStore(Fs* fs, std::string root, const ConsumeQueueOptions& options);
  Status OpenExisting();
  Status OpenQueue(std::string topic, uint32_t queue_id);
  std::string TopicDir(std::string_view topic) const;

  Fs* const fs_;
  const std::string queues_dir_;  // <root>/consumequeue
  const ConsumeQueueOptions options_;

  mutable std::shared_mutex mutex_;  // guards queues_ (the map, not the queues)
  std::map<QueueId, std::unique_ptr<ConsumeQueue>, Less> queues_;
};

}  // namespace raftmq::storage
