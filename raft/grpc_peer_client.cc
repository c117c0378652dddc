#include "raft/grpc_peer_client.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/message_codec.h"

namespace raftmq::raft {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const GrpcTransportOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, options.keepalive_time_ms);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options.keepalive_timeout_ms);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, options.reconnect_backoff_ms_min);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, options.reconnect_backoff_ms_min);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, options.reconnect_backoff_ms_max);
  arguments.SetMaxSendMessageSize(options.wire_message_bytes_max);
  // Each peer gets its own TCP connection, apart from any other channel to the same address.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace

GrpcPeerClient::GrpcPeerClient(NodeId peer, const std::string& address, const GrpcTransportOptions& options,
                               TransportMetrics* metrics)
    : peer_(peer), options_(options), metrics_(metrics), stub_(RaftPeer::NewStub(MakeChannel(address, options))) {
  RMQ_ASSERT(peer_ != kNoNode);
  RMQ_ASSERT(options_.peer_queue_messages_max > 0);
  RMQ_ASSERT(options_.batch_messages_max > 0);
  RMQ_ASSERT(options_.reconnect_backoff_ms_min > 0 && options_.reconnect_backoff_ms_min <= options_.reconnect_backoff_ms_max);
  thread_ = std::thread([this] { Run(); });
}

GrpcPeerClient::~GrpcPeerClient() { Stop(); }

void GrpcPeerClient::Enqueue(std::vector<Message>&& messages) {
  uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    for (Message& message : messages) {
      RMQ_ASSERT(message.to == peer_);
      if (stopping_ || queue_.size() >= options_.peer_queue_messages_max) {
        ++dropped;
        continue;
      }
      queue_.push_back(std::move(message));
    }
  }
  if (dropped > 0) metrics_->messages_dropped_queue_full_total += dropped;
  wake_.notify_one();
}

void GrpcPeerClient::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GrpcPeerClient::Run() {
  int backoff_ms = options_.reconnect_backoff_ms_min;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const bool wrote = PumpStream();
    DropQueueAfterFailure();
    // A write that went through means the peer was reachable: start the backoff over.
    if (wrote) backoff_ms = options_.reconnect_backoff_ms_min;
    WaitBackoff(backoff_ms);
    backoff_ms = std::min(backoff_ms * 2, options_.reconnect_backoff_ms_max);
  }
}

bool GrpcPeerClient::PumpStream() {
  grpc::ClientContext context;
  // Corked: opening the stream does not wait for a connection; the first write carries it.
  context.set_initial_metadata_corked(true);
  StreamSummary summary;
  std::unique_ptr<grpc::ClientWriter<PeerMessageBatch>> writer = stub_->Stream(&context, &summary);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) context.TryCancel();
    stream_context_ = &context;
  }
  PeerMessageBatch batch;
  uint64_t messages = 0;
  bool wrote = false;
  while (TakeBatch(&batch, &messages)) {
    const uint64_t bytes = batch.ByteSizeLong();
    if (!writer->Write(batch)) {
      metrics_->messages_dropped_stream_broken_total += messages;
      break;
    }
    wrote = true;
    metrics_->batches_sent_total += 1;
    metrics_->messages_sent_total += messages;
    metrics_->bytes_sent_total += bytes;
    batch.Clear();
  }
  {
    std::lock_guard lock(mutex_);
    stream_context_ = nullptr;
  }
  context.TryCancel();
  const grpc::Status status = writer->Finish();
  metrics_->stream_failures_total += 1;
  spdlog::debug("raft stream to node {} ended: {}", peer_, status.error_message());
  return wrote;
}

bool GrpcPeerClient::TakeBatch(PeerMessageBatch* batch, uint64_t* messages_taken) {
  RMQ_ASSERT(batch->messages_size() == 0);
  std::vector<Message> taken;
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return false;
    uint64_t bytes = 0;
    while (!queue_.empty() && taken.size() < options_.batch_messages_max) {
      const uint64_t message_bytes = ApproximateWireSizeBytes(queue_.front());
      if (!taken.empty() && bytes + message_bytes > options_.batch_bytes_max) break;
      bytes += message_bytes;
      taken.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  RMQ_ASSERT(!taken.empty());
  // Encoding happens outside the lock, so the node loop's Enqueue never waits on it.
  batch->mutable_messages()->Reserve(static_cast<int>(taken.size()));
  for (Message& message : taken) EncodeMessage(std::move(message), batch->add_messages());
  *messages_taken = taken.size();
  return true;
}

void GrpcPeerClient::DropQueueAfterFailure() {
  std::lock_guard lock(mutex_);
  metrics_->messages_dropped_stream_broken_total += queue_.size();
  queue_.clear();
}

void GrpcPeerClient::WaitBackoff(int backoff_ms) {
  // A timed wait that Stop cuts short: this paces reconnects, it synchronises nothing.
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [this] { return stopping_; });
}

}  // namespace raftmq::raft
