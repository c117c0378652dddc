#include "raft/node.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::raft {

Status NodeOptions::Validate() const {
  RMQ_RETURN_IF_ERROR(core.Validate());
  if (tick_interval_ms == 0) return Status::InvalidArgument("tick_interval_ms must be > 0");
  if (inbox_messages_max == 0) return Status::InvalidArgument("inbox_messages_max must be > 0");
  if (proposals_pending_max == 0) return Status::InvalidArgument("proposals_pending_max must be > 0");
  if (storage_fault_retry_interval_ms_min == 0 ||
      storage_fault_retry_interval_ms_max < storage_fault_retry_interval_ms_min) {
    return Status::InvalidArgument(
        "storage_fault_retry_interval_ms_min must be > 0 and <= storage_fault_retry_interval_ms_max");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Node>> Node::Start(NodeOptions options, storage::LogStore* log,
                                          storage::HardStateStore* hard_state_store, StateMachine* state_machine,
                                          Transport* transport, NodeSnapshots snapshots) {
  RMQ_ASSERT(log != nullptr && hard_state_store != nullptr);
  RMQ_ASSERT(state_machine != nullptr && transport != nullptr);
  RMQ_RETURN_IF_ERROR(options.Validate());
  RMQ_ASSIGN_OR_RETURN(storage::HardState hard_state, hard_state_store->LoadHardState());
  const Index applied = state_machine->LastApplied();
  // Distinct election timeouts across restarts of the same node, not only across nodes.
  options.core.random_seed ^= static_cast<uint64_t>(Clock::now().time_since_epoch().count()) * 0x9E3779B97F4A7C15ull;
  RMQ_ASSERT((snapshots.store == nullptr) == (snapshots.shipper == nullptr));
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<Core> core,
                       BuildCore(options.core, *log, *hard_state_store, hard_state, applied, snapshots.store));
  std::unique_ptr<Node> node(new Node(std::move(options), log, hard_state_store, state_machine, transport, snapshots));
  node->core_ = std::move(core);
  // Published before the loop runs: a node that starts recovering says so at once.
  node->ObserveSoftState(node->core_->CurrentSoftState());
  node->PublishConfiguration(/*always=*/true);
  node->saved_hard_state_ = hard_state;
  node->state_machine_applied_ = applied;
  node->next_tick_ = Clock::now() + std::chrono::milliseconds(node->options_.tick_interval_ms);
  node->commit_saved_at_ = Clock::now();
  node->PublishGauges();
  node->thread_ = std::thread([raw = node.get()] { raw->Run(); });
  return node;
}

Result<std::unique_ptr<Core>> Node::BuildCore(const CoreOptions& options, const storage::LogStore& log,
                                              const storage::HardStateStore& hard_state_store,
                                              const storage::HardState& hard_state, Index applied,
                                              SnapshotStore* snapshots) {
  Result<std::optional<storage::ConfRecord>> record = hard_state_store.LoadConfRecord();
  if (!record.ok()) return record.status().WithContext("loading the configuration record");
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<Core> core, Core::Create(options, log, hard_state, applied, snapshots, *record));
  if (snapshots != nullptr) snapshots->NoteConfiguration(core->applied_conf_record());
  return core;
}

Node::Node(NodeOptions options, storage::LogStore* log, storage::HardStateStore* hard_state_store,
           StateMachine* state_machine, Transport* transport, NodeSnapshots snapshots)
    : id_(options.core.id),
      options_(std::move(options)),
      log_(log),
      hard_state_store_(hard_state_store),
      state_machine_(state_machine),
      transport_(transport),
      snapshots_(snapshots),
      proposals_(options_.proposals_pending_max, &metrics_) {}

Node::~Node() { Stop(); }

void Node::Deliver(std::vector<Message> messages) {
  bool was_empty = false;
  size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    was_empty = inbox_.empty();
    const size_t room = options_.inbox_messages_max - inbox_.size();
    dropped = messages.size() > room ? messages.size() - room : 0;
    for (size_t i = 0; i < messages.size() - dropped; ++i) inbox_.push_back(std::move(messages[i]));
    RMQ_ASSERT(inbox_.size() <= options_.inbox_messages_max);
  }
  if (dropped > 0) metrics_.messages_dropped_inbox_full_total.fetch_add(dropped, std::memory_order_relaxed);
  if (was_empty) wake_.notify_one();
}

void Node::PeerDisconnected(NodeId peer) {
  {
    std::lock_guard lock(mutex_);
    if (disconnected_.size() >= options_.inbox_messages_max) return;
    disconnected_.push_back(peer);
  }
  wake_.notify_one();
}

void Node::Propose(EntryKind kind, std::string payload, ProposalCallback done) {
  Enqueue(QueuedProposal{.kind = kind, .payload = std::move(payload), .done = std::move(done)});
}

std::future<ProposalOutcome> Node::Propose(EntryKind kind, std::string payload) {
  return EnqueueForFuture(QueuedProposal{.kind = kind, .payload = std::move(payload)});
}

void Node::ProposeConfChange(const ConfChange& change, ProposalCallback done) {
  Enqueue(QueuedProposal{.change = change, .done = std::move(done)});
}

std::future<ProposalOutcome> Node::ProposeConfChange(const ConfChange& change) {
  return EnqueueForFuture(QueuedProposal{.change = change});
}

void Node::Enqueue(QueuedProposal proposal) {
  RMQ_ASSERT(proposal.done != nullptr);
  metrics_.proposals_total.fetch_add(1, std::memory_order_relaxed);
  // Refusals before a reservation are answered here, on the proposer's thread.
  const auto refuse = [&](std::string_view reason) {
    metrics_.proposals_failed_total.fetch_add(1, std::memory_order_relaxed);
    proposal.done(ProposalOutcome{.status = Status::Unavailable(reason), .leader_hint = LeaderHint()});
  };
  if (!IsLeader()) return refuse("not the leader");
  if (!proposals_.TryReserve()) return refuse("too many pending proposals");
  bool queued = false;
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && !stopped_) {
      was_empty = queued_.empty();
      queued_.push_back(std::move(proposal));
      queued = true;
    }
  }
  if (!queued) return proposals_.Fail(proposal.done, Status::Unavailable("node stopped; not stored"), kNoNode);
  if (was_empty) wake_.notify_one();
}

std::future<ProposalOutcome> Node::EnqueueForFuture(QueuedProposal proposal) {
  auto promise = std::make_shared<std::promise<ProposalOutcome>>();
  std::future<ProposalOutcome> future = promise->get_future();
  proposal.done = [promise](ProposalOutcome outcome) { promise->set_value(std::move(outcome)); };
  Enqueue(std::move(proposal));
  return future;
}

Status Node::TransferLeadership(NodeId target) {
  RMQ_ASSERT_MSG(thread_.get_id() != std::this_thread::get_id(), "would wait on its own loop");
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> future = promise->get_future();
  const bool posted = Post([this, promise, target](Core* core) {
    if (core != nullptr) return promise->set_value(core->TransferLeadership(target));
    promise->set_value(loop_ended_ ? Status::Aborted("node stopped")
                                   : Status::Unavailable("not the leader: set aside by a storage fault"));
  });
  if (!posted) return Status::Aborted("node stopped");
  return future.get();
}

Result<NodeStatus> Node::CurrentStatus() {
  RMQ_ASSERT_MSG(thread_.get_id() != std::this_thread::get_id(), "would wait on its own loop");
  auto promise = std::make_shared<std::promise<Result<NodeStatus>>>();
  std::future<Result<NodeStatus>> future = promise->get_future();
  const bool posted = Post([this, promise](Core* core) {
    if (core == nullptr) {
      promise->set_value(StatusWithoutCore());
      return;
    }
    promise->set_value(NodeStatus{.id = core->id(), .role = core->role(), .term = core->term(),
                                  .leader = core->leader(), .commit = core->commit_index(),
                                  .applied = core->applied_index(), .last_index = core->last_index(),
                                  .peers = core->Peers(), .configuration = core->configuration()});
  });
  if (!posted) return Status::Aborted("node stopped");
  return future.get();
}

void Node::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (!thread_.joinable()) return;
  RMQ_ASSERT_MSG(thread_.get_id() != std::this_thread::get_id(), "Stop() called from a Node callback");
  thread_.join();
}

Status Node::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

Status Node::storage_fault() const {
  std::lock_guard lock(mutex_);
  return storage_fault_;
}

ConfState Node::Configuration() const {
  std::lock_guard lock(mutex_);
  return configuration_;
}

bool Node::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || stopped_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void Node::Run() {
  LoopInput input;
  Status fatal;
  while (fatal.ok() && WaitForWork(&input)) {
    for (Task& task : input.tasks) task(core_.get());
    input.tasks.clear();
    if (core_ == nullptr) {
      fatal = WhileAside(&input);
      if (core_ == nullptr) continue;
    }
    StepInbox(&input.inbox, &input.disconnected);
    ProposeQueued(&input.proposals);
    TickIfDue();
    MaybeCampaign();
    Status status = HandleReadys();
    if (!status.ok()) {
      fatal = StepAside(status);
      continue;
    }
    PublishGauges();
  }
  FailEverything(fatal.ok() ? Status::Aborted("node stopped") : fatal);
  if (!fatal.ok() && options_.on_storage_fatal) options_.on_storage_fatal(fatal);
}

Status Node::HandleReadys() {
  while (core_->HasReady()) {
    // A committed entry the Core cannot read is retried at every Ready: HasReady() would stay
    // true and this loop would spin (and Stop() never return).
    const bool apply_due = core_->applied_index() < core_->commit_index();
    const uint64_t read_errors_before = core_->read_errors();
    Ready ready = core_->TakeReady();
    const bool apply_read_failed =
        apply_due && ready.committed_entries.empty() && core_->read_errors() > read_errors_before;
    RMQ_RETURN_IF_ERROR(HandleReady(std::move(ready)));
    core_->Advance();
    if (apply_read_failed) {
      const Status read = ReadNextToApply();
      return read.ok() ? Status::IoError("a committed entry could not be read (it reads now)") : read;
    }
  }
  return Status::Ok();
}

bool Node::WaitForWork(LoopInput* input) {
  RMQ_ASSERT(input->inbox.empty() && input->proposals.empty());
  RMQ_ASSERT(input->tasks.empty() && input->disconnected.empty());
  Clock::time_point wake_at = suspected_leader_ != kNoNode ? std::min(next_tick_, campaign_at_) : next_tick_;
  if (campaign_retries_left_ > 0) wake_at = std::min(wake_at, campaign_retry_at_);
  if (core_ == nullptr) wake_at = rejoin_at_;
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, wake_at, [this] {
    return stopping_ || !inbox_.empty() || !queued_.empty() || !tasks_.empty() || !disconnected_.empty();
  });
  if (stopping_) return false;
  // Swapping hands the loop everything at once and gives the shared vectors the loop's
  // cleared buffers back, so steady state allocates nothing here.
  input->inbox.swap(inbox_);
  input->proposals.swap(queued_);
  input->tasks.swap(tasks_);
  input->disconnected.swap(disconnected_);
  return true;
}

void Node::StepInbox(std::vector<Message>* inbox, std::vector<NodeId>* disconnected) {
  metrics_.messages_received_total.fetch_add(inbox->size(), std::memory_order_relaxed);
  // Every message from a peer was delivered before its stream's end was reported, so the
  // news comes after them; but a peer's vote request is judged after it (see
  // node_failover.cc). Reordering within a batch is nothing the network could not do.
  const auto votes = std::stable_partition(inbox->begin(), inbox->end(),
                                           [](const Message& message) { return !IsVoteRequest(message); });
  const auto step = [this](const Message& message) {
    if (!MayStep(message)) return;
    core_->Step(message);
    NoteHeardFrom(message.from);  // after Step: a new leader is known once its message is in
  };
  std::for_each(inbox->begin(), votes, step);
  HandleDisconnects(disconnected);
  std::for_each(votes, inbox->end(), step);
  inbox->clear();
}

void Node::ProposeQueued(std::vector<QueuedProposal>* proposals) {
  for (QueuedProposal& proposal : *proposals) {
    Result<Index> index = proposal.change ? core_->ProposeConfChange(*proposal.change)
                                          : core_->Propose(proposal.kind, std::move(proposal.payload));
    if (!index.ok()) {
      proposals_.Fail(proposal.done, index.status(), core_->leader());
      continue;
    }
    RMQ_ASSERT(core_->role() == Role::kLeader);
    proposals_.Track(*index, core_->term(), std::move(proposal.done));
  }
  proposals->clear();
}

void Node::TickIfDue() {
  const Clock::time_point now = Clock::now();
  if (now < next_tick_) return;
  core_->Tick();
  ++ticks_since_leader_;
  const auto interval = std::chrono::milliseconds(options_.tick_interval_ms);
  next_tick_ += interval;
  // A loop stalled past several ticks (a slow fsync) ticks once, not in a burst that could
  // expire an election timeout nobody actually waited out.
  if (next_tick_ <= now) next_tick_ = now + interval;
}

void Node::PublishGauges() {
  RMQ_ASSERT(core_ != nullptr);
  metrics_.term.store(core_->term().value(), std::memory_order_relaxed);
  metrics_.commit_index.store(core_->commit_index().value(), std::memory_order_relaxed);
  metrics_.applied_index.store(state_machine_applied_.value(), std::memory_order_relaxed);
  PublishSnapshotsUnavailable();
}

void Node::FailEverything(const Status& status) {
  RMQ_ASSERT(!status.ok());
  RMQ_ASSERT(!loop_ended_);
  metrics_.is_leader.store(0, std::memory_order_relaxed);
  loop_ended_ = true;
  core_.reset();
  std::vector<QueuedProposal> queued;
  std::vector<Task> tasks;
  // Marked stopped (with the reason) before any proposer hears of it, so one that sees its
  // proposal fail also sees failure().
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    if (!status.IsAborted()) failure_ = status;
    queued.swap(queued_);
    tasks.swap(tasks_);
  }
  // Tracked entries were appended and may have been sent: they may still commit.
  proposals_.FailAll(Status::Aborted("node stopped; the entry may still commit: " + status.ToString()), kNoNode);
  for (QueuedProposal& proposal : queued) {
    proposals_.Fail(proposal.done, Status::Unavailable("node stopped; not stored: " + status.ToString()), kNoNode);
  }
  FailReads(status);
  for (Task& task : tasks) task(nullptr);
}

}  // namespace raftmq::raft
