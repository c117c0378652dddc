// CheckpointFlusher: the Dispatcher's background thread. It runs one checkpoint job at a
// time: first the fsyncs of the ConsumeQueues the checkpoint covers, then (only if every one
// succeeded) the MetaStore batch that records the checkpoint. So the Raft loop thread, which
// dispatches, never waits for a disk flush, and a checkpoint never claims entries a crash
// can take away.
//
// Jobs run in submission order and never overlap, so checkpoints reach the MetaStore in
// order. A failed job is sticky: error() answers it until the flusher is destroyed, and
// later jobs are dropped (a failed fsync leaves unknown data on disk: only recovery can
// tell what is there).
//
// Threading: Submit, Wait, Busy and error() from one owner thread (the dispatching thread);
// the jobs run on the flusher's own thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.h"
#include "storage/consume_queue.h"
#include "storage/meta_store.h"

namespace raftmq::storage {

struct CheckpointJob {
  std::vector<ConsumeQueueSync> syncs;  // run first
  MetaWriteBatch record;                // written (buffered) once every sync succeeded
};

class CheckpointFlusher {
 public:
  explicit CheckpointFlusher(MetaStore* meta);
  // Finishes the job in flight, then stops.
  ~CheckpointFlusher();
  CheckpointFlusher(const CheckpointFlusher&) = delete;
  CheckpointFlusher& operator=(const CheckpointFlusher&) = delete;

  // Queues `job` behind the one in flight (at most one waits: the caller checks Busy()).
  void Submit(CheckpointJob job);
  // Whether a job is queued or running.
  bool Busy() const;
  // Waits until no job is queued or running; the sticky error, if any.
  Status Wait();
  Status error() const;

 private:
  void Loop();

  MetaStore* const meta_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<CheckpointJob> pending_;  // queued, not yet taken
  bool running_ = false;                  // a job is being run outside the lock
  bool stopping_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace raftmq::storage
