// BrokerNodeState: what a broker node builds from its log, wired as BrokerComponents wires it
// (MetaStore, ConsumeQueueStore, Dispatcher, TopicConfigManager, ConsumerOffsetManager and the
// BrokerStateMachine over them) on real files under one directory, for the tests that apply
// entries by hand without Raft. The log is either a real CommitLog in dir/commitlog, owned here
// and also the retention target, or one the test owns (a MemoryCommitLog) with no retention.
// Nothing is closed on destruction: a test that wants a clean stop closes the dispatcher, one
// that drops the state without it is a crash.
//
// Threading: one test thread.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "broker/broker_state_machine.h"
#include "broker/consumer_offset_manager.h"
#include "broker/entry_kind.h"
#include "broker/topic_config_manager.h"
#include "storage/commit_log.h"
#include "storage/consume_queue_store.h"
#include "storage/dispatcher.h"
#include "storage/meta_store.h"

namespace raftmq::broker::testing {

struct BrokerNodeStateOptions {
  storage::Fs* fs = storage::DefaultFs();  // the CommitLog's, the ConsumeQueues' and snapshots' files
  storage::ConsumeQueueOptions queues;
};

struct BrokerNodeState {
  // Over a CommitLog opened in dir/commitlog with `log_options` (their dir is set here).
  BrokerNodeState(const std::string& dir, storage::CommitLogOptions log_options, BrokerNodeStateOptions options = {})
      : fs(options.fs) {
    std::filesystem::create_directories(dir);
    log_options.dir = dir + "/commitlog";
    log = std::move(storage::CommitLog::Open(fs, std::move(log_options))).value();
    Build(dir, log.get(), log.get(), options);
  }
  // Over a log the test owns and fills (read through `reader`); DeleteLogBefore only records
  // its index.
  BrokerNodeState(const std::string& dir, const storage::CommitLogReader* reader, BrokerNodeStateOptions options = {})
      : fs(options.fs) {
    std::filesystem::create_directories(dir);
    Build(dir, reader, nullptr, options);
  }

  // Applies an entry that is already in the log. A failed apply fails the test and answers
  // an empty AppliedEntry.
  AppliedEntry Apply(const storage::LogEntry& entry) {
    auto value = machine->Apply(entry);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? FromApplyValue(std::move(value).value()) : AppliedEntry{};
  }
  // Appends an entry at the next index of the owned CommitLog (as Raft would), then applies it.
  AppliedEntry Apply(storage::EntryKind kind, std::string payload, Term term) {
    storage::LogEntry entry{.index = log->LastIndex() + 1, .term = term, .kind = kind, .payload = std::move(payload)};
    const Status appended = log->Append(std::span(&entry, 1));
    EXPECT_TRUE(appended.ok()) << appended.ToString();
    return appended.ok() ? Apply(entry) : AppliedEntry{};
  }

  storage::Fs* fs;
  std::unique_ptr<storage::CommitLog> log;  // null over a log the test owns
  std::unique_ptr<storage::MetaStore> meta;
  std::unique_ptr<storage::ConsumeQueueStore> queues;
  std::unique_ptr<storage::Dispatcher> dispatcher;
  std::unique_ptr<TopicConfigManager> topics;
  std::unique_ptr<ConsumerOffsetManager> offsets;
  std::unique_ptr<BrokerStateMachine> machine;

 private:
  void Build(const std::string& dir, const storage::CommitLogReader* reader, storage::LogRetention* retention,
             const BrokerNodeStateOptions& options) {
    meta = std::move(storage::MetaStore::Open(dir + "/meta")).value();
    queues = std::move(storage::ConsumeQueueStore::Open(fs, dir, options.queues)).value();
    dispatcher = std::make_unique<storage::Dispatcher>(
        queues.get(), meta.get(), storage::DispatcherOptions{.message_batch_kind = kMessageBatchEntry});
    topics = std::make_unique<TopicConfigManager>(meta.get());
    offsets = std::make_unique<ConsumerOffsetManager>(meta.get());
    machine = std::make_unique<BrokerStateMachine>(fs, reader, retention, meta.get(), dispatcher.get(), topics.get(),
                                                   offsets.get());
  }
};

}  // namespace raftmq::broker::testing
