// client_test_consumer: a PushConsumer in its own process, so a test can SIGKILL it (a
// consumer dying without unregistering). Args: <nameserver> <consumer group> <topic>.
// Prints "ready <client id>" once started, then "message <id>" per message and
// "assignment <queue> <queue> ..." whenever the queues it owns change, each line flushed.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "client/push_consumer.h"
#include "tests/client/test_speed_options.h"

int main(int argc, char** argv) {
  using namespace raftmq::client;
  if (argc != 4) {
    std::fprintf(stderr, "usage: client_test_consumer <nameserver> <group> <topic>\n");
    return 2;
  }
  ClientOptions client;
  client.nameserver_addresses = {argv[1]};
  client.rpc_timeout_ms = 2000;
  const PushConsumerOptions options = raftmq::client::testing::TestSpeedConsumerOptions(client, argv[2]);
  auto consumer = PushConsumer::Create(options);
  if (!consumer.ok() || !(*consumer)->Subscribe(argv[3], "*").ok()) return 1;
  std::mutex output;
  (*consumer)->RegisterMessageListener([&](const MessageQueue&, const raftmq::messaging::MessageExt& message) {
    std::lock_guard lock(output);
    std::printf("message %s\n", message.message().message_id().c_str());
    std::fflush(stdout);
    return ConsumeStatus::kConsumeSuccess;
  });
  raftmq::Status started = (*consumer)->Start();
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  std::printf("ready %s\n", (*consumer)->client_id().c_str());
  std::fflush(stdout);
  // Until killed: the assignment has no change event, so it is looked at every 20 ms.
  std::string printed = "none";
  for (;;) {
    std::string queues;
    for (const MessageQueue& queue : (*consumer)->Assignment()) queues += " " + queue.ToString();
    if (queues != printed) {
      std::lock_guard lock(output);
      std::printf("assignment%s\n", queues.c_str());
      std::fflush(stdout);
      printed = queues;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
