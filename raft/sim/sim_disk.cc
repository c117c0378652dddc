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
  if (index == base_ && base_ > Index(0) && base_term_known_) return base_term_;
  if (index < FirstIndex() || index > LastIndex()) return Status::NotFound("index out of range");
  return entries_[index - FirstIndex()].term;
}

Result<std::vector<LogEntry>> SimLogStore::Entries(Index from, Index to, uint64_t bytes_max) const {
  if (from < FirstIndex() || from > LastIndex() || to > LastIndex() + 1) return Status::NotFound("range out of log");
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  for (Index index = from; index < to; ++index) {
    const LogEntry& entry = entries_[index - FirstIndex()];
    if (!out.empty() && bytes + entry.payload.size() > bytes_max) break;
    bytes += entry.payload.size();
    out.push_back(entry);
  }
  return out;
}

Status SimLogStore::Append(std::span<const LogEntry> entries) {
  for (const LogEntry& entry : entries) {
    RMQ_ASSERT(entry.index == LastIndex() + 1);
    const uint64_t previous = chain_hashes_.empty() ? base_chain_ : chain_hashes_.back();
    chain_hashes_.push_back(HashEntry(previous, entry));
    entries_.push_back(entry);
  }
  return Status::Ok();
}

Status SimLogStore::TruncateSuffix(Index last_kept) {
  RMQ_ASSERT(last_kept <= LastIndex());
  RMQ_ASSERT(last_kept >= base_);
  const uint64_t kept = last_kept - base_;
  entries_.resize(kept);
  chain_hashes_.resize(kept);
  if (durable_count_ > kept) durable_count_ = kept;
  return Status::Ok();
}

Status SimLogStore::Sync() {
  durable_count_ = entries_.size();
  return Status::Ok();
}

Status SimLogStore::ResetToSnapshot(const storage::SnapshotMeta& snapshot, uint64_t chain) {
  RMQ_ASSERT(snapshot.index > Index(0));
  entries_.clear();
  chain_hashes_.clear();
  durable_count_ = 0;
  base_ = snapshot.index;
  base_term_ = snapshot.term;
  base_term_known_ = true;
  base_chain_ = chain;
  RMQ_ASSERT(FirstIndex() == snapshot.index + 1);
  return Status::Ok();
}

void SimLogStore::CompactBelow(Index first) {
  RMQ_ASSERT(first > FirstIndex());
  RMQ_ASSERT(first <= DurableLastIndex());
  const uint64_t dropped = first - FirstIndex();
  base_chain_ = chain_hashes_[dropped - 1];
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(dropped));
  chain_hashes_.erase(chain_hashes_.begin(), chain_hashes_.begin() + static_cast<std::ptrdiff_t>(dropped));
  durable_count_ -= dropped;
  base_ = first - 1;
  base_term_known_ = false;
  RMQ_ASSERT(FirstIndex() == first);
}

void SimLogStore::Crash(Prng& prng) {
  RMQ_ASSERT(durable_count_ <= entries_.size());
  const uint64_t kept = durable_count_ + prng.Between(0, entries_.size() - durable_count_ + 1);
  entries_.resize(kept);
  chain_hashes_.resize(kept);
  durable_count_ = kept;
}

uint64_t SimLogStore::ChainHashAt(Index index) const {
  RMQ_ASSERT(index >= base_ && index <= LastIndex());
  return index == base_ ? base_chain_ : chain_hashes_[index - FirstIndex()];
}

const LogEntry& SimLogStore::At(Index index) const {
  RMQ_ASSERT(index >= FirstIndex() && index <= LastIndex());
  return entries_[index - FirstIndex()];
}

}  // namespace raftmq::raft::sim
