// SnapshotPoint: where a CommitLog starts after a reset to a snapshot (layout in
// commit_log_format.h), and whether that reset finished. A CheckedFile (checked_file.h), so a
// crash leaves the old file or the new one.
//
// Unlike the checkpoint (an optimisation recovery can do without), the snapshot point is the
// only record of the log's start and of TermAt(index): a file that fails its CRC is
// Corruption, never ignored.
//
// Threading: plain functions; the CommitLog serialises writers.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "storage/fs.h"
#include "storage/log_store.h"

namespace raftmq::storage {

struct SnapshotPoint {
  enum class Stage {
    kInPlace,    // the log starts after `snapshot`
    kResetting,  // a reset to `snapshot` was decided; its files may not all be gone yet
    kTrimming,   // retention decided to delete the segments up to `snapshot`; some may remain
  };
  SnapshotMeta snapshot;
  Stage stage = Stage::kInPlace;

  bool operator==(const SnapshotPoint&) const = default;
};

// nullopt when the log was never reset; Corruption naming the file when it is damaged.
Result<std::optional<SnapshotPoint>> ReadSnapshotPoint(Fs* fs, const std::string& dir);
Status WriteSnapshotPoint(Fs* fs, const std::string& dir, const SnapshotPoint& point);

}  // namespace raftmq::storage
