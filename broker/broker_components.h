// BrokerComponents: everything a broker node keeps beside its Raft log, built from its data dir
// and wired together: MetaStore (RocksDB; also Raft's HardStateStore), ConsumeQueues, the
// Dispatcher (which wakes held pulls as queues grow), topic and offset managers, the state
// machine, consumers and long polling. BrokerNode (the process) and in-process tests build
// it the same way; Raft and the gRPC services sit on top.
//
// Start-up order: Open, then machine().Recover(committed) before Raft starts applying,
// then serve. Stop only after Raft stopped applying (it answers held pulls UNAVAILABLE and
// writes the Dispatcher's final checkpoint).
//
// Threading: accessors from any thread; see each part.
#pragma once

#include <memory>
#include <string>

#include "broker/broker_options.h"
#include "broker/broker_state_machine.h"
#include "broker/consumer_manager.h"
#include "broker/consumer_offset_manager.h"
#include "broker/long_polling_service.h"
#include "broker/service_context.h"
#include "broker/topic_config_manager.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/consume_queue_store.h"
#include "storage/dispatcher.h"
#include "storage/fs.h"
#include "storage/log_store.h"
#include "storage/meta_store.h"

namespace raftmq::broker {

class BrokerComponents {
 public:
  // <data_dir>/meta (RocksDB), <data_dir>/consumequeue and <data_dir>/snapshots; `log`, `retention` (the same log's
  // deletion side, nullptr for a log that keeps everything) and `clock` (the node's only
  // source of time) outlive the components.
  static Result<std::unique_ptr<BrokerComponents>> Open(const BrokerOptions& options, storage::Fs* fs,
                                                        const storage::CommitLogReader* log,
                                                        storage::LogRetention* retention, const Clock* clock);
  ~BrokerComponents();
  BrokerComponents(const BrokerComponents&) = delete;
  BrokerComponents& operator=(const BrokerComponents&) = delete;

  // Starts long polling; the services may then be served.
  void Start();
  // Answers every held pull, writes a final dispatch checkpoint.
  Status Stop();

  // What the gRPC services use, proposing through `replicator`.
  ServiceContext Context(Replicator* replicator) const;

  const BrokerOptions& options() const { return options_; }
  storage::MetaStore* meta() { return meta_.get(); }
  BrokerStateMachine* machine() { return machine_.get(); }
  // <data_dir>/snapshots: taken before retention deletes, sent to and received from peers.
  raft::SnapshotStore* snapshots() { return snapshots_.get(); }
  TopicConfigManager* topics() { return topics_.get(); }
  ConsumerOffsetManager* offsets() { return offsets_.get(); }
  ConsumerManager* consumers() { return consumers_.get(); }
  storage::ConsumeQueueStore* queues() { return queues_.get(); }
  LongPollingService* long_polling() { return long_polling_.get(); }

 private:
  BrokerComponents(const BrokerOptions& options, const storage::CommitLogReader* log, const Clock* clock);

  const BrokerOptions options_;
  const storage::CommitLogReader* const log_;
  const Clock* const clock_;
  std::unique_ptr<storage::MetaStore> meta_;
  std::unique_ptr<storage::ConsumeQueueStore> queues_;
  std::unique_ptr<LongPollingService> long_polling_;
  std::unique_ptr<storage::Dispatcher> dispatcher_;
  std::unique_ptr<TopicConfigManager> topics_;
  std::unique_ptr<ConsumerOffsetManager> offsets_;
  std::unique_ptr<ConsumerManager> consumers_;
  std::unique_ptr<raft::SnapshotStore> snapshots_;
  std::unique_ptr<BrokerStateMachine> machine_;
  bool stopped_ = false;
};

}  // namespace raftmq::broker
