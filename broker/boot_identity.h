// The boot id recorded with the data (<data_dir>/BOOT_ID) tells a process crash from a power
// loss. Under async flush an acknowledged entry may sit only in the page cache: a process
// crash keeps it (same boot id: the fast path, nothing to do), a power loss may drop it (new
// boot id). A node that may have lost entries it acknowledged starts Raft recovering
// (raft/core.h: no votes, no campaign, no commit counting until caught up) and records the new
// boot id only once it caught up, so a crash while recovering still recovers after restart.
// Under sync flush every acknowledged entry was fsynced first: nothing to recover. Either way a
// node that started on an empty data dir (new, or wiped) records its boot id only once caught
// up, so entries without a recorded boot id mean a wipe not yet recovered (BootCheck).
//
// `boot_id_file` (config) names the file holding this machine's boot id, default
// /proc/sys/kernel/random/boot_id; a test or the chaos harness gives each node its own file
// and changes it to say "this node lost power".
//
// Threading: start-up, and RecordBootId from the Raft loop thread once.
#pragma once

#include <string>

#include "broker/broker_options.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/fs.h"

namespace raftmq::broker {

struct BootCheck {
  std::string boot_id;  // this boot's
  bool may_have_lost_acknowledged_entries = false;
  // A data dir with entries but no recorded boot id: wiped, then restarted before it caught up
  // (a node records its boot id only once caught up; an empty dir is one Raft sees by itself).
  // It forgot its term too (raft::CoreOptions::may_have_forgotten_term), whatever the flush.
  bool may_have_forgotten_term = false;
};

// `log_holds_entries`: whether the CommitLog holds entries. IoError when boot_id_file cannot
// be read.
Result<BootCheck> CheckBootId(storage::Fs* fs, const BrokerOptions& options, bool log_holds_entries);
// Durably records `boot_id` as the one the data is known complete for.
Status RecordBootId(storage::Fs* fs, const BrokerOptions& options, const std::string& boot_id);

}  // namespace raftmq::broker
