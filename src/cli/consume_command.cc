// `raftmq consume --topic T --group G [--tag EXPR] [--from first|last] [--count N]
// [--timeout S] [--broadcast]`: a push consumer printing messages as they arrive (with --json
// one object per line). Stops after N messages, S seconds, or SIGINT/SIGTERM, then shuts the
// consumer down cleanly (offsets committed). Messages that arrive beyond N are not consumed:
// they stay for the group's next run. Exits 1 when --count was given and fewer arrived
// before --timeout.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cli/cli_context.h"
#include "client/push_consumer.h"

namespace raftmq::cli {
namespace {

struct ConsumeFlags {
  std::string topic;
  std::string group;
  std::string tag_expression = "*";
  std::string from = "last";
  int64_t count = 0;        // 0: no limit
  int64_t timeout_s = 0;    // 0: no limit
  bool broadcast = false;
};

// Shared by the listener threads, the signal thread and the main thread.
struct Progress {
  std::mutex mutex;
  std::condition_variable changed_cv;
  int64_t printed = 0;
  bool interrupted = false;
};

void PrintMessage(const GlobalOptions& global, const client::MessageQueue& queue, const messaging::MessageExt& ext) {
  const messaging::Message& message = ext.message();
  if (global.json) {
    nlohmann::json properties = nlohmann::json::object();
    for (const auto& [key, value] : message.properties()) properties[key] = value;
    PrintJson({{"id", message.message_id()},
               {"queue", {{"topic", queue.topic}, {"broker_group", queue.broker_group}, {"queue_id", queue.queue_id}}},
               {"offset", ext.queue_offset()},
               {"tag", message.tag()},
               {"keys", std::vector<std::string>(message.keys().begin(), message.keys().end())},
               {"properties", properties},
               {"body", message.body()}});
    return;
  }
  constexpr size_t kBodyShownBytesMax = 200;
  std::string body = message.body().substr(0, kBodyShownBytesMax);
  if (message.body().size() > kBodyShownBytesMax) body += "...";
  PrintLine(message.message_id() + "  " + queue.ToString() + "  offset " + std::to_string(ext.queue_offset()) +
            (message.tag().empty() ? "" : "  tag " + message.tag()) + "  " + body);
}

// Blocks SIGINT/SIGTERM (before any thread starts, so every thread inherits it) and turns
// them into `progress.interrupted` on a detached sigwait thread.
void WatchSignals(Progress* progress) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals, progress] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    std::lock_guard lock(progress->mutex);
    progress->interrupted = true;
    progress->changed_cv.notify_all();
  }).detach();
}

Result<std::unique_ptr<client::PushConsumer>> MakeConsumer(const GlobalOptions& global, const ConsumeFlags& flags) {
  RMQ_ASSIGN_OR_RETURN(client::ClientOptions client_options, ToClientOptions(global));
  client::PushConsumerOptions options;
  options.client = client_options;
  options.consumer_group = flags.group;
  options.message_model = flags.broadcast ? client::MessageModel::kBroadcasting : client::MessageModel::kClustering;
  options.consume_from_where =
      flags.from == "first" ? client::ConsumeFromWhere::kFirstOffset : client::ConsumeFromWhere::kLastOffset;
  options.consume_thread_count = 1;  // prints in arrival order
  RMQ_ASSIGN_OR_RETURN(auto consumer, client::PushConsumer::Create(options));
  RMQ_RETURN_IF_ERROR(consumer->Subscribe(flags.topic, flags.tag_expression));
  return consumer;
}

int RunConsume(const GlobalOptions& global, const ConsumeFlags& flags) {
  Progress progress;
  WatchSignals(&progress);
  auto consumer = MakeConsumer(global, flags);
  if (!consumer.ok()) return Fail(consumer.status());
  client::PushConsumer* raw = consumer->get();
  raw->RegisterMessageListener([&](const client::MessageQueue& queue, const messaging::MessageExt& message) {
    {
      std::lock_guard lock(progress.mutex);
      if (flags.count == 0 || progress.printed < flags.count) {
        PrintMessage(global, queue, message);
        ++progress.printed;
        progress.changed_cv.notify_all();
        return client::ConsumeStatus::kConsumeSuccess;
      }
    }
    raw->AwaitStopping();  // one too many: leave it to the group's next run
    return client::ConsumeStatus::kReconsumeLater;
  });
  Status started = raw->Start();
  if (!started.ok()) return Fail(started);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(flags.timeout_s);
  int64_t printed = 0;
  {
    std::unique_lock lock(progress.mutex);
    auto done = [&] { return progress.interrupted || (flags.count > 0 && progress.printed >= flags.count); };
    if (flags.timeout_s > 0) {
      progress.changed_cv.wait_until(lock, deadline, done);
    } else {
      progress.changed_cv.wait(lock, done);
    }
    printed = progress.printed;
  }
  raw->Shutdown();
  if (flags.count > 0 && printed < flags.count && !progress.interrupted) {
    return Fail(std::to_string(printed) + " of " + std::to_string(flags.count) + " messages before the " +
                std::to_string(flags.timeout_s) + " s timeout");
  }
  return kExitOk;
}

}  // namespace

void AddConsumeCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<ConsumeFlags>();
  CLI::App* consume = app.add_subcommand("consume", "print a topic's messages as a consumer group receives them");
  consume->add_option("--topic", flags->topic, "topic")->required();
  consume->add_option("--group", flags->group, "consumer group")->required();
  consume->add_option("--tag", flags->tag_expression, "tag expression: * or a || b");
  consume->add_option("--from", flags->from, "where a new group starts")->check(CLI::IsMember({"first", "last"}));
  consume->add_option("--count", flags->count, "stop after this many messages")->check(CLI::PositiveNumber);
  consume->add_option("--timeout", flags->timeout_s, "stop after this many seconds")->check(CLI::PositiveNumber);
  consume->add_flag("--broadcast", flags->broadcast, "every consumer gets every message (offsets in a local file)");
  consume->callback([&global, action, flags] { *action = [&global, flags] { return RunConsume(global, *flags); }; });
}

}  // namespace raftmq::cli
