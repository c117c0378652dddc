#include "chaos/node_probe.h"

#include <chrono>

namespace raftmq::chaos {
namespace {

constexpr int64_t kPollIntervalMs = 200;
constexpr int64_t kPollTimeoutMs = 300;

void SetDeadline(grpc::ClientContext* context, int64_t timeout_ms) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
}

Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return Status::Unavailable(what + ": " + status.error_message());
}

}  // namespace

NodeProbe::NodeProbe(std::vector<ProbedNode> nodes) : nodes_(std::move(nodes)) {
  for (const ProbedNode& node : nodes_) {
    stubs_.push_back(admin::AdminService::NewStub(grpc::CreateChannel(node.address, grpc::InsecureChannelCredentials())));
  }
}

Result<admin::NodeStatusResponse> NodeProbe::NodeStatus(size_t node, int64_t timeout_ms) const {
  grpc::ClientContext context;
  SetDeadline(&context, timeout_ms);
  admin::NodeStatusResponse response;
  grpc::Status status = stubs_[node]->NodeStatus(&context, admin::NodeStatusRequest(), &response);
  if (!status.ok()) return FromGrpc(status, nodes_[node].name + " NodeStatus");
  return response;
}

Result<admin::LogDigestResponse> NodeProbe::Digest(size_t node, uint64_t from_index, uint64_t index,
                                                   int64_t timeout_ms) const {
  grpc::ClientContext context;
  SetDeadline(&context, timeout_ms);
  admin::LogDigestRequest request;
  request.set_from_index(from_index);
  request.set_index(index);
  admin::LogDigestResponse response;
  grpc::Status status = stubs_[node]->LogDigest(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, nodes_[node].name + " LogDigest");
  return response;
}

LeaderWatch::LeaderWatch(const NodeProbe* probe, int groups, const RunClock* clock, History* history)
    : probe_(probe), groups_(groups), clock_(clock), history_(history), thread_([this] { Run(); }) {}

LeaderWatch::~LeaderWatch() {
  stopping_.store(true);
  thread_.join();
}

int LeaderWatch::Leader(int group) const {
  std::lock_guard lock(mutex_);
  auto found = leaders_.find(group);
  return found == leaders_.end() ? -1 : found->second.first;
}

bool LeaderWatch::WaitForLeaders(int64_t timeout_ms) const {
  const int64_t deadline = clock_->NowMs() + timeout_ms;
  for (;;) {
    bool all = true;
    for (int group = 1; group <= groups_; ++group) all = all && Leader(group) >= 0;
    if (all) return true;
    if (clock_->NowMs() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

void LeaderWatch::PollOnce() {
  std::map<int, std::pair<int, uint64_t>> seen;  // group -> (node, term) of the highest-term leader
  for (size_t node = 0; node < probe_->nodes().size(); ++node) {
    auto status = probe_->NodeStatus(node, kPollTimeoutMs);
    if (!status.ok() || status->role() != admin::LEADER) continue;
    const int group = probe_->nodes()[node].group;
    auto& best = seen.try_emplace(group, -1, 0).first->second;
    if (status->term() >= best.second) best = {static_cast<int>(node), status->term()};
  }
  std::lock_guard lock(mutex_);
  for (int group = 1; group <= groups_; ++group) {
    auto now = seen.count(group) != 0 ? seen[group] : std::make_pair(-1, uint64_t{0});
    auto& known = leaders_.try_emplace(group, -1, 0).first->second;
    if (now.first == known.first && (now.first < 0 || now.second == known.second)) continue;
    known = now;
    history_->RecordLeader({"g" + std::to_string(group), now.first < 0 ? "" : probe_->nodes()[now.first].name,
                            now.second, clock_->NowMs()});
  }
}

void LeaderWatch::Run() {
  while (!stopping_.load()) {
    PollOnce();
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

}  // namespace raftmq::chaos
