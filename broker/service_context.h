// ServiceContext: the parts of a broker node its gRPC services use, owned elsewhere
// (BrokerNode) and living longer than the services. Time is read from `clock` only.
#pragma once

#include "broker/broker_options.h"
#include "broker/broker_state_machine.h"
#include "broker/consumer_manager.h"
#include "broker/consumer_offset_manager.h"
#include "broker/long_polling_service.h"
#include "broker/replicator.h"
#include "broker/topic_config_manager.h"
#include "common/clock.h"
#include "storage/consume_queue_store.h"
#include "storage/log_store.h"

namespace raftmq::broker {

struct ServiceContext {
  const BrokerOptions* options = nullptr;
  Replicator* replicator = nullptr;
  const BrokerStateMachine* machine = nullptr;
  const TopicConfigManager* topics = nullptr;
  const ConsumerOffsetManager* offsets = nullptr;
  ConsumerManager* consumers = nullptr;
  LongPollingService* long_polling = nullptr;
  const storage::ConsumeQueueStore* queues = nullptr;
  const storage::CommitLogReader* log = nullptr;
  const Clock* clock = nullptr;  // held-pull deadlines, store timestamps, delays
};

}  // namespace raftmq::broker
