#include "raft/snapshot_receiver.h"

#include <memory>

#include <spdlog/spdlog.h>

#include "storage/crc32c.h"
#include "storage/fs.h"

namespace raftmq::raft {

namespace {

constexpr char kStagingPrefix[] = "incoming-";

grpc::Status ToGrpc(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return grpc::Status::OK;
    case Status::Code::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, status.ToString()};
    case Status::Code::kCorruption: return {grpc::StatusCode::DATA_LOSS, status.ToString()};
    case Status::Code::kNoSpace: return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.ToString()};
    case Status::Code::kAborted: return {grpc::StatusCode::ABORTED, status.ToString()};
    default: return {grpc::StatusCode::UNAVAILABLE, status.ToString()};
  }
}

// The file being received: chunks are appended in order and checked as they come.
struct FileInProgress {
  std::string name;
  std::unique_ptr<storage::WritableFile> output;
  uint64_t size_bytes = 0;
  uint32_t crc = 0;
};

Status AppendChunk(FileInProgress& file, const SnapshotChunk& chunk) {
  if (chunk.offset() != file.size_bytes) {
    return Status::InvalidArgument("snapshot: file " + file.name + ": chunk at offset " +
                                   std::to_string(chunk.offset()) + ", expected " + std::to_string(file.size_bytes));
  }
  if (storage::crc32c::Value(chunk.data()) != chunk.data_crc32c()) {
    return Status::Corruption("snapshot: file " + file.name + ": CRC mismatch in the chunk at offset " +
                              std::to_string(chunk.offset()));
  }
  RMQ_RETURN_IF_ERROR(file.output->Append(chunk.data()));
  file.size_bytes += chunk.data().size();
  file.crc = storage::crc32c::Extend(file.crc, chunk.data().data(), chunk.data().size());
  if (!chunk.file_end()) return Status::Ok();
  if (file.size_bytes != chunk.file_size() || file.crc != chunk.file_crc32c()) {
    return Status::Corruption("snapshot: file " + file.name + ": received " + std::to_string(file.size_bytes) +
                              " bytes whose size or CRC differs from the sender's (" +
                              std::to_string(chunk.file_size()) + " bytes)");
  }
  RMQ_RETURN_IF_ERROR(file.output->Sync());
  return file.output->Close();
}

}  // namespace

Result<std::unique_ptr<SnapshotReceiver>> SnapshotReceiver::Create(NodeId self, std::set<NodeId> peers,
                                                                   std::string root, ReceivedSnapshotHandler handler) {
  storage::Fs* fs = storage::DefaultFs();
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(root));
  // Transfers a crash cut short: nothing will finish them.
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(root));
  for (const std::string& name : names) {
    if (name.starts_with(kStagingPrefix)) RemoveSnapshotDir(root + "/" + name);
  }
  return std::unique_ptr<SnapshotReceiver>(
      new SnapshotReceiver(self, std::move(peers), std::move(root), std::move(handler)));
}

SnapshotReceiver::SnapshotReceiver(NodeId self, std::set<NodeId> peers, std::string root,
                                   ReceivedSnapshotHandler handler)
    : self_(self), peers_(std::move(peers)), root_(std::move(root)), handler_(std::move(handler)) {}

void SnapshotReceiver::SetPeers(std::set<NodeId> peers) {
  std::lock_guard lock(peers_mutex_);
  peers_ = std::move(peers);
}

Result<SnapshotOffer> SnapshotReceiver::CheckHeader(const SnapshotChunk& chunk) const {
  if (!chunk.has_header()) return Status::InvalidArgument("snapshot: the first chunk carries no header");
  const SnapshotHeader& header = chunk.header();
  if (header.to() != self_) {
    return Status::InvalidArgument("snapshot: sent to node " + std::to_string(header.to()) + ", this is node " +
                                   std::to_string(self_));
  }
  bool known = false;
  {
    std::lock_guard lock(peers_mutex_);
    known = peers_.contains(header.from());
  }
  if (!known) {
    return Status::InvalidArgument("snapshot: sent by node " + std::to_string(header.from()) +
                                   ", which is not a peer of this group");
  }
  if (header.index() == 0 || header.index_term() == 0 || header.leader_term() < header.index_term()) {
    return Status::InvalidArgument("snapshot: header names index " + std::to_string(header.index()) + " of term " +
                                   std::to_string(header.index_term()) + " from a leader of term " +
                                   std::to_string(header.leader_term()));
  }
  return SnapshotOffer{header.from(), header.to(), Term(header.leader_term()),
                       storage::SnapshotMeta{Index(header.index()), Term(header.index_term())}};
}

Result<ReceivedSnapshot> SnapshotReceiver::Receive(grpc::ServerReader<SnapshotChunk>& reader,
                                                   const std::string& staging) {
  SnapshotChunk chunk;
  if (!reader.Read(&chunk)) return Status::Aborted("snapshot: the stream ended before its header");
  RMQ_ASSIGN_OR_RETURN(SnapshotOffer offer, CheckHeader(chunk));
  const SnapshotHeader header = chunk.header();
  std::set<std::string> received;
  std::optional<FileInProgress> file;
  uint64_t bytes = 0;
  while (reader.Read(&chunk)) {
    if (chunk.has_header()) return Status::InvalidArgument("snapshot: a second header");
    if (file.has_value() && chunk.file() != file->name) {
      return Status::InvalidArgument("snapshot: file " + file->name + " ended without its last chunk");
    }
    if (!file.has_value()) {
      if (!IsSnapshotFileName(chunk.file())) {
        return Status::InvalidArgument("snapshot: '" + chunk.file() + "' is no file name");
      }
      if (received.contains(chunk.file())) return Status::InvalidArgument("snapshot: file " + chunk.file() + " twice");
      if (received.size() == header.files()) {
        return Status::InvalidArgument("snapshot: more than the header's " + std::to_string(header.files()) + " files");
      }
      RMQ_ASSIGN_OR_RETURN(auto output, storage::DefaultFs()->OpenAppendable(staging + "/" + chunk.file()));
      file = FileInProgress{chunk.file(), std::move(output)};
    }
    bytes += chunk.data().size();
    if (bytes > header.bytes()) {
      return Status::Corruption("snapshot: more than the header's " + std::to_string(header.bytes()) + " bytes");
    }
    RMQ_RETURN_IF_ERROR(AppendChunk(*file, chunk));
    if (chunk.file_end()) {
      received.insert(file->name);
      file.reset();
    }
  }
  if (file.has_value()) return Status::Aborted("snapshot: the stream ended inside file " + file->name);
  if (received.size() != header.files() || bytes != header.bytes()) {
    return Status::Corruption("snapshot: the stream ended after " + std::to_string(received.size()) + " of " +
                              std::to_string(header.files()) + " files, " + std::to_string(bytes) + " of " +
                              std::to_string(header.bytes()) + " bytes");
  }
  RMQ_RETURN_IF_ERROR(storage::DefaultFs()->SyncDir(staging));
  return ReceivedSnapshot{offer, staging, bytes};
}

grpc::Status SnapshotReceiver::Install(grpc::ServerContext* context, grpc::ServerReader<SnapshotChunk>* reader,
                                       SnapshotInstallReply* reply) {
  storage::Fs* fs = storage::DefaultFs();
  const uint64_t number = next_staging_.fetch_add(1);
  const std::string staging = root_ + "/" + kStagingPrefix + std::to_string(number);
  if (Status made = fs->CreateDirs(staging); !made.ok()) return ToGrpc(made);
  Result<ReceivedSnapshot> received = Receive(*reader, staging);
  if (received.ok() && context->IsCancelled()) received = Status::Aborted("snapshot: the sender cancelled");
  if (!received.ok()) {
    RemoveSnapshotDir(staging);
    spdlog::warn("{}", received.status().ToString());
    return ToGrpc(received.status());
  }
  // Named by the transfer's number too: a retry of the same snapshot never replaces a
  // directory the handler already took.
  const storage::SnapshotMeta& meta = received->offer.meta;
  const std::string dir = root_ + "/received-" + std::to_string(meta.term.value()) + "-" +
                          std::to_string(meta.index.value()) + "-" + std::to_string(number);
  Status moved = fs->Rename(staging, dir);
  if (moved.ok()) moved = fs->SyncDir(root_);
  if (!moved.ok()) {
    RemoveSnapshotDir(staging);
    return ToGrpc(moved);
  }
  received->dir = dir;
  reply->set_bytes_received(received->bytes);
  spdlog::info("snapshot: received index {} term {} from node {}: {} bytes in {}", meta.index.value(),
               meta.term.value(), received->offer.from, received->bytes, dir);
  const Status handled = handler_(*received);
  if (!handled.ok()) RemoveSnapshotDir(dir);
  return ToGrpc(handled);
}

}  // namespace raftmq::raft
