#include "raft/sim/sim_disk.h"

#include "common/assert.h"

namespace raftmq::raft::sim {

using storage::LogEntry;

uint64_t HashEntry(uint64_t previous, const LogEntry& entry) {
  uint64_t hash = previous ^ 0xcbf29ce484222325ull;
  auto mix = [&hash](uint64_t value) {
    for (int i = 0; i < 8; ++i) {
      hash ^= (value >> (i * 8)) & 0xff;
      hash *= 0x100000001b3ull;
    }
  };
  mix(entry.index.value());
  mix(entry.term.value());
  mix(storage::KindByte(entry.kind));
  for (char c : entry.payload) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

Result<Term> SimLogStore::TermAt(Index index) const {
  if (index < Index(1) || index > LastIndex()) return Status::NotFound("index out of range");
  return entries_[index.value() - 1].term;
}

Result<std::vector<LogEntry>> SimLogStore::Entries(Index from, Index to, uint64_t bytes_max) const {
  if (from < Index(1) || from > LastIndex() || to > LastIndex() + 1) return Status::NotFound("range out of log");
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  for (Index index = from; index < to; ++index) {
    const LogEntry& entry = entries_[index.value() - 1];
    if (!out.empty() && bytes + entry.payload.size() > bytes_max) break;
    bytes += entry.payload.size();
    out.push_back(entry);
  }
  return out;
}

Status SimLogStore::Append(std::span<const LogEntry> entries) {
  for (const LogEntry& entry : entries) {
    RMQ_ASSERT(entry.index == LastIndex() + 1);
    const uint64_t previous = chain_hashes_.empty() ? 0 : chain_hashes_.back();
    chain_hashes_.push_back(HashEntry(previous, entry));
    entries_.push_back(entry);
  }
  return Status::Ok();
}

Status SimLogStore::TruncateSuffix(Index last_kept) {
  RMQ_ASSERT(last_kept <= LastIndex());
  entries_.resize(last_kept.value());
  chain_hashes_.resize(last_kept.value());
  if (durable_count_ > last_kept.value()) durable_count_ = last_kept.value();
  return Status::Ok();
}

Status SimLogStore::Sync() {
  durable_count_ = entries_.size();
  return Status::Ok();
}

void SimLogStore::Crash(Prng& prng) {
  RMQ_ASSERT(durable_count_ <= entries_.size());
  const uint64_t kept = durable_count_ + prng.Between(0, entries_.size() - durable_count_ + 1);
  entries_.resize(kept);
  chain_hashes_.resize(kept);
  durable_count_ = kept;
}

uint64_t SimLogStore::ChainHashAt(Index index) const {
  RMQ_ASSERT(index >= Index(1) && index <= LastIndex());
  return chain_hashes_[index.value() - 1];
}

const LogEntry& SimLogStore::At(Index index) const {
  RMQ_ASSERT(index >= Index(1) && index <= LastIndex());
  return entries_[index.value() - 1];
}

}  // namespace raftmq::raft::sim
