#include "storage/consume_queue_store.h"

#include <charconv>
#include <mutex>

#include "common/assert.h"
#include "storage/consume_queue_format.h"

namespace raftmq::storage {

namespace {

bool ParseQueueId(const std::string& name, uint32_t* queue_id) {
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), *queue_id);
  return error == std::errc() && end == name.data() + name.size() && std::to_string(*queue_id) == name;
}

}  // namespace

Status CheckTopicName(std::string_view topic) { return CheckResourceName("topic name", topic, kTopicNameBytesMax); }

ConsumeQueueStore::ConsumeQueueStore(Fs* fs, std::string root, const ConsumeQueueOptions& options)
    : fs_(fs), queues_dir_(root + "/" + std::string(consume_queue_format::kDirName)), options_(options) {
  RMQ_ASSERT(fs_ != nullptr);
  RMQ_ASSERT(!root.empty());
}

Result<std::unique_ptr<ConsumeQueueStore>> ConsumeQueueStore::Open(Fs* fs, std::string root,
                                                                   const ConsumeQueueOptions& options) {
  std::unique_ptr<ConsumeQueueStore> store(new ConsumeQueueStore(fs, root, options));
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(store->queues_dir_));
  RMQ_RETURN_IF_ERROR(fs->SyncDir(root));
  RMQ_RETURN_IF_ERROR(store->OpenExisting());
  return store;
}

std::string ConsumeQueueStore::TopicDir(std::string_view topic) const {
  return queues_dir_ + "/" + std::string(topic);
}

// Names that are no topic or queue id are left alone: they are not ours to judge.
Status ConsumeQueueStore::OpenExisting() {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> topics, fs_->ListDir(queues_dir_));
  for (std::string& topic : topics) {
    if (!CheckTopicName(topic).ok()) continue;
    Result<std::vector<std::string>> queue_names = fs_->ListDir(TopicDir(topic));
    if (!queue_names.ok()) continue;  // a plain file where a topic directory would be
    for (const std::string& name : *queue_names) {
      uint32_t queue_id = 0;
      if (ParseQueueId(name, &queue_id)) RMQ_RETURN_IF_ERROR(OpenQueue(topic, queue_id));
    }
  }
  return Status::Ok();
}

Status ConsumeQueueStore::OpenQueue(std::string topic, uint32_t queue_id) {
  std::string dir = TopicDir(topic) + "/" + std::to_string(queue_id);
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<ConsumeQueue> queue, ConsumeQueue::Open(fs_, std::move(dir), options_));
  std::unique_lock lock(mutex_);
  const bool inserted = queues_.emplace(QueueId{std::move(topic), queue_id}, std::move(queue)).second;
  RMQ_ASSERT(inserted);
  return Status::Ok();
}

ConsumeQueue* ConsumeQueueStore::Find(std::string_view topic, uint32_t queue_id) const {
  std::shared_lock lock(mutex_);
  const auto it = queues_.find(QueueIdView{topic, queue_id});
  return it == queues_.end() ? nullptr : it->second.get();
}

std::vector<std::pair<QueueId, ConsumeQueue*>> ConsumeQueueStore::Queues() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<QueueId, ConsumeQueue*>> queues;
  queues.reserve(queues_.size());
  for (const auto& [id, queue] : queues_) queues.emplace_back(id, queue.get());
  return queues;
}

// A new queue's directories are synced into their parents at once: the queue's files are
// synced later by SyncAll, and a synced file in a directory that vanished helps nobody.
Result<ConsumeQueue*> ConsumeQueueStore::FindOrCreate(std::string_view topic, uint32_t queue_id) {
  if (ConsumeQueue* queue = Find(topic, queue_id)) return queue;
  RMQ_RETURN_IF_ERROR(CheckTopicName(topic));
  const std::string topic_dir = TopicDir(topic);
  RMQ_RETURN_IF_ERROR(fs_->CreateDirs(topic_dir + "/" + std::to_string(queue_id)));
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(queues_dir_));
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(topic_dir));
  RMQ_RETURN_IF_ERROR(OpenQueue(std::string(topic), queue_id));
  ConsumeQueue* queue = Find(topic, queue_id);
  RMQ_ASSERT(queue != nullptr);
  return queue;
}

Status ConsumeQueueStore::SyncAll() {
  for (const ConsumeQueueSync& sync : TakeUnsynced()) RMQ_RETURN_IF_ERROR(sync.Run());
  return Status::Ok();
}

std::vector<ConsumeQueueSync> ConsumeQueueStore::TakeUnsynced() {
  // Only the writer adds queues, and the writer is the caller: no lock needed to iterate.
  std::vector<ConsumeQueueSync> syncs;
  for (const auto& [id, queue] : queues_) {
    if (std::optional<ConsumeQueueSync> sync = queue->TakeUnsynced()) syncs.push_back(std::move(*sync));
  }
  return syncs;
}

Status ConsumeQueueStore::TruncateAllFrom(uint64_t commit_log_position) {
  for (const auto& [id, queue] : queues_) {
    RMQ_ASSIGN_OR_RETURN(uint64_t first_dropped, queue->FirstOffsetAtOrAfter(commit_log_position));
    RMQ_RETURN_IF_ERROR(queue->TruncateFrom(first_dropped).WithContext(queue->dir()));
  }
  return Status::Ok();
}

Status ConsumeQueueStore::ResetAll(const std::map<QueueId, uint64_t>& max_offsets) {
  for (const auto& [id, offset] : max_offsets) RMQ_RETURN_IF_ERROR(FindOrCreate(id.topic, id.queue_id).status());
  for (const auto& [id, queue] : queues_) {
    const auto it = max_offsets.find(id);
    RMQ_RETURN_IF_ERROR(queue->ResetTo(it == max_offsets.end() ? 0 : it->second).WithContext(queue->dir()));
  }
  return SyncAll();
}

Result<size_t> ConsumeQueueStore::DeleteBefore(uint64_t commit_log_position) {
  size_t removed = 0;
  for (const auto& [id, queue] : queues_) {
    RMQ_ASSIGN_OR_RETURN(size_t removed_here, queue->DeleteBefore(commit_log_position));
    removed += removed_here;
  }
  return removed;
}

}  // namespace raftmq::storage
