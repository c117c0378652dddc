// `raftmq topic create|update|delete|list|describe`: topics on every broker group (or the
// groups named with --group). Queue counts and perm are per group, as in RocketMQ.
#include "cli/cli_context.h"
#include "client/admin.h"

namespace raftmq::cli {
namespace {

struct TopicFlags {
  std::string topic;
  int32_t queues = 8;         // both counts unless one is given on its own
  int32_t read_queues = -1;   // -1: --queues
  int32_t write_queues = -1;  // -1: --queues
  std::string perm = "rw";
  std::vector<std::string> groups;
};

std::string PermText(int32_t perm) {
  std::string text;
  if ((perm & admin::PERM_READ) != 0) text += "r";
  if ((perm & admin::PERM_WRITE) != 0) text += "w";
  return text.empty() ? "-" : text;
}

admin::TopicConfig ToConfig(const TopicFlags& flags) {
  admin::TopicConfig config;
  config.set_name(flags.topic);
  config.set_read_queue_nums(flags.read_queues >= 0 ? flags.read_queues : flags.queues);
  config.set_write_queue_nums(flags.write_queues >= 0 ? flags.write_queues : flags.queues);
  int32_t perm = 0;
  if (flags.perm.find('r') != std::string::npos) perm |= admin::PERM_READ;
  if (flags.perm.find('w') != std::string::npos) perm |= admin::PERM_WRITE;
  config.set_perm(perm);
  return config;
}

void PrintTopics(const GlobalOptions& global, const std::vector<client::GroupTopic>& topics, bool with_queues) {
  nlohmann::json entries = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const client::GroupTopic& entry : topics) {
    const admin::TopicConfig& config = entry.topic.topic();
    nlohmann::json json = {{"topic", config.name()},
                           {"broker_group", entry.broker_group},
                           {"read_queue_nums", config.read_queue_nums()},
                           {"write_queue_nums", config.write_queue_nums()},
                           {"perm", PermText(config.perm())}};
    std::vector<std::string> row = {config.name(), entry.broker_group, std::to_string(config.read_queue_nums()),
                                    std::to_string(config.write_queue_nums()), PermText(config.perm())};
    if (with_queues) {
      nlohmann::json queues = nlohmann::json::array();
      int64_t messages = 0;
      for (const admin::QueueStatus& queue : entry.topic.queues()) {
        queues.push_back({{"queue_id", queue.queue_id()},
                          {"min_offset", queue.min_offset()},
                          {"max_offset", queue.max_offset()}});
        messages += queue.max_offset() - queue.min_offset();
      }
      json["queues"] = queues;
      row.push_back(std::to_string(messages));
    }
    entries.push_back(json);
    rows.push_back(row);
  }
  if (global.json) {
    PrintJson(entries);
    return;
  }
  std::vector<std::string> columns = {"topic", "broker group", "read queues", "write queues", "perm"};
  if (with_queues) columns.push_back("messages");
  PrintTable(columns, rows);
}

enum class Verb { kCreate, kUpdate, kDelete, kList, kDescribe };

int RunTopic(const GlobalOptions& global, const TopicFlags& flags, Verb verb) {
  auto options = ToClientOptions(global);
  if (!options.ok()) return Fail(options.status());
  auto admin = client::Admin::Create(*options);
  if (!admin.ok()) return Fail(admin.status());
  Result<std::vector<client::GroupTopic>> result = Status::InvalidArgument("no verb");
  switch (verb) {
    case Verb::kCreate:
      result = (*admin)->CreateTopic(ToConfig(flags), flags.groups);
      break;
    case Verb::kUpdate:
      result = (*admin)->UpdateTopic(ToConfig(flags), flags.groups);
      break;
    case Verb::kDelete:
      result = (*admin)->DeleteTopic(flags.topic);
      break;
    case Verb::kList:
      result = (*admin)->ListTopics();
      break;
    case Verb::kDescribe:
      result = (*admin)->DescribeTopic(flags.topic);
      break;
  }
  if (!result.ok()) return Fail(result.status());
  PrintTopics(global, *result, verb == Verb::kDescribe);
  return kExitOk;
}

void AddConfigFlags(CLI::App* command, TopicFlags* flags) {
  command->add_option("--queues", flags->queues, "read and write queues per group")->check(CLI::Range(0, 1024));
  command->add_option("--read-queues", flags->read_queues, "read queues per group (overrides --queues)")
      ->check(CLI::Range(0, 1024));
  command->add_option("--write-queues", flags->write_queues, "write queues per group (overrides --queues)")
      ->check(CLI::Range(0, 1024));
  command->add_option("--perm", flags->perm, "r, w or rw")->check(CLI::IsMember({"r", "w", "rw", "-"}));
  command->add_option("--group", flags->groups, "only these broker groups (repeatable; default: every group)");
}

}  // namespace

void AddTopicCommand(CLI::App& app, const GlobalOptions& global, Action* action) {
  auto flags = std::make_shared<TopicFlags>();
  CLI::App* topic = app.add_subcommand("topic", "create, change, delete and inspect topics");
  topic->require_subcommand(1);
  struct VerbSpec {
    const char* name;
    const char* help;
    Verb verb;
  };
  const VerbSpec verbs[] = {{"create", "create a topic on every group", Verb::kCreate},
                            {"update", "change a topic's queues or perm", Verb::kUpdate},
                            {"delete", "delete a topic from every group that has it", Verb::kDelete},
                            {"list", "every group's topics", Verb::kList},
                            {"describe", "a topic's queues and offsets on every group", Verb::kDescribe}};
  for (const VerbSpec& spec : verbs) {
    CLI::App* command = topic->add_subcommand(spec.name, spec.help);
    if (spec.verb != Verb::kList) command->add_option("--topic", flags->topic, "topic name")->required();
    if (spec.verb == Verb::kCreate || spec.verb == Verb::kUpdate) AddConfigFlags(command, flags.get());
    const Verb verb = spec.verb;
    command->callback([&global, action, flags, verb] {
      *action = [&global, flags, verb] { return RunTopic(global, *flags, verb); };
    });
  }
}

}  // namespace raftmq::cli
