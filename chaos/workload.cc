#include "chaos/workload.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "client/admin.h"

namespace raftmq::chaos {
namespace {

constexpr char kPushGroup[] = "chaos-push";
constexpr char kDrainGroup[] = "chaos-drain";
constexpr int32_t kDrainBatch = 256;
constexpr int64_t kRetryPauseMs = 200;

client::ClientOptions ClientOptionsFor(const std::string& nameserver_address, const std::string& instance) {
  client::ClientOptions options;
  options.nameserver_addresses = {nameserver_address};
  options.instance_name = instance;
  return options;
}

// Outcomes a broker never stores are definite; anything else (deadline, unavailable, aborted)
// may have been committed by an attempt the client gave up on.
SendOutcome OutcomeOf(const Status& status) {
  if (status.ok()) return SendOutcome::kAcknowledged;
  if (status.IsInvalidArgument() || status.IsNotFound() || status.IsNotSupported()) return SendOutcome::kFailed;
  return SendOutcome::kUnknown;
}

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

uint64_t IdOf(const messaging::MessageExt& message) {
  try {
    return std::stoull(message.message().body());
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

Workload::Workload(const ChaosOptions& options, std::string nameserver_address, const RunClock* clock,
                   History* history)
    : options_(options), nameserver_address_(std::move(nameserver_address)), clock_(clock), history_(history) {}

Workload::~Workload() {
  StopSending();
  StopConsumers();
}

Status Workload::CreateTopic(int64_t timeout_ms) {
  RMQ_ASSIGN_OR_RETURN(auto admin, client::Admin::Create(ClientOptionsFor(nameserver_address_, "chaos-admin")));
  admin::TopicConfig topic;
  topic.set_name(kChaosTopic);
  topic.set_read_queue_nums(options_.queues);
  topic.set_write_queue_nums(options_.queues);
  topic.set_perm(admin::PERM_READ | admin::PERM_WRITE);
  const int64_t deadline = clock_->NowMs() + timeout_ms;
  std::vector<std::string> missing;
  for (int group = 1; group <= options_.groups; ++group) missing.push_back("g" + std::to_string(group));
  Status last;
  while (!missing.empty()) {
    auto created = admin->CreateTopic(topic, {missing.back()});
    if (created.ok() || created.status().message().find("exist") != std::string::npos) {
      missing.pop_back();
      continue;
    }
    last = created.status();
    if (clock_->NowMs() > deadline) return Status::Unavailable("cannot create topic chaos: " + last.ToString());
    SleepMs(kRetryPauseMs);
  }
  // Wait until the routes of every group reach the nameserver (producers need them).
  for (;;) {
    auto described = admin->DescribeTopic(kChaosTopic);
    if (described.ok() && described->size() == static_cast<size_t>(options_.groups)) return Status::Ok();
    if (clock_->NowMs() > deadline) return Status::Unavailable("topic chaos has no route on every group");
    SleepMs(kRetryPauseMs);
  }
}

Status Workload::Start(int64_t timeout_ms) {
  RMQ_RETURN_IF_ERROR(CreateTopic(timeout_ms));
  client::ProducerOptions producer_options;
  producer_options.client = ClientOptionsFor(nameserver_address_, "chaos-producer");
  RMQ_ASSIGN_OR_RETURN(producer_, client::Producer::Create(producer_options));
  for (int32_t i = 0; i < options_.push_consumers; ++i) {
    client::PushConsumerOptions consumer_options;
    consumer_options.client = ClientOptionsFor(nameserver_address_, "chaos-push-" + std::to_string(i));
    consumer_options.consumer_group = kPushGroup;
    consumer_options.consume_from_where = client::ConsumeFromWhere::kFirstOffset;
    RMQ_ASSIGN_OR_RETURN(auto consumer, client::PushConsumer::Create(consumer_options));
    RMQ_RETURN_IF_ERROR(consumer->Subscribe(kChaosTopic, "*"));
    consumer->RegisterMessageListener([this](const client::MessageQueue& queue, const messaging::MessageExt& message) {
      history_->RecordPushRead({IdOf(message), queue.broker_group, queue.queue_id, message.queue_offset(),
                                clock_->NowMs()});
      return client::ConsumeStatus::kConsumeSuccess;
    });
    RMQ_RETURN_IF_ERROR(consumer->Start());
    consumers_.push_back(std::move(consumer));
  }
  const int64_t sync_rate = std::max<int64_t>(1, options_.send_rate_per_s / 2 / std::max(1, options_.sync_senders));
  const int64_t async_rate = std::max<int64_t>(1, options_.send_rate_per_s - options_.send_rate_per_s / 2);
  for (int32_t i = 0; i < options_.sync_senders; ++i) {
    senders_.emplace_back([this, sync_rate] { PacedLoop(1'000'000 / sync_rate, false); });
  }
  senders_.emplace_back([this, async_rate] { PacedLoop(1'000'000 / async_rate, true); });
  return Status::Ok();
}

messaging::Message Workload::NextMessage(uint64_t* id) {
  *id = ++next_id_;
  messaging::Message message;
  message.set_topic(kChaosTopic);
  message.set_tag("chaos");
  message.set_body(std::to_string(*id));
  message.add_keys(std::to_string(*id));
  return message;
}

void Workload::RecordOutcome(uint64_t id, bool async, int64_t start_ms, const Result<client::SendReceipt>& receipt) {
  SendRecord record;
  record.id = id;
  record.async = async;
  record.start_ms = start_ms;
  record.end_ms = clock_->NowMs();
  record.outcome = OutcomeOf(receipt.status());
  if (receipt.ok()) {
    record.group = receipt->queue.broker_group;
    record.queue_id = receipt->queue.queue_id;
    record.offset = receipt->queue_offset;
  } else {
    record.error = receipt.status().ToString();
  }
  history_->RecordSend(std::move(record));
}

// Paced: one send per interval; a send that took longer than its interval delays the next
// instead of causing a burst.
void Workload::PacedLoop(int64_t interval_us, bool async) {
  auto due = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    std::this_thread::sleep_until(due);
    due = std::max(due + std::chrono::microseconds(interval_us), std::chrono::steady_clock::now());
    uint64_t id = 0;
    messaging::Message message = NextMessage(&id);
    const int64_t start_ms = clock_->NowMs();
    if (!async) {
      RecordOutcome(id, false, start_ms, producer_->Send(message));
      continue;
    }
    producer_->SendAsync(std::move(message), [this, id, start_ms](const Result<client::SendReceipt>& receipt) {
      RecordOutcome(id, true, start_ms, receipt);
    });
  }
}

void Workload::StopSending() {
  stopping_.store(true);
  for (std::thread& sender : senders_) sender.join();
  senders_.clear();
  if (producer_ != nullptr) producer_->Shutdown();  // completes every accepted async send
}

void Workload::StopConsumers() {
  for (auto& consumer : consumers_) consumer->Shutdown();
  consumers_.clear();
}

Status Workload::DrainQueue(client::PullConsumer& consumer, const client::MessageQueue& queue, int64_t deadline_ms) {
  Status last;
  for (;;) {
    auto bounds = consumer.Bounds(queue);
    if (bounds.ok()) {
      int64_t offset = bounds->min_offset;
      while (offset < bounds->max_offset && clock_->NowMs() < deadline_ms) {
        auto pulled = consumer.Pull(queue, offset, kDrainBatch);
        if (!pulled.ok()) {
          last = pulled.status();
          SleepMs(kRetryPauseMs);
          continue;
        }
        if (pulled->outcome != client::PullResult::Outcome::kFound) {
          last = Status::Unavailable("pull at offset " + std::to_string(offset) + " found nothing below max " +
                                     std::to_string(bounds->max_offset));
          SleepMs(kRetryPauseMs);
          continue;
        }
        for (const messaging::MessageExt& message : pulled->messages) {
          history_->RecordDrainRead({IdOf(message), queue.broker_group, queue.queue_id, message.queue_offset(),
                                     clock_->NowMs()});
        }
        offset = pulled->next_offset;
      }
      if (offset >= bounds->max_offset) return Status::Ok();
    } else {
      last = bounds.status();
      SleepMs(kRetryPauseMs);
    }
    if (clock_->NowMs() >= deadline_ms) {
      return Status::Unavailable("cannot drain " + queue.ToString() + ": " + last.ToString());
    }
  }
}

Status Workload::Drain(int64_t timeout_ms) {
  client::PullConsumerOptions options;
  options.client = ClientOptionsFor(nameserver_address_, "chaos-drain");
  options.consumer_group = kDrainGroup;
  RMQ_ASSIGN_OR_RETURN(auto consumer, client::PullConsumer::Create(options));
  const int64_t deadline = clock_->NowMs() + timeout_ms;
  Result<std::vector<client::MessageQueue>> queues = Status::Unavailable("not asked yet");
  while (!(queues = consumer->FetchQueues(kChaosTopic)).ok() && clock_->NowMs() < deadline) SleepMs(kRetryPauseMs);
  if (!queues.ok()) return queues.status();
  for (const client::MessageQueue& queue : *queues) RMQ_RETURN_IF_ERROR(DrainQueue(*consumer, queue, deadline));
  return Status::Ok();
}

}  // namespace raftmq::chaos
