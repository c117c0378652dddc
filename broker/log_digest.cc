#include "broker/log_digest.h"

#include <algorithm>
#include <cstring>

#include "storage/crc32c.h"

namespace raftmq::broker {
namespace {

// Term, index and kind in a fixed little-endian layout, so equal entries hash equally on
// every node.
uint32_t ExtendWithEntry(uint32_t crc, const storage::LogEntry& entry) {
  char header[17];
  const uint64_t term = entry.term.value();
  const uint64_t index = entry.index.value();
  std::memcpy(header, &term, sizeof(term));
  std::memcpy(header + 8, &index, sizeof(index));
  header[16] = static_cast<char>(storage::KindByte(entry.kind));
  crc = storage::crc32c::Extend(crc, header, sizeof(header));
  return storage::crc32c::Extend(crc, entry.payload.data(), entry.payload.size());
}

}  // namespace

grpc::Status FillLogDigest(const ServiceContext& context, const admin::LogDigestRequest& request,
                           admin::LogDigestResponse* response) {
  const Index commit = context.replicator->GetStatus().commit;
  response->set_commit_index(commit.value());
  response->set_applied_index(context.machine->applied_index().value());
  const uint64_t last = request.index() == 0 ? commit.value() : std::min(request.index(), commit.value());
  const Index log_first = context.log->FirstIndex();
  if (request.from_index() != 0 && request.from_index() < log_first.value()) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "entries before " + std::to_string(log_first.value()) +
                                                            " are no longer held (retention); asked from " +
                                                            std::to_string(request.from_index()));
  }
  const Index first = request.from_index() == 0 ? log_first : Index(request.from_index());
  response->set_first_index(first.value());
  uint32_t crc = 0;
  uint64_t next = first.value();
  while (next <= last) {
    auto entries = context.log->Entries(Index(next), Index(last + 1), kLogDigestReadBytesMax);
    if (!entries.ok() || entries->empty()) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "cannot read committed entry " + std::to_string(next) + ": " +
                                                          (entries.ok() ? "none returned" : entries.status().ToString()));
    }
    for (const storage::LogEntry& entry : *entries) crc = ExtendWithEntry(crc, entry);
    next = entries->back().index.value() + 1;
  }
  response->set_index(std::max(last, first.value() - 1));
  response->set_crc(crc);
  for (const auto& [id, queue] : context.queues->Queues()) {
    admin::QueueRange* range = response->add_queues();
    range->set_topic(id.topic);
    range->set_queue_id(static_cast<int32_t>(id.queue_id));
    range->set_min_offset(static_cast<int64_t>(queue->MinOffset()));
    range->set_max_offset(static_cast<int64_t>(queue->MaxOffset()));
  }
  return grpc::Status::OK;
}

}  // namespace raftmq::broker
