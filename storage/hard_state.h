// HardState: what a Raft node must remember across a crash before any message that relies
// on it leaves the node (term and vote), plus the commit index as a recovery hint.
// HardStateStore persists it with sync=true; the MetaStore (RocksDB) implements it. The same
// store keeps the node's ConfRecord (storage/conf_state.h): the membership raft::Node saves
// before it applies the entries that changed it.
#pragma once

#include <optional>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/conf_state.h"

namespace raftmq::storage {

struct HardState {
  Term term;
  NodeId voted_for = kNoNode;
  Index commit;

  bool operator==(const HardState&) const = default;
};

class HardStateStore {
 public:
  virtual ~HardStateStore() = default;
  // A fresh store answers a zero HardState.
  virtual Result<HardState> LoadHardState() const = 0;
  // Durable (fsync'ed) when it returns OK.
  virtual Status SaveHardState(const HardState& state) = 0;
  // nullopt when none was ever saved (the node runs on its bootstrap configuration).
  virtual Result<std::optional<ConfRecord>> LoadConfRecord() const = 0;
  // Durable (fsync'ed) when it returns OK; replaces the one saved before.
  virtual Status SaveConfRecord(const ConfRecord& record) = 0;
};

}  // namespace raftmq::storage
