#include "broker/message_reader.h"

#include <algorithm>

#include "common/assert.h"
#include "storage/message_record.h"

namespace raftmq::broker {
namespace {

void ToMessageExt(storage::Message message, int32_t queue_id, uint64_t queue_offset, uint64_t position,
                  messaging::MessageExt* out) {
  messaging::Message* m = out->mutable_message();
  m->set_topic(std::move(message.topic));
  m->set_tag(std::move(message.tag));
  for (std::string& key : message.keys) m->add_keys(std::move(key));
  for (auto& [name, value] : message.properties) (*m->mutable_properties())[name] = std::move(value);
  m->set_body(std::move(message.body));
  m->set_message_id(std::move(message.message_id));
  m->set_born_timestamp_ms(message.born_timestamp_ms);
  out->set_queue_id(queue_id);
  out->set_queue_offset(static_cast<int64_t>(queue_offset));
  out->set_commit_log_position(static_cast<int64_t>(position));
  out->set_store_timestamp_ms(message.store_timestamp_ms);
  out->set_reconsume_times(static_cast<int32_t>(message.reconsume_times));
}

}  // namespace

MessageReader::MessageReader(const storage::CommitLogReader* log, const BrokerOptions* options)
    : log_(log), options_(options) {
  RMQ_ASSERT(log_ != nullptr);
  RMQ_ASSERT(options_ != nullptr);
}

Result<PullBatch> MessageReader::Read(const storage::ConsumeQueue& queue, int32_t queue_id, uint64_t offset,
                                      uint32_t messages_max, uint64_t bytes_max, const TagFilter& filter) const {
  RMQ_ASSERT(messages_max > 0);
  PullBatch batch;
  batch.next_offset = offset;
  std::vector<Wanted> wanted;
  uint64_t bytes = 0;
  const uint64_t scan_end = std::min(queue.MaxOffset(), offset + options_->pull_filter_entries_max);
  while (batch.next_offset < scan_end && wanted.size() < messages_max) {
    RMQ_ASSIGN_OR_RETURN(auto entries, queue.Read(batch.next_offset, scan_end - batch.next_offset));
    if (entries.empty()) break;
    size_t taken = 0;
    for (; taken < entries.size() && wanted.size() < messages_max; ++taken) {
      const storage::ConsumeQueueEntry& entry = entries[taken];
      if (!wanted.empty() && bytes + entry.size > bytes_max) break;
      if (filter.MatchesHash(entry.tag_hash)) {
        wanted.push_back({batch.next_offset + taken, entry});
        bytes += entry.size;
      }
    }
    batch.next_offset += taken;
    if (taken < entries.size()) break;
  }
  RMQ_RETURN_IF_ERROR(Fetch(wanted, queue_id, filter, &batch));
  RMQ_ASSERT(batch.messages.size() <= messages_max);
  return batch;
}

Status MessageReader::Fetch(const std::vector<Wanted>& wanted, int32_t queue_id, const TagFilter& filter,
                            PullBatch* batch) const {
  size_t first = 0;
  while (first < wanted.size()) {
    // A run: records lying back to back (messages of one batch entry).
    size_t last = first;
    uint64_t run_bytes = wanted[first].entry.size;
    while (last + 1 < wanted.size() &&
           wanted[last + 1].entry.commit_log_position == wanted[last].entry.commit_log_position + wanted[last].entry.size) {
      ++last;
      run_bytes += wanted[last].entry.size;
    }
    const uint64_t run_position = wanted[first].entry.commit_log_position;
    RMQ_ASSIGN_OR_RETURN(std::string bytes, log_->ReadAt(run_position, static_cast<uint32_t>(run_bytes)));
    if (bytes.size() != run_bytes) return Status::Corruption("short CommitLog read for a pulled message");
    for (size_t i = first; i <= last; ++i) {
      const uint64_t position = wanted[i].entry.commit_log_position;
      std::string_view record(bytes.data() + (position - run_position), wanted[i].entry.size);
      RMQ_ASSIGN_OR_RETURN(storage::Message message, storage::DecodeMessageRecord(record, 0));
      if (!filter.MatchesTag(message.tag)) continue;  // a hash collision
      ToMessageExt(std::move(message), queue_id, wanted[i].queue_offset, position, &batch->messages.emplace_back());
    }
    first = last + 1;
  }
  return Status::Ok();
}

}  // namespace raftmq::broker
