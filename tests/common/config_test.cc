#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/config_schema.h"

namespace raftmq::config {
namespace {

struct SampleConfig {
  std::string listen_address = "127.0.0.1:9876";
  int64_t broker_expiry_ms = 120000;
  uint32_t queues_per_topic = 8;
  double disk_usage_ratio_max = 0.75;
  bool sync_flush = false;
  std::string flush_policy = "async";
  std::vector<std::string> nameserver_addresses = {"127.0.0.1:9876"};
};

Schema<SampleConfig> SampleSchema() {
  Schema<SampleConfig> schema("sample");
  RMQ_CONFIG_KEY(schema, listen_address, "host:port to serve on", HostPort());
  RMQ_CONFIG_KEY(schema, broker_expiry_ms, "forget a node after this long", InRange<int64_t>(1000, 86400000));
  RMQ_CONFIG_KEY(schema, queues_per_topic, "queues of a new topic", InRange<uint32_t>(1, 1024));
  RMQ_CONFIG_KEY(schema, disk_usage_ratio_max, "refuse writes above this disk usage", InRange(0.1, 0.99));
  RMQ_CONFIG_KEY(schema, sync_flush, "fsync before acknowledging");
  RMQ_CONFIG_KEY(schema, flush_policy, "async or sync", OneOf({"async", "sync"}));
  RMQ_CONFIG_KEY(schema, nameserver_addresses, "nameservers to register with", HostPortList());
  schema.AddCheck([](const SampleConfig& c) {
    return c.sync_flush && c.flush_policy == "async"
               ? Status::InvalidArgument("sync_flush = true contradicts flush_policy = \"async\"")
               : Status::Ok();
  });
  return schema;
}

// The message of a failed load, or a note that it loaded when it should not have.
std::string LoadError(std::string_view toml) {
  Result<SampleConfig> loaded = SampleSchema().LoadToml(toml, "sample.toml");
  return loaded.ok() ? "(loaded)" : loaded.status().message();
}

TEST(ConfigLoad, EmptyFileGivesTheStructDefaults) {
  Result<SampleConfig> loaded = SampleSchema().LoadToml("", "sample.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->listen_address, "127.0.0.1:9876");
  EXPECT_EQ(loaded->broker_expiry_ms, 120000);
  EXPECT_EQ(loaded->nameserver_addresses, std::vector<std::string>{"127.0.0.1:9876"});
}

TEST(ConfigLoad, ReadsEveryKindOfValue) {
  Result<SampleConfig> loaded = SampleSchema().LoadToml(
      "listen_address = \"0.0.0.0:1\"\nbroker_expiry_ms = 5000\nqueues_per_topic = 16\n"
      "disk_usage_ratio_max = 0.9\nsync_flush = true\nflush_policy = \"sync\"\n"
      "nameserver_addresses = [\"a:1\", \"b:2\"]\n",
      "sample.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->listen_address, "0.0.0.0:1");
  EXPECT_EQ(loaded->broker_expiry_ms, 5000);
  EXPECT_EQ(loaded->queues_per_topic, 16u);
  EXPECT_DOUBLE_EQ(loaded->disk_usage_ratio_max, 0.9);
  EXPECT_TRUE(loaded->sync_flush);
  EXPECT_EQ(loaded->nameserver_addresses, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST(ConfigLoad, RefusesAnUnknownKeyNamingItAndItsLine) {
  std::string error = LoadError("broker_expiry_ms = 5000\nbroker_expiry_sec = 5\n");
  EXPECT_NE(error.find("unknown key 'broker_expiry_sec'"), std::string::npos) << error;
  EXPECT_NE(error.find("sample.toml line 2"), std::string::npos) << error;
}

TEST(ConfigLoad, RefusesAValueOfTheWrongType) {
  std::string error = LoadError("broker_expiry_ms = \"5s\"\n");
  EXPECT_NE(error.find("key 'broker_expiry_ms' expects an integer, got a string"), std::string::npos) << error;
  error = LoadError("nameserver_addresses = [1, 2]\n");
  EXPECT_NE(error.find("'nameserver_addresses' expects an array of strings"), std::string::npos) << error;
}

TEST(ConfigLoad, RefusesAValueItsValidatorRejectsWithTheReason) {
  std::string error = LoadError("broker_expiry_ms = 10\n");
  EXPECT_NE(error.find("key 'broker_expiry_ms' = 10 (from sample.toml line 1): must be in [1000, 86400000]"),
            std::string::npos)
      << error;
  error = LoadError("listen_address = \"nohost\"\n");
  EXPECT_NE(error.find("key 'listen_address'"), std::string::npos) << error;
  error = LoadError("flush_policy = \"sometimes\"\n");
  EXPECT_NE(error.find("must be one of: async, sync"), std::string::npos) << error;
}

TEST(ConfigLoad, RefusesAnIntegerThatDoesNotFitTheField) {
  std::string error = LoadError("queues_per_topic = -1\n");
  EXPECT_NE(error.find("key 'queues_per_topic': -1 is out of range"), std::string::npos) << error;
}

TEST(ConfigLoad, ReportsTomlSyntaxErrorsWithTheLine) {
  std::string error = LoadError("broker_expiry_ms = 5000\nlisten_address = \n");
  EXPECT_NE(error.find("sample.toml line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("TOML syntax error"), std::string::npos) << error;
}

TEST(ConfigLoad, AppliesCrossKeyChecks) {
  EXPECT_NE(LoadError("sync_flush = true\n").find("contradicts"), std::string::npos);
}

class ConfigCommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("raftmq_config_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void WriteFile(std::string_view text) { std::ofstream(path_) << text; }
  Result<CommandLine<SampleConfig>> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "sample");
    return SampleSchema().ParseCommandLine(args);
  }
  std::filesystem::path path_;
};

TEST_F(ConfigCommandLine, FlagsOverrideTheFile) {
  WriteFile("broker_expiry_ms = 5000\nqueues_per_topic = 4\n");
  auto parsed = Parse({"--config", path_.string(), "--broker_expiry_ms=7000", "--nameserver_addresses=a:1,b:2"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.broker_expiry_ms, 7000);
  EXPECT_EQ(parsed->config.queues_per_topic, 4u);
  EXPECT_EQ(parsed->config.nameserver_addresses, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_FALSE(parsed->request.print_config);
}

TEST_F(ConfigCommandLine, RefusesABadFlagValueNamingTheFlag) {
  auto parsed = Parse({"--broker_expiry_ms=soon"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("--broker_expiry_ms=soon: expects an integer"), std::string::npos)
      << parsed.status().message();
  parsed = Parse({"--broker_expiry_ms=1"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("(from flag --broker_expiry_ms)"), std::string::npos)
      << parsed.status().message();
}

TEST_F(ConfigCommandLine, RefusesAnUnknownFlag) {
  auto parsed = Parse({"--no_such_key=1"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("no_such_key"), std::string::npos) << parsed.status().message();
}

TEST_F(ConfigCommandLine, RefusesAMissingConfigFile) {
  auto parsed = Parse({"--config", path_.string()});
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.status().IsIoError()) << parsed.status().ToString();
}

TEST_F(ConfigCommandLine, PrintedConfigLoadsBackToTheSameValues) {
  auto parsed = Parse({"--print-config", "--broker_expiry_ms=7000", "--listen_address=[::1]:1",
                       "--nameserver_addresses=a:1,b:2", "--disk_usage_ratio_max=0.5", "--flush_policy=sync"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->request.print_config);
  const std::string printed = SampleSchema().ToToml(parsed->config);
  EXPECT_NE(printed.find("# forget a node after this long (default: 120000)\nbroker_expiry_ms = 7000"),
            std::string::npos)
      << printed;
  Result<SampleConfig> reloaded = SampleSchema().LoadToml(printed, "printed");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString() << "\n" << printed;
  EXPECT_EQ(SampleSchema().ToToml(*reloaded), printed);
  EXPECT_EQ(reloaded->listen_address, "[::1]:1");
  EXPECT_DOUBLE_EQ(reloaded->disk_usage_ratio_max, 0.5);
}

TEST_F(ConfigCommandLine, HelpListsEveryKeyWithItsDoc) {
  auto parsed = Parse({"--help"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->request.help);
  EXPECT_NE(parsed->request.help_text.find("--broker_expiry_ms"), std::string::npos);
  EXPECT_NE(parsed->request.help_text.find("forget a node after this long"), std::string::npos);
}

}  // namespace
}  // namespace raftmq::config
