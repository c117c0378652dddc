// LogRetention: what carrying out a retention decision needs of the log, apart from reading it:
// delete whole old segments below an index. The CommitLog provides it; the broker's state
// machine calls it when it applies a DeleteLogBefore command (broker/retention_scheduler.h
// says who decides the index), so every node of a group deletes the same prefix.
//
// Threading: the log's writer thread (the raft::Node loop, which also applies entries).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/log_ids.h"
#include "common/result.h"

namespace raftmq::storage {

struct SegmentsDeleted {
  size_t segments = 0;
  uint64_t bytes = 0;
};

class LogRetention {
 public:
  virtual ~LogRetention() = default;
  // Deletes, oldest first, every whole segment whose entries all lie below `index`; never the
  // newest segment holding an entry. Idempotent: an index at or below FirstIndex() deletes
  // nothing. The deletion is durable when it returns.
  virtual Result<SegmentsDeleted> DeleteSegmentsBefore(Index index) = 0;
};

}  // namespace raftmq::storage
