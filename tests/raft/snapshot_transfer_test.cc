// Snapshot transfer on its own (raft/snapshot_sender.h, raft/snapshot_receiver.h): a real gRPC
// server on 127.0.0.1 receives what SendSnapshot streams, or what a test writes by hand on
// the raw stream to break one rule at a time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "raft/grpc_snapshot_shipper.h"
#include "raft/snapshot_receiver.h"
#include "raft/snapshot_sender.h"
#include "raft/snapshot_store.h"
#include "storage/crc32c.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::raft {
namespace {

constexpr NodeId kLeader = 1;
constexpr NodeId kFollower = 2;
const storage::ConfState kGroupConfiguration{.voters = {1, 2, 3}};
const SnapshotOffer kOffer{kLeader, kFollower, Term(5), storage::SnapshotMeta{Index(1200), Term(4)}};

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

std::string ReadFile(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << input.rdbuf();
  return bytes.str();
}

// Entries of `dir` whose names start with `prefix`.
size_t CountEntries(const std::string& dir, const std::string& prefix) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    count += entry.path().filename().string().starts_with(prefix) ? 1 : 0;
  }
  return count;
}

// Node 2's receiver on a free port, recording what its handler was given.
class Follower {
 public:
  explicit Follower(Status answer = Status::Ok()) : answer_(std::move(answer)) {
    auto receiver = SnapshotReceiver::Create(kFollower, {kLeader, 3}, root_.path(), [this](ReceivedSnapshot snapshot) {
      std::lock_guard lock(mutex_);
      handed_.push_back(snapshot);
      return answer_;
    });
    EXPECT_TRUE(receiver.ok()) << receiver.status().ToString();
    receiver_ = std::move(receiver).value();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(receiver_.get());
    server_ = builder.BuildAndStart();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
  }
  ~Follower() { server_->Shutdown(std::chrono::system_clock::now()); }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& root() const { return root_.path(); }
  std::vector<ReceivedSnapshot> handed() {
    std::lock_guard lock(mutex_);
    return handed_;
  }
  // Staging directories are removed once a call ends, which the server does after the client
  // has its answer (or has cancelled): wait for it.
  ::testing::AssertionResult NoStagingLeft() const {
    return test_support::Eventually([&] { return CountEntries(root(), "incoming-") == 0; })
           << "a staging directory stayed under " << root();
  }

 private:
  const Status answer_;
  test_support::TempDir root_{"raftmq_snapshot_rx"};
  std::mutex mutex_;
  std::vector<ReceivedSnapshot> handed_;
  std::unique_ptr<SnapshotReceiver> receiver_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

SnapshotChunk Header(NodeId from, NodeId to, uint32_t files, uint64_t bytes) {
  SnapshotChunk chunk;
  SnapshotHeader* header = chunk.mutable_header();
  header->set_from(from);
  header->set_to(to);
  header->set_leader_term(5);
  header->set_index(1200);
  header->set_index_term(4);
  header->set_files(files);
  header->set_bytes(bytes);
  return chunk;
}

SnapshotChunk WholeFile(const std::string& name, const std::string& data) {
  SnapshotChunk chunk;
  chunk.set_file(name);
  chunk.set_data(data);
  chunk.set_data_crc32c(storage::crc32c::Value(data));
  chunk.set_file_end(true);
  chunk.set_file_size(data.size());
  chunk.set_file_crc32c(storage::crc32c::Value(data));
  return chunk;
}

// Writes `chunks` on a raw Install stream and returns the receiver's answer.
grpc::Status SendRaw(Follower& follower, const std::vector<SnapshotChunk>& chunks) {
  auto stub = RaftSnapshot::NewStub(follower.channel());
  grpc::ClientContext context;
  SnapshotInstallReply reply;
  auto writer = stub->Install(&context, &reply);
  for (const SnapshotChunk& chunk : chunks) {
    if (!writer->Write(chunk)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

TEST(SnapshotTransfer, EveryFileArrivesWholeAndTheSnapshotIsHandedOnOnce) {
  test_support::TempDir source("raftmq_snapshot_tx");
  const std::string big = RandomBytes(10'000, 1);  // 2.4 chunks of 4096 bytes
  const std::string small = RandomBytes(17, 2);
  source.WriteFile("empty", "");
  source.WriteFile("state", big);
  source.WriteFile("manifest", small);
  Follower follower;
  grpc::ClientContext context;
  const Status sent = SendSnapshot(follower.channel(), context, kOffer, source.path(),
                                   SnapshotTransferOptions{.chunk_bytes = 4096});
  ASSERT_TRUE(sent.ok()) << sent.ToString();

  const std::vector<ReceivedSnapshot> handed = follower.handed();
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0].offer.from, kLeader);
  EXPECT_EQ(handed[0].offer.to, kFollower);
  EXPECT_EQ(handed[0].offer.leader_term, Term(5));
  EXPECT_EQ(handed[0].offer.meta, kOffer.meta);
  EXPECT_EQ(handed[0].bytes, big.size() + small.size());
  EXPECT_EQ(ReadFile(handed[0].dir + "/state"), big);
  EXPECT_EQ(ReadFile(handed[0].dir + "/manifest"), small);
  EXPECT_TRUE(std::filesystem::exists(handed[0].dir + "/empty"));
  EXPECT_EQ(std::filesystem::file_size(handed[0].dir + "/empty"), 0u);
  EXPECT_TRUE(follower.NoStagingLeft());
}

TEST(SnapshotTransfer, AChunkWhoseCrcDoesNotMatchIsRefusedAndNothingIsKept) {
  Follower follower;
  SnapshotChunk bad = WholeFile("state", "twelve bytes");
  bad.set_data_crc32c(bad.data_crc32c() ^ 1);
  const grpc::Status answer = SendRaw(follower, {Header(kLeader, kFollower, 1, 12), bad});
  EXPECT_EQ(answer.error_code(), grpc::StatusCode::DATA_LOSS) << answer.error_message();
  EXPECT_NE(answer.error_message().find("file state: CRC mismatch"), std::string::npos) << answer.error_message();
  EXPECT_TRUE(follower.handed().empty());
  EXPECT_TRUE(follower.NoStagingLeft());
  EXPECT_EQ(CountEntries(follower.root(), "received-"), 0u);
}

TEST(SnapshotTransfer, AHeaderForAnotherNodeOrFromAStrangerIsRefused) {
  Follower follower;
  const grpc::Status elsewhere = SendRaw(follower, {Header(kLeader, 3, 0, 0)});
  EXPECT_EQ(elsewhere.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(elsewhere.error_message().find("sent to node 3, this is node 2"), std::string::npos)
      << elsewhere.error_message();
  const grpc::Status stranger = SendRaw(follower, {Header(9, kFollower, 0, 0)});
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(stranger.error_message().find("node 9, which is not a peer"), std::string::npos)
      << stranger.error_message();
  EXPECT_TRUE(follower.handed().empty());
}

TEST(SnapshotTransfer, AStreamThatEndsBeforeEveryFileArrivedIsRefused) {
  Follower follower;
  const grpc::Status answer = SendRaw(follower, {Header(kLeader, kFollower, 2, 8), WholeFile("a", "four")});
  EXPECT_EQ(answer.error_code(), grpc::StatusCode::DATA_LOSS) << answer.error_message();
  EXPECT_NE(answer.error_message().find("after 1 of 2 files"), std::string::npos) << answer.error_message();
  EXPECT_TRUE(follower.handed().empty());
  EXPECT_TRUE(follower.NoStagingLeft());
}

TEST(SnapshotTransfer, ABadFileNameOrAFileTwiceIsRefused) {
  Follower follower;
  const grpc::Status escape = SendRaw(follower, {Header(kLeader, kFollower, 1, 4), WholeFile("../x", "four")});
  EXPECT_EQ(escape.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(escape.error_message().find("'../x' is no file name"), std::string::npos) << escape.error_message();
  const grpc::Status twice =
      SendRaw(follower, {Header(kLeader, kFollower, 2, 8), WholeFile("a", "four"), WholeFile("a", "four")});
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(twice.error_message().find("file a twice"), std::string::npos) << twice.error_message();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(follower.root()).parent_path() / "x"));
  EXPECT_TRUE(follower.NoStagingLeft());
}

TEST(SnapshotTransfer, ACancelledTransferLeavesNothingAndIsNotHandedOn) {
  Follower follower;
  auto stub = RaftSnapshot::NewStub(follower.channel());
  grpc::ClientContext context;
  SnapshotInstallReply reply;
  auto writer = stub->Install(&context, &reply);
  ASSERT_TRUE(writer->Write(Header(kLeader, kFollower, 1, 8)));
  SnapshotChunk half = WholeFile("state", "four");
  half.set_file_end(false);
  ASSERT_TRUE(writer->Write(half));
  ASSERT_TRUE(test_support::PollUntil([&] { return CountEntries(follower.root(), "incoming-") == 1; }))
      << "the receiver never staged the transfer";
  context.TryCancel();
  EXPECT_FALSE(writer->Finish().ok());
  EXPECT_TRUE(follower.NoStagingLeft());
  EXPECT_TRUE(follower.handed().empty());
}

TEST(SnapshotTransfer, TheHandlersRefusalReachesTheSenderAndTheFilesAreDropped) {
  test_support::TempDir source("raftmq_snapshot_tx");
  source.WriteFile("state", "x");
  Follower follower(Status::InvalidArgument("a stale snapshot"));
  grpc::ClientContext context;
  const Status sent = SendSnapshot(follower.channel(), context, kOffer, source.path(), SnapshotTransferOptions{});
  EXPECT_TRUE(sent.IsInvalidArgument()) << sent.ToString();
  EXPECT_NE(sent.ToString().find("a stale snapshot"), std::string::npos) << sent.ToString();
  EXPECT_EQ(CountEntries(follower.root(), "received-"), 0u);
}

TEST(SnapshotTransfer, NoReceiverIsUnavailable) {
  test_support::TempDir source("raftmq_snapshot_tx");
  source.WriteFile("state", "x");
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  const Status sent = SendSnapshot(channel, context, kOffer, source.path(), SnapshotTransferOptions{});
  EXPECT_TRUE(sent.IsUnavailable()) << sent.ToString();
}

TEST(SnapshotTransfer, StagingLeftByACrashIsRemovedAtStart) {
  test_support::TempDir root("raftmq_snapshot_rx");
  std::filesystem::create_directories(root.Sub("incoming-7"));
  root.WriteFile("incoming-7/state", "half");
  std::filesystem::create_directories(root.Sub("received-4-1200-3"));
  auto receiver = SnapshotReceiver::Create(kFollower, {kLeader}, root.path(), [](ReceivedSnapshot) { return Status::Ok(); });
  ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(root.Sub("incoming-7")));
  EXPECT_TRUE(std::filesystem::exists(root.Sub("received-4-1200-3")));  // the node's to install or drop
}

TEST(GrpcSnapshotShipper, ShipsIntoTheFollowersStoreWhichThenHoldsAndAdoptsIt) {
  test_support::TempDir source("raftmq_snapshot_tx");
  source.WriteFile("state", RandomBytes(5000, 3));
  Follower follower;
  auto store = SnapshotStore::Open(storage::DefaultFs(), follower.root(), kGroupConfiguration);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_FALSE((*store)->Holds(kOffer.meta));

  GrpcSnapshotShipper shipper({{kFollower, follower.address()}}, SnapshotTransferOptions{.chunk_bytes = 1024});
  std::promise<Status> shipped;
  ASSERT_TRUE(shipper.Ship(kOffer, source.path(), [&](Status status) { shipped.set_value(status); }));
  const Status status = shipped.get_future().get();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE((*store)->Holds(kOffer.meta));
  EXPECT_FALSE((*store)->Holds(storage::SnapshotMeta{Index(1200), Term(3)})) << "another term is another snapshot";
  auto adopted = (*store)->Adopt(kOffer.meta);
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_EQ(ReadFile(*adopted + "/state"), ReadFile(source.Sub("state")));
  EXPECT_EQ((storage::SnapshotMeta{kOffer.meta.index, kOffer.meta.term, kGroupConfiguration}),
            (*store)->Latest().value());

  std::promise<Status> unknown;
  SnapshotOffer to_stranger = kOffer;
  to_stranger.to = 9;
  EXPECT_FALSE(shipper.Ship(to_stranger, source.path(), [&](Status s) { unknown.set_value(s); }))
      << "no address for node 9";
  shipper.Stop();
  EXPECT_FALSE(shipper.Ship(kOffer, source.path(), [](Status) {})) << "stopped";
}

}  // namespace
}  // namespace raftmq::raft
