// ReplaceFileDurably: writes a small file so that a crash leaves either its old content or
// the new one, never half: the bytes go to a temp file, which is synced, renamed over the
// target, and the directory synced. CheckedFile (the CommitLog's checkpoint and snapshot point)
// writes through it.
//
// Threading: a plain function; callers serialise writers of the same file.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/fs.h"

namespace raftmq::storage {

Status ReplaceFileDurably(Fs* fs, const std::string& dir, std::string_view name, std::string_view temp_name,
                          std::string_view bytes);

}  // namespace raftmq::storage
