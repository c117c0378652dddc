#include "broker/broker_snapshot_files.h"

#include <string_view>

#include "storage/crc32c.h"
#include "storage/log_record.h"

namespace raftmq::broker {
namespace {

constexpr size_t kManifestCrcBytes = sizeof(uint32_t);

std::string PathIn(const std::string& dir, std::string_view name) { return dir + "/" + std::string(name); }

Status WriteSynced(storage::Fs* fs, const std::string& path, std::string_view bytes) {
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<storage::WritableFile> file, fs->OpenAppendable(path));
  RMQ_RETURN_IF_ERROR(file->Append(bytes));
  RMQ_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

Result<std::string> ReadWhole(storage::Fs* fs, const std::string& path) {
  if (!fs->Exists(path)) return Status::Corruption("broker snapshot: " + path + " is missing");
  RMQ_ASSIGN_OR_RETURN(uint64_t size_bytes, fs->FileSize(path));
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<storage::RandomAccessFile> file, fs->OpenReadable(path));
  std::string bytes(size_bytes, '\0');
  RMQ_ASSIGN_OR_RETURN(std::string_view got, file->Read(0, bytes.size(), bytes.data()));
  if (got.size() != size_bytes) return Status::IoError("broker snapshot: short read of " + path);
  if (got.data() != bytes.data()) bytes.assign(got);
  return bytes;
}

Status CheckVersion(uint32_t version, const std::string& path) {
  if (version == 0) return Status::Corruption("broker snapshot: " + path + " carries no format version");
  if (version > kBrokerSnapshotFormatVersion) {
    return Status::NotSupported("broker snapshot: " + path + " has format version " + std::to_string(version) +
                                "; this broker reads up to " + std::to_string(kBrokerSnapshotFormatVersion));
  }
  return Status::Ok();
}

Result<SnapshotManifest> ReadManifest(storage::Fs* fs, const std::string& dir) {
  const std::string path = PathIn(dir, kBrokerSnapshotManifestFileName);
  RMQ_ASSIGN_OR_RETURN(std::string bytes, ReadWhole(fs, path));
  SnapshotManifest manifest;
  if (bytes.size() < kManifestCrcBytes ||
      storage::crc32c::Unmask(storage::GetFixed32(bytes.data())) !=
          storage::crc32c::Value(std::string_view(bytes).substr(kManifestCrcBytes)) ||
      !manifest.ParseFromArray(bytes.data() + kManifestCrcBytes, static_cast<int>(bytes.size() - kManifestCrcBytes))) {
    return Status::Corruption("broker snapshot: " + path + " fails its CRC or does not parse");
  }
  RMQ_RETURN_IF_ERROR(CheckVersion(manifest.format_version(), path));
  return manifest;
}

}  // namespace

Status WriteBrokerSnapshot(storage::Fs* fs, const std::string& dir, const BrokerSnapshot& state) {
  for (std::string_view name : {kBrokerSnapshotStateFileName, kBrokerSnapshotManifestFileName}) {
    // Files are appended to: one left from another snapshot would make this one unreadable.
    if (fs->Exists(PathIn(dir, name))) {
      return Status::InvalidArgument("broker snapshot: " + PathIn(dir, name) + " exists; the directory must be empty");
    }
  }
  const std::string bytes = state.SerializeAsString();
  RMQ_RETURN_IF_ERROR(WriteSynced(fs, PathIn(dir, kBrokerSnapshotStateFileName), bytes));
  SnapshotManifest manifest;
  manifest.set_format_version(kBrokerSnapshotFormatVersion);
  manifest.set_applied_index(state.applied_index());
  manifest.set_applied_term(state.applied_term());
  SnapshotFile* file = manifest.add_files();
  file->set_name(std::string(kBrokerSnapshotStateFileName));
  file->set_size_bytes(bytes.size());
  file->set_crc32c(storage::crc32c::Value(bytes));
  const std::string body = manifest.SerializeAsString();
  std::string manifest_bytes(kManifestCrcBytes, '\0');
  storage::PutFixed32(manifest_bytes.data(), storage::crc32c::Mask(storage::crc32c::Value(body)));
  manifest_bytes += body;
  RMQ_RETURN_IF_ERROR(WriteSynced(fs, PathIn(dir, kBrokerSnapshotManifestFileName), manifest_bytes));
  return fs->SyncDir(dir);
}

Result<BrokerSnapshot> ReadBrokerSnapshot(storage::Fs* fs, const std::string& dir) {
  RMQ_ASSIGN_OR_RETURN(SnapshotManifest manifest, ReadManifest(fs, dir));
  std::string state_bytes;
  bool state_listed = false;
  for (const SnapshotFile& file : manifest.files()) {
    if (file.name().empty() || file.name().find('/') != std::string::npos) {
      return Status::Corruption("broker snapshot: " + PathIn(dir, kBrokerSnapshotManifestFileName) +
                                " names a file outside the snapshot: '" + file.name() + "'");
    }
    const std::string path = PathIn(dir, file.name());
    RMQ_ASSIGN_OR_RETURN(std::string bytes, ReadWhole(fs, path));
    if (bytes.size() != file.size_bytes() || storage::crc32c::Value(bytes) != file.crc32c()) {
      return Status::Corruption("broker snapshot: " + path + " holds " + std::to_string(bytes.size()) +
                                " bytes with CRC32C " + std::to_string(storage::crc32c::Value(bytes)) +
                                ", the manifest says " + std::to_string(file.size_bytes()) + " bytes with " +
                                std::to_string(file.crc32c()));
    }
    if (file.name() == kBrokerSnapshotStateFileName) {
      state_bytes = std::move(bytes);
      state_listed = true;
    }
  }
  const std::string state_path = PathIn(dir, kBrokerSnapshotStateFileName);
  if (!state_listed) return Status::Corruption("broker snapshot: the manifest does not list " + state_path);
  BrokerSnapshot state;
  if (!state.ParseFromString(state_bytes)) return Status::Corruption("broker snapshot: " + state_path + " does not parse");
  RMQ_RETURN_IF_ERROR(CheckVersion(state.format_version(), state_path));
  if (state.applied_index() != manifest.applied_index() || state.applied_term() != manifest.applied_term()) {
    return Status::Corruption("broker snapshot: " + state_path + " is at index " +
                              std::to_string(state.applied_index()) + ", the manifest says " +
                              std::to_string(manifest.applied_index()));
  }
  return state;
}

}  // namespace raftmq::broker
