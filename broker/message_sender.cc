#include "broker/message_sender.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "broker/message_proposer.h"
#include "broker/send_validator.h"
#include "storage/message_record.h"

namespace raftmq::broker {
namespace {

storage::Message ToStorage(const messaging::Message& message, uint32_t queue_id, int64_t now_ms, std::string id) {
  storage::Message out;
  out.topic = message.topic();
  out.queue_id = queue_id;
  out.tag = message.tag();
  out.keys.assign(message.keys().begin(), message.keys().end());
  out.properties.insert(message.properties().begin(), message.properties().end());
  out.body = message.body();
  out.born_timestamp_ms = message.born_timestamp_ms();
  out.store_timestamp_ms = now_ms;
  out.message_id = std::move(id);
  return out;
}

}  // namespace

MessageSender::MessageSender(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator)
    : context_(context), gate_(gate), creator_(creator) {}

std::string MessageSender::NewMessageId(int64_t now_ms) {
  char id[40];
  std::snprintf(id, sizeof(id), "%04llX%012llX%08llX", static_cast<unsigned long long>(context_->options->node_id & 0xFFFF),
                static_cast<unsigned long long>(now_ms) & 0xFFFFFFFFFFFFull,
                static_cast<unsigned long long>(message_id_counter_.fetch_add(1) & 0xFFFFFFFFull));
  return id;
}

void MessageSender::Send(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
                         messaging::SendMessageResponse* response, Done done) {
  grpc::Status status = gate_->Check(call);
  if (status.ok()) status = CheckSendRequest(*request, *context_->options);
  if (!status.ok()) return done(status);
  const BrokerOptions& options = *context_->options;
  creator_->Ensure(call, request->messages(0).topic(), options.auto_create_topic_enable, options.default_topic_queue_nums,
                   [=, this, done = std::move(done)](grpc::Status found, const admin::TopicConfig& topic) mutable {
                     if (found.ok()) found = CheckTopicWritable(topic, request->queue_id());
                     if (!found.ok()) return done(found);
                     Propose(call, request, response, std::move(done));
                   });
}

void MessageSender::Propose(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
                            messaging::SendMessageResponse* response, Done done) {
  const int64_t now_ms = context_->clock->UnixNowMs();
  std::vector<storage::Message> messages;
  messages.reserve(static_cast<size_t>(request->messages_size()));
  for (const messaging::Message& message : request->messages()) {
    std::string id = message.message_id().empty() ? NewMessageId(now_ms) : message.message_id();
    messages.push_back(ToStorage(message, static_cast<uint32_t>(request->queue_id()), now_ms, std::move(id)));
  }
  std::vector<std::string> ids;
  for (const storage::Message& message : messages) ids.push_back(message.message_id);
  ProposeMessages(context_->replicator, messages,
                  [this, call, request, response, done = std::move(done),
                   ids = std::move(ids)](Result<std::vector<int64_t>> offsets) {
                    if (!offsets.ok()) return done(gate_->FromProposeError(offsets.status(), call));
                    response->set_broker_group(context_->options->broker_group);
                    for (size_t i = 0; i < ids.size(); ++i) {
                      messaging::SendResult* sent = response->add_results();
                      sent->set_message_id(ids[i]);
                      sent->set_queue_id(request->queue_id());
                      sent->set_queue_offset((*offsets)[i]);
                    }
                    done(grpc::Status::OK);
                  });
}

}  // namespace raftmq::broker
