#include "broker/broker_state.h"

#include "common/assert.h"

namespace raftmq::broker {

BrokerState::BrokerState(const BrokerOptions& options, const storage::CommitLogReader* log)
    : options_(options), log_(log) {
  RMQ_ASSERT(log_ != nullptr);
}

BrokerState::~BrokerState() {
  if (!stopped_) (void)Stop();
}

Result<std::unique_ptr<BrokerState>> BrokerState::Open(const BrokerOptions& options, storage::Fs* fs,
                                                       const storage::CommitLogReader* log) {
  RMQ_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<BrokerState> state(new BrokerState(options, log));
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(options.data_dir));
  RMQ_ASSIGN_OR_RETURN(state->meta_, storage::MetaStore::Open(options.data_dir + "/meta"));
  RMQ_ASSIGN_OR_RETURN(state->queues_, storage::ConsumeQueueStore::Open(fs, options.data_dir, {}));
  storage::ConsumeQueueStore* queues = state->queues_.get();
  state->long_polling_ = std::make_unique<LongPollingService>(
      options.long_polling_requests_max, [queues](const std::string& topic, int32_t queue_id) -> uint64_t {
        const storage::ConsumeQueue* queue = queues->Find(topic, static_cast<uint32_t>(queue_id));
        return queue ? queue->MaxOffset() : 0;
      });
  storage::DispatcherOptions dispatcher_options;
  LongPollingService* long_polling = state->long_polling_.get();
  dispatcher_options.on_queue_grown = [long_polling](std::string_view topic, uint32_t queue_id, uint64_t max_offset) {
    long_polling->Notify(std::string(topic), static_cast<int32_t>(queue_id), max_offset);
  };
  state->dispatcher_ = std::make_unique<storage::Dispatcher>(queues, state->meta_.get(), std::move(dispatcher_options));
  state->topics_ = std::make_unique<TopicConfigManager>(state->meta_.get());
  state->offsets_ = std::make_unique<ConsumerOffsetManager>(state->meta_.get());
  state->consumers_ = std::make_unique<ConsumerManager>(options);
  state->machine_ = std::make_unique<BrokerStateMachine>(log, state->meta_.get(), state->dispatcher_.get(),
                                                         state->topics_.get(), state->offsets_.get());
  return state;
}

void BrokerState::Start() { long_polling_->Start(); }

Status BrokerState::Stop() {
  RMQ_ASSERT(!stopped_);
  stopped_ = true;
  long_polling_->Stop();
  // Only after Recover does the Dispatcher hold anything worth a checkpoint.
  if (machine_->applied_index() == Index(0)) return Status::Ok();
  return dispatcher_->Close();
}

ServiceContext BrokerState::Context(Replicator* replicator) const {
  RMQ_ASSERT(replicator != nullptr);
  return ServiceContext{&options_,       replicator,        machine_.get(), topics_.get(), offsets_.get(),
                        consumers_.get(), long_polling_.get(), queues_.get(),  log_};
}

}  // namespace raftmq::broker
