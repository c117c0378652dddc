#include "tests/e2e/e2e_calls.h"

#include "common/metadata_keys.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

constexpr int kPullsMax = 10000;  // bounds PullToEnd: far above any test's queue length

std::string LeaderHint(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto hint = trailers.find(kLeaderAddressKey);
  return hint == trailers.end() ? "" : std::string(hint->second.data(), hint->second.size());
}

messaging::PullMessageRequest PullRequest(const std::string& topic, int queue_id, int64_t offset) {
  messaging::PullMessageRequest request;
  request.set_consumer_group("e2e-reader");
  request.set_topic(topic);
  request.set_queue_id(queue_id);
  request.set_queue_offset(offset);
  return request;
}

messaging::QueryOffsetRequest QueryOffsetRequest(const std::string& group, const std::string& topic, int queue_id) {
  messaging::QueryOffsetRequest request;
  request.set_consumer_group(group);
  request.set_topic(topic);
  request.set_queue_id(queue_id);
  return request;
}

}  // namespace

messaging::Message TextMessage(const std::string& topic, const std::string& body) {
  messaging::Message message;
  message.set_topic(topic);
  message.set_body(body);
  return message;
}

SendOutcome Send(messaging::MessagingService::Stub* stub, const messaging::SendMessageRequest& request,
                 std::chrono::milliseconds timeout) {
  SendOutcome outcome;
  auto context = Cluster::Context(timeout);
  outcome.status = stub->SendMessage(context.get(), request, &outcome.response);
  outcome.leader_hint = LeaderHint(*context);
  return outcome;
}

SendOutcome SendText(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id,
                     const std::string& body, std::chrono::milliseconds timeout) {
  messaging::SendMessageRequest request;
  *request.add_messages() = TextMessage(topic, body);
  request.set_queue_id(queue_id);
  return Send(stub, request, timeout);
}

grpc::Status PullToEnd(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id,
                       int64_t offset, std::vector<messaging::MessageExt>* messages) {
  for (int pull = 0; pull < kPullsMax; ++pull) {
    messaging::PullMessageResponse response;
    grpc::Status status = stub->PullMessage(Cluster::Context().get(), PullRequest(topic, queue_id, offset), &response);
    if (!status.ok()) return status;
    messages->insert(messages->end(), response.messages().begin(), response.messages().end());
    if (response.next_queue_offset() >= response.max_offset() || response.messages().empty()) return grpc::Status::OK;
    offset = response.next_queue_offset();
  }
  return {grpc::StatusCode::RESOURCE_EXHAUSTED, "queue longer than the test's pull bound"};
}

ReadOutcome PullOnce(messaging::MessagingService::Stub* stub, const std::string& topic, int queue_id, int64_t offset,
                     std::chrono::milliseconds timeout, messaging::PullMessageResponse* response) {
  auto context = Cluster::Context(timeout);
  grpc::Status status = stub->PullMessage(context.get(), PullRequest(topic, queue_id, offset), response);
  return {status, LeaderHint(*context)};
}

ReadOutcome QueryOffsetOnce(messaging::MessagingService::Stub* stub, const std::string& group, const std::string& topic,
                            int queue_id, std::chrono::milliseconds timeout, int64_t* offset) {
  auto context = Cluster::Context(timeout);
  messaging::QueryOffsetResponse response;
  grpc::Status status = stub->QueryOffset(context.get(), QueryOffsetRequest(group, topic, queue_id), &response);
  *offset = response.offset();
  return {status, LeaderHint(*context)};
}

grpc::Status CommitOffset(messaging::MessagingService::Stub* stub, const std::string& group,
                          const std::string& topic, int queue_id, int64_t offset) {
  messaging::CommitOffsetRequest request;
  request.set_consumer_group(group);
  request.set_topic(topic);
  request.set_queue_id(queue_id);
  request.set_offset(offset);
  messaging::CommitOffsetResponse response;
  return stub->CommitOffset(Cluster::Context().get(), request, &response);
}

grpc::Status QueryOffset(messaging::MessagingService::Stub* stub, const std::string& group,
                         const std::string& topic, int queue_id, int64_t* offset) {
  return QueryOffsetOnce(stub, group, topic, queue_id, test_support::kClusterWait, offset).status;
}

}  // namespace raftmq::e2e
