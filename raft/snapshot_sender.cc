#include "raft/snapshot_sender.h"

#include <memory>
#include <vector>

#include "common/assert.h"
#include "proto/raft_snapshot.grpc.pb.h"
#include "storage/crc32c.h"
#include "storage/fs.h"

namespace raftmq::raft {

namespace {

Status FromGrpc(const grpc::Status& status, const std::string& to) {
  const std::string message = "snapshot transfer to " + to + ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK: return Status::Ok();
    case grpc::StatusCode::DEADLINE_EXCEEDED: return Status::DeadlineExceeded(message);
    case grpc::StatusCode::CANCELLED: return Status::Aborted(message);
    case grpc::StatusCode::DATA_LOSS: return Status::Corruption(message);
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION: return Status::InvalidArgument(message);
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return Status::NoSpace(message);
    default: return Status::Unavailable(message);
  }
}

SnapshotChunk HeaderChunk(const SnapshotOffer& offer, const std::vector<SnapshotFile>& files) {
  SnapshotChunk chunk;
  SnapshotHeader* header = chunk.mutable_header();
  header->set_from(offer.from);
  header->set_to(offer.to);
  header->set_leader_term(offer.leader_term.value());
  header->set_index(offer.meta.index.value());
  header->set_index_term(offer.meta.term.value());
  header->set_files(static_cast<uint32_t>(files.size()));
  uint64_t bytes = 0;
  for (const SnapshotFile& file : files) bytes += file.size_bytes;
  header->set_bytes(bytes);
  return chunk;
}

// Streams one file; false when the stream broke (Finish says why).
Result<bool> StreamFile(grpc::ClientWriter<SnapshotChunk>& writer, const std::string& dir, const SnapshotFile& file,
                        uint32_t chunk_bytes) {
  const std::string path = dir + "/" + file.name;
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<storage::RandomAccessFile> input, storage::DefaultFs()->OpenReadable(path));
  std::vector<char> scratch(chunk_bytes);
  uint32_t file_crc = 0;
  uint64_t offset = 0;
  while (true) {
    const uint64_t left = file.size_bytes - offset;
    const size_t size = static_cast<size_t>(std::min<uint64_t>(left, chunk_bytes));
    RMQ_ASSIGN_OR_RETURN(std::string_view data, input->Read(offset, size, scratch.data()));
    if (data.size() != size) return Status::IoError("snapshot: " + path + " shrank while it was sent");
    SnapshotChunk chunk;
    chunk.set_file(file.name);
    chunk.set_offset(offset);
    chunk.set_data(data.data(), data.size());
    chunk.set_data_crc32c(storage::crc32c::Value(data));
    file_crc = storage::crc32c::Extend(file_crc, data.data(), data.size());
    offset += size;
    const bool end = offset == file.size_bytes;
    if (end) {
      chunk.set_file_end(true);
      chunk.set_file_size(file.size_bytes);
      chunk.set_file_crc32c(file_crc);
    }
    if (!writer.Write(chunk)) return false;
    if (end) return true;
  }
}

}  // namespace

Status SendSnapshot(const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context, const SnapshotOffer& offer,
                    const std::string& dir, const SnapshotTransferOptions& options) {
  RMQ_ASSERT(options.chunk_bytes > 0);
  RMQ_ASSIGN_OR_RETURN(std::vector<SnapshotFile> files, ListSnapshotFiles(dir));
  context.set_deadline(std::chrono::system_clock::now() + options.transfer_timeout);
  std::unique_ptr<RaftSnapshot::Stub> stub = RaftSnapshot::NewStub(channel);
  SnapshotInstallReply reply;
  std::unique_ptr<grpc::ClientWriter<SnapshotChunk>> writer = stub->Install(&context, &reply);
  bool streaming = writer->Write(HeaderChunk(offer, files));
  for (size_t i = 0; streaming && i < files.size(); ++i) {
    Result<bool> sent = StreamFile(*writer, dir, files[i], options.chunk_bytes);
    if (!sent.ok()) {
      context.TryCancel();  // the receiver drops what it staged
      (void)writer->Finish();
      return sent.status();
    }
    streaming = *sent;
  }
  if (streaming) (void)writer->WritesDone();
  return FromGrpc(writer->Finish(), std::to_string(offer.to));
}

}  // namespace raftmq::raft
