// config::Schema<Config>: how a process declares its configuration. The struct holds the
// fields with their defaults; the schema names each key once, with its doc and validator:
//
//   struct NameserverConfig {
//     std::string listen_address = "127.0.0.1:9876";
//     int64_t broker_expiry_ms = 120000;
//   };
//   config::Schema<NameserverConfig> schema("raftmq-nameserver");
//   RMQ_CONFIG_KEY(schema, listen_address, "host:port to serve gRPC on", config::HostPort());
//   RMQ_CONFIG_KEY(schema, broker_expiry_ms, "forget a node this long after its last heartbeat",
//                  config::InRange<int64_t>(1000, 86400000));
//   NameserverConfig config = schema.LoadOrExit(argc, argv);   // in main()
//
// The key's name is the field's name (the macro stringifies it), its type the field's type,
// its default the struct's initializer. See config_loader.h for the loading rules.
// Thread-safety: build a schema once, then share it read-only.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/config_loader.h"
#include "common/config_validators.h"
#include "common/config_value.h"
#include "common/result.h"

namespace raftmq::config {

// The outcome of parsing a command line: the validated configuration and what else was asked.
template <typename Config>
struct CommandLine {
  Config config;
  CommandLineRequest request;
};

template <typename Config>
class Schema {
 public:
  using ConfigType = Config;

  explicit Schema(std::string program_name) : keys_(std::move(program_name)) {}

  template <typename T>
  Schema& Add(std::string_view name, T Config::*field, std::string_view doc,
              std::type_identity_t<Validator<T>> validator = nullptr) {
    KeySpec key{.name = std::string(name),
                .doc = std::string(doc),
                .kind = KindOf<T>(),
                .get = [field](const void* config) { return ToValue(static_cast<const Config*>(config)->*field); },
                .set = [field](void* config, const Value& value) {
                  return FromValue(value, &(static_cast<Config*>(config)->*field));
                },
                .validate = [field, validator = std::move(validator)](const void* config) {
                  return validator ? validator(static_cast<const Config*>(config)->*field) : Status::Ok();
                }};
    keys_.Add(std::move(key));
    return *this;
  }

  // A rule across keys, checked after every key's own validator.
  Schema& AddCheck(std::function<Status(const Config&)> check) {
    keys_.AddCheck([check = std::move(check)](const void* config) { return check(*static_cast<const Config*>(config)); });
    return *this;
  }

  // The defaults overlaid with a TOML document, validated.
  Result<Config> LoadToml(std::string_view toml_text, std::string_view source_name = "config") const {
    Config config;
    Origins origins;
    RMQ_RETURN_IF_ERROR(ApplyToml(keys_, toml_text, source_name, &config, &origins));
    RMQ_RETURN_IF_ERROR(Validate(keys_, &config, origins));
    return config;
  }

  // `args[0]` is the program name; see ApplyCommandLine.
  Result<CommandLine<Config>> ParseCommandLine(const std::vector<std::string>& args) const {
    CommandLine<Config> parsed;
    RMQ_ASSIGN_OR_RETURN(parsed.request, ApplyCommandLine(keys_, args, &parsed.config));
    return parsed;
  }

  std::string ToToml(const Config& config) const {
    const Config defaults;
    return FormatToml(keys_, &config, &defaults);
  }

  // For main(): returns the configuration, or prints help / the configuration (exit 0) or
  // the error naming the key (exit 2) and exits.
  Config LoadOrExit(int argc, char** argv) const {
    Result<CommandLine<Config>> parsed = ParseCommandLine(std::vector<std::string>(argv, argv + argc));
    if (!parsed.ok()) ExitWithError(keys_.program_name(), parsed.status());
    if (parsed->request.help) ExitWithText(parsed->request.help_text);
    if (parsed->request.print_config) ExitWithText(ToToml(parsed->config));
    return std::move(parsed->config);
  }

  const KeySet& keys() const { return keys_; }

 private:
  KeySet keys_;
};

// Declares the key named after `field` (a member of the schema's Config) on `schema`.
#define RMQ_CONFIG_KEY(schema, field, doc, ...) \
  (schema).Add(#field, &std::remove_cvref_t<decltype(schema)>::ConfigType::field, doc __VA_OPT__(, ) __VA_ARGS__)

}  // namespace raftmq::config
