// TopicConfigManager: the topics of a broker group (name, read/write queue counts, perm bits),
// in memory for the request path and in the MetaStore's `topics` family for restarts.
//
// Changes come only from applied kBrokerCommandEntry entries (BrokerStateMachine), so every node
// holds the same topics. Apply* functions decide from the command and the current topics
// alone (never from local configuration), so every node decides the same; a command that
// cannot apply answers its status and changes nothing. CheckConfig is the leader's
// validation before it proposes, against its configured limits.
//
// Threading: Apply* and Load run on the apply thread; Find and List from any thread (a
// shared mutex guards the map). The map changes at Apply, the MetaStore when the caller
// writes the batch: a failed write stops the state machine (BrokerStateMachine), so the two
// never serve diverging state.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "broker/broker_options.h"
#include "broker/names.h"
#include "common/status.h"
#include "proto/admin.pb.h"
#include "proto/broker_command.pb.h"
#include "storage/meta_store.h"

namespace raftmq::broker {

inline constexpr int32_t kPermRead = admin::PERM_READ;
inline constexpr int32_t kPermWrite = admin::PERM_WRITE;
inline constexpr int32_t kPermReadWrite = kPermRead | kPermWrite;

class TopicConfigManager {
 public:
  explicit TopicConfigManager(storage::MetaStore* store);

  // Reads every topic from the MetaStore (start-up, before the first Apply; again after a
  // snapshot restore replaced them), then runs the change listener if one is set. Corruption
  // when a stored config does not parse.
  Status Load();

  // INVALID_ARGUMENT unless `config` is a valid topic under `options`: CheckContent, and
  // queue counts at most topic_queue_nums_max.
  static grpc::Status CheckConfig(const admin::TopicConfig& config, const BrokerOptions& options);
  // What every node can check at apply time from the config alone (no local limit): a valid
  // name, queue counts of at least 1, perm bits among read|write.
  static grpc::Status CheckContent(const admin::TopicConfig& config);

  // Apply thread. On OK, `batch` holds the MetaStore change, the map already holds the new
  // state and `result` the topic after the command. ApplyCreate and ApplyUpdate answer
  // CheckContent's INVALID_ARGUMENT for a config no leader should have proposed.
  grpc::Status ApplyCreate(const CreateTopicCommand& command, storage::MetaWriteBatch* batch,
                           admin::TopicConfig* result);
  grpc::Status ApplyUpdate(const UpdateTopicCommand& command, storage::MetaWriteBatch* batch,
                           admin::TopicConfig* result);
  grpc::Status ApplyDelete(const DeleteTopicCommand& command, storage::MetaWriteBatch* batch,
                           admin::TopicConfig* result);

  // Runs on the apply thread after each applied change (the nameserver registrar re-registers
  // so routes show a new topic at once). Set before Raft starts applying.
  void SetChangeListener(std::function<void()> listener) { listener_ = std::move(listener); }

  std::optional<admin::TopicConfig> Find(const std::string& name) const;
  // Ordered by name.
  std::vector<admin::TopicConfig> List() const;
  size_t Count() const;

 private:
  void Changed() const {
    if (listener_) listener_();
  }

  storage::MetaStore* const store_;
  std::function<void()> listener_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, admin::TopicConfig> topics_;
};

}  // namespace raftmq::broker
