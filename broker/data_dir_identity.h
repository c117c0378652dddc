// The data dir's identity: <data_dir>/IDENTITY names the cluster, group and node id that own
// the directory, written on first start. A node started on another node's directory (a
// copy-paste in a config, a wrong volume mount) would join Raft with that node's log and
// vote; it refuses to start instead.
//
// Threading: start-up only.
#pragma once

#include "broker/broker_options.h"
#include "common/status.h"
#include "storage/fs.h"

namespace raftmq::broker {

// Writes the identity into a fresh dir; InvalidArgument naming both identities when the dir
// belongs to another node; Corruption when the file does not parse.
Status ClaimDataDir(storage::Fs* fs, const BrokerOptions& options);

}  // namespace raftmq::broker
