#include "broker/broker_components.h"

#include "broker/entry_kind.h"
#include "common/assert.h"

namespace raftmq::broker {

BrokerComponents::BrokerComponents(const BrokerOptions& options, const storage::CommitLogReader* log,
                                   const Clock* clock)
    : options_(options), log_(log), clock_(clock) {
  RMQ_ASSERT(log_ != nullptr);
  RMQ_ASSERT(clock_ != nullptr);
}

BrokerComponents::~BrokerComponents() {
  if (!stopped_) (void)Stop();
}

Result<std::unique_ptr<BrokerComponents>> BrokerComponents::Open(const BrokerOptions& options, storage::Fs* fs,
                                                                 const storage::CommitLogReader* log,
                                                                 storage::LogRetention* retention,
                                                                 const Clock* clock) {
  RMQ_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<BrokerComponents> components(new BrokerComponents(options, log, clock));
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(options.data_dir));
  RMQ_ASSIGN_OR_RETURN(components->meta_, storage::MetaStore::Open(options.data_dir + "/meta"));
  RMQ_ASSIGN_OR_RETURN(components->queues_, storage::ConsumeQueueStore::Open(fs, options.data_dir, {}));
  storage::ConsumeQueueStore* queues = components->queues_.get();
  components->long_polling_ = std::make_unique<LongPollingService>(
      options.long_polling_requests_max, [queues](const std::string& topic, int32_t queue_id) -> uint64_t {
        const storage::ConsumeQueue* queue = queues->Find(topic, static_cast<uint32_t>(queue_id));
        return queue ? queue->MaxOffset() : 0;
      },
      clock);
  storage::DispatcherOptions dispatcher_options{.message_batch_kind = kMessageBatchEntry};
  LongPollingService* long_polling = components->long_polling_.get();
  dispatcher_options.on_queue_grown = [long_polling](std::string_view topic, uint32_t queue_id, uint64_t max_offset) {
    long_polling->Notify(std::string(topic), static_cast<int32_t>(queue_id), max_offset);
  };
  components->dispatcher_ =
      std::make_unique<storage::Dispatcher>(queues, components->meta_.get(), std::move(dispatcher_options));
  components->topics_ = std::make_unique<TopicConfigManager>(components->meta_.get());
  components->offsets_ = std::make_unique<ConsumerOffsetManager>(components->meta_.get());
  components->consumers_ = std::make_unique<ConsumerManager>(options);
  components->machine_ =
      std::make_unique<BrokerStateMachine>(fs, log, retention, components->meta_.get(), components->dispatcher_.get(),
                                           components->topics_.get(), components->offsets_.get());
  RMQ_ASSIGN_OR_RETURN(components->snapshots_,
                       raft::SnapshotStore::Open(fs, options.data_dir + "/snapshots",
                                                 storage::ConfState{.voters = options.RaftNodeOptions().core.voters}));
  components->machine_->SetSnapshotStore(components->snapshots_.get());
  return components;
}

void BrokerComponents::Start() { long_polling_->Start(); }

Status BrokerComponents::Stop() {
  RMQ_ASSERT(!stopped_);
  stopped_ = true;
  long_polling_->Stop();
  // Only after Recover does the Dispatcher hold anything worth a checkpoint.
  if (machine_->applied_index() == Index(0)) return Status::Ok();
  return dispatcher_->Close();
}

ServiceContext BrokerComponents::Context(Replicator* replicator) const {
  RMQ_ASSERT(replicator != nullptr);
  return ServiceContext{&options_,        replicator,          machine_.get(), topics_.get(), offsets_.get(),
                        consumers_.get(), long_polling_.get(), queues_.get(),  log_,           clock_};
}

}  // namespace raftmq::broker
