// The files of a broker snapshot (layout and format in proto/broker_snapshot.proto).
// WriteBrokerSnapshot writes the state file, then the manifest naming it with its size and
// CRC32C, each synced, then the directory. ReadBrokerSnapshot checks the manifest's own CRC,
// every file it names (present, size, CRC32C) and the format version before it parses the
// state: a damaged snapshot is refused with the file named, and nothing was read into use.
// What the state says is BrokerStateMachine's to judge.
//
// Threading: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "proto/broker_snapshot.pb.h"
#include "storage/fs.h"

namespace raftmq::broker {

// Written into BrokerSnapshot and SnapshotManifest; a reader refuses a higher one.
inline constexpr uint32_t kBrokerSnapshotFormatVersion = 2;
inline constexpr std::string_view kBrokerSnapshotStateFileName = "broker_state";
inline constexpr std::string_view kBrokerSnapshotManifestFileName = "MANIFEST";

Status WriteBrokerSnapshot(storage::Fs* fs, const std::string& dir, const BrokerSnapshot& state);
// Corruption naming the file for a missing or damaged one; NotSupported for a newer format.
Result<BrokerSnapshot> ReadBrokerSnapshot(storage::Fs* fs, const std::string& dir);

}  // namespace raftmq::broker
