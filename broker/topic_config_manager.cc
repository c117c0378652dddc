#include "broker/topic_config_manager.h"

#include <mutex>
#include <utility>

#include "broker/invalid_argument.h"
#include "common/assert.h"

namespace raftmq::broker {
namespace {

grpc::Status ToGrpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return {grpc::StatusCode::INTERNAL, status.ToString()};
}

}  // namespace

TopicConfigManager::TopicConfigManager(storage::MetaStore* store) : store_(store) { RMQ_ASSERT(store != nullptr); }

Status TopicConfigManager::Load() {
  RMQ_ASSIGN_OR_RETURN(auto stored, store_->ListTopics());
  std::map<std::string, admin::TopicConfig> topics;
  for (auto& [name, bytes] : stored) {
    admin::TopicConfig config;
    if (!config.ParseFromString(bytes) || config.name() != name) {
      return Status::Corruption("stored config of topic '" + name + "' does not parse");
    }
    topics.emplace(name, std::move(config));
  }
  {
    std::unique_lock lock(mutex_);
    topics_ = std::move(topics);
  }
  Changed();
  return Status::Ok();
}

grpc::Status TopicConfigManager::CheckContent(const admin::TopicConfig& config) {
  grpc::Status name = CheckName("topic", config.name());
  if (!name.ok()) return name;
  for (int32_t nums : {config.read_queue_nums(), config.write_queue_nums()}) {
    if (nums < 1) {
      return InvalidArgument("queue nums of topic '" + config.name() + "' must be at least 1, got " + std::to_string(nums));
    }
  }
  if ((config.perm() & ~kPermReadWrite) != 0) {
    return InvalidArgument("perm of topic '" + config.name() + "' may only hold PERM_READ (4) and PERM_WRITE (2), got " +
                   std::to_string(config.perm()));
  }
  return grpc::Status::OK;
}

grpc::Status TopicConfigManager::CheckConfig(const admin::TopicConfig& config, const BrokerOptions& options) {
  grpc::Status content = CheckContent(config);
  if (!content.ok()) return content;
  for (int32_t nums : {config.read_queue_nums(), config.write_queue_nums()}) {
    if (nums > options.topic_queue_nums_max) {
      return InvalidArgument("queue nums of topic '" + config.name() + "' must be in [1, " +
                     std::to_string(options.topic_queue_nums_max) + "], got " + std::to_string(nums));
    }
  }
  return grpc::Status::OK;
}

grpc::Status TopicConfigManager::ApplyCreate(const CreateTopicCommand& command, storage::MetaWriteBatch* batch,
                                             admin::TopicConfig* result) {
  const admin::TopicConfig& config = command.topic();
  grpc::Status content = CheckContent(config);
  if (!content.ok()) return content;
  std::unique_lock lock(mutex_);
  if (auto it = topics_.find(config.name()); it != topics_.end()) {
    *result = it->second;
    if (command.if_absent()) return grpc::Status::OK;
    return {grpc::StatusCode::ALREADY_EXISTS, "topic '" + config.name() + "' exists"};
  }
  grpc::Status stored = ToGrpc(batch->PutTopic(config.name(), config.SerializeAsString()));
  if (!stored.ok()) return stored;
  topics_.emplace(config.name(), config);
  *result = config;
  lock.unlock();
  Changed();
  return grpc::Status::OK;
}

grpc::Status TopicConfigManager::ApplyUpdate(const UpdateTopicCommand& command, storage::MetaWriteBatch* batch,
                                             admin::TopicConfig* result) {
  const admin::TopicConfig& config = command.topic();
  grpc::Status content = CheckContent(config);
  if (!content.ok()) return content;
  std::unique_lock lock(mutex_);
  auto it = topics_.find(config.name());
  if (it == topics_.end()) return {grpc::StatusCode::NOT_FOUND, "topic '" + config.name() + "' does not exist"};
  grpc::Status stored = ToGrpc(batch->PutTopic(config.name(), config.SerializeAsString()));
  if (!stored.ok()) return stored;
  it->second = config;
  *result = config;
  lock.unlock();
  Changed();
  return grpc::Status::OK;
}

grpc::Status TopicConfigManager::ApplyDelete(const DeleteTopicCommand& command, storage::MetaWriteBatch* batch,
                                             admin::TopicConfig* result) {
  std::unique_lock lock(mutex_);
  auto it = topics_.find(command.name());
  if (it == topics_.end()) return {grpc::StatusCode::NOT_FOUND, "topic '" + command.name() + "' does not exist"};
  grpc::Status stored = ToGrpc(batch->DeleteTopic(command.name()));
  if (!stored.ok()) return stored;
  *result = std::move(it->second);
  topics_.erase(it);
  lock.unlock();
  Changed();
  return grpc::Status::OK;
}

std::optional<admin::TopicConfig> TopicConfigManager::Find(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<admin::TopicConfig> TopicConfigManager::List() const {
  std::shared_lock lock(mutex_);
  std::vector<admin::TopicConfig> topics;
  topics.reserve(topics_.size());
  for (const auto& [name, config] : topics_) topics.push_back(config);
  return topics;
}

size_t TopicConfigManager::Count() const {
  std::shared_lock lock(mutex_);
  return topics_.size();
}

}  // namespace raftmq::broker
