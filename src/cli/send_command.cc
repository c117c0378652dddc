// `raftmq send --topic T [--tag X] [--key K] [--property k=v]... (--body TEXT | --file F |
// --size BYTES) [--count N]`: sends one message and prints its id, or with --count sends N
// (asynchronously, bounded by the producer's queue), shows progress on stderr every second
// and prints a summary. Exits 0 only when every message was acknowledged.
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cli/cli_context.h"
#include "client/producer.h"
#include "client/route_cache.h"

namespace raftmq::cli {
namespace {

struct SendFlags {
  std::string topic;
  std::string tag;
  std::vector<std::string> keys;
  std::vector<std::string> properties;  // k=v
  std::string body;
  std::string file;
  int64_t size_bytes = 0;
  int64_t count = 1;
  bool count_given = false;
};

Result<messaging::Message> BuildMessage(const SendFlags& flags) {
  messaging::Message message;
  message.set_topic(flags.topic);
  message.set_tag(flags.tag);
  for (const std::string& key : flags.keys) message.add_keys(key);
  for (const std::string& property : flags.properties) {
    const size_t equals = property.find('=');
    (*message.mutable_properties())[property.substr(0, equals)] = property.substr(equals + 1);
  }
  if (!flags.file.empty()) {
    std::ifstream in(flags.file, std::ios::binary);
    if (!in) return Status::IoError("cannot read --file " + flags.file);
    std::stringstream text;
    text << in.rdbuf();
    message.set_body(text.str());
  } else if (flags.size_bytes > 0) {
    message.set_body(GeneratedBody(flags.size_bytes));
  } else {
    message.set_body(flags.body);
  }
  if (message.body().empty()) return Status::InvalidArgument("the message body is empty");
  return message;
}

nlohmann::json ReceiptJson(const client::SendReceipt& receipt) {
  return {{"message_id", receipt.message_id},
          {"broker_group", receipt.queue.broker_group},
          {"queue_id", receipt.queue.queue_id},
          {"queue_offset", receipt.queue_offset},
          {"may_be_duplicate", receipt.may_be_duplicate}};
}

int SendOne(const GlobalOptions& global, client::Producer& producer, const messaging::Message& message) {
  auto receipt = producer.Send(message);
  if (!receipt.ok()) return Fail(receipt.status());
  if (global.json) {
    PrintJson(ReceiptJson(*receipt));
  } else {
    // At-least-once: a retry after an attempt of unknown outcome may have stored it twice.
    PrintLine(receipt->message_id + "  " + receipt->queue.ToString() + "  offset " + std::to_string(receipt->queue_offset) +
              (receipt->may_be_duplicate ? "  (may be stored twice: an earlier attempt's outcome was unknown)" : ""));
  }
  return kExitOk;
}

// Counts async outcomes; the main thread waits on it and reports progress.
struct Tally {
  std::mutex mutex;
  std::condition_variable done_cv;
  int64_t acknowledged = 0;
  int64_t failed = 0;
  std::string first_error;
};

int SendMany(const GlobalOptions& global, client::Producer& producer, const messaging::Message& message, int64_t count) {
  Tally tally;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  };
  int64_t next_progress_ms = 1000;
  auto report_progress = [&](int64_t submitted) {
    if (elapsed_ms() < next_progress_ms) return;
    next_progress_ms += 1000;
    std::lock_guard lock(tally.mutex);
    std::fprintf(stderr, "raftmq: %lld/%lld acknowledged, %lld failed, %lld submitted\n",
                 static_cast<long long>(tally.acknowledged), static_cast<long long>(count),
                 static_cast<long long>(tally.failed), static_cast<long long>(submitted));
  };
  for (int64_t i = 0; i < count; ++i) {
    producer.SendAsync(message, [&tally](const Result<client::SendReceipt>& receipt) {
      std::lock_guard lock(tally.mutex);
      if (receipt.ok()) {
        ++tally.acknowledged;
      } else if (tally.failed++ == 0) {
        tally.first_error = receipt.status().ToString();
      }
      tally.done_cv.notify_all();
    });
    report_progress(i + 1);
  }
  while (true) {
    std::unique_lock lock(tally.mutex);
    if (tally.done_cv.wait_for(lock, std::chrono::milliseconds(200),
                               [&] { return tally.acknowledged + tally.failed == count; })) {
      break;
    }
    lock.unlock();
    report_progress(count);
  }
  const int64_t took_ms = std::max<int64_t>(1, elapsed_ms());
  const double rate = static_cast<double>(tally.acknowledged) * 1000.0 / static_cast<double>(took_ms);
  if (global.json) {
    PrintJson({{"sent", count},
               {"acknowledged", tally.acknowledged},
               {"failed", tally.failed},
               {"elapsed_ms", took_ms},
               {"messages_per_second", rate},
               {"first_error", tally.first_error}});
  } else {
    PrintLine("sent " + std::to_string(count) + " messages: " + std::to_string(tally.acknowledged) +
              " acknowledged, " + std::to_string(tally.failed) + " failed in " + std::to_string(took_ms) + " ms (" +
              std::to_string(static_cast<int64_t>(rate)) + " msg/s)");
  }
  if (tally.failed > 0) return Fail("first failure: " + tally.first_error);
  return kExitOk;
}

int RunSend(const GlobalOptions& global, const SendFlags& flags) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto message = BuildMessage(flags);
  if (!message.ok()) return Fail(message.status());
  client::ProducerOptions producer_options;
  producer_options.client = *options;
  producer_options.async_send_threads = 8;
  auto producer = client::Producer::Create(producer_options);
  if (!producer.ok()) return Fail(producer.status());
  if (!flags.count_given) return SendOne(global, **producer, *message);
  return SendMany(global, **producer, *message, flags.count);
}

}  // namespace

void AddSendCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<SendFlags>();
  CLI::App* send = app.add_subcommand("send", "send messages to a topic");
  send->add_option("--topic", flags->topic, "topic")->required();
  send->add_option("--tag", flags->tag, "the messages' tag");
  send->add_option("--key", flags->keys, "a business key (repeatable)");
  send->add_option("--property", flags->properties, "a user property k=v (repeatable)")
      ->check([](const std::string& value) {
        return value.find('=') == std::string::npos || value.front() == '=' ? "expected k=v, got '" + value + "'"
                                                                            : std::string();
      });
  CLI::Option* body = send->add_option("--body", flags->body, "the body text");
  CLI::Option* file = send->add_option("--file", flags->file, "the body: this file's bytes")->check(CLI::ExistingFile);
  CLI::Option* size = send->add_option("--size", flags->size_bytes, "a generated body of this many bytes")
                          ->check(CLI::Range(int64_t{1}, int64_t{64} * 1024 * 1024));
  CLI::Option* count = send->add_option("--count", flags->count, "send this many messages and print a summary")
                           ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  body->excludes(file)->excludes(size);
  file->excludes(size);
  send->callback([&global, action, flags, body, file, size, count] {
    if (body->count() + file->count() + size->count() == 0) {
      throw CLI::ValidationError("send", "one of --body, --file or --size is required");
    }
    flags->count_given = count->count() > 0;
    *action = [&global, flags] { return RunSend(global, *flags); };
  });
}

}  // namespace raftmq::cli
