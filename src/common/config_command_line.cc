// The command-line half of the loader: CLI11 parses `--config`, `--print-config`, `--help`
// and one `--<key>=<value>` option per declared key; the file is applied first, flags last.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "common/config_loader.h"

namespace raftmq::config {
namespace {

std::string_view HelpTypeName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool: return "true|false";
    case ValueKind::kInteger: return "INT";
    case ValueKind::kFloat: return "NUMBER";
    case ValueKind::kString: return "TEXT";
    case ValueKind::kStringList: return "A,B,...";
  }
  return "VALUE";
}

template <typename Number>
std::optional<Number> ParseNumber(std::string_view text) {
  Number number{};
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return number;
}

// A flag's text as a Value of `kind`; a list is comma-separated ("a:1,b:2"; "" is empty).
std::optional<Value> FlagToValue(std::string_view text, ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return std::nullopt;
    case ValueKind::kInteger:
      if (auto number = ParseNumber<int64_t>(text)) return Value(*number);
      return std::nullopt;
    case ValueKind::kFloat:
      if (auto number = ParseNumber<double>(text)) return Value(*number);
      return std::nullopt;
    case ValueKind::kString: return Value(std::string(text));
    case ValueKind::kStringList: {
      std::vector<std::string> list;
      for (size_t begin = 0; !text.empty() && begin <= text.size();) {
        size_t comma = std::min(text.find(',', begin), text.size());
        list.emplace_back(text.substr(begin, comma - begin));
        begin = comma + 1;
      }
      return Value(std::move(list));
    }
  }
  return std::nullopt;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read config file '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read config file '" + path + "'");
  return text.str();
}

Status ApplyFlag(const KeySpec& key, const std::string& text, void* config, Origins* origins) {
  const std::string flag = "--" + key.name + "=" + text;
  std::optional<Value> value = FlagToValue(text, key.kind);
  if (!value) return Status::InvalidArgument("flag " + flag + ": expects " + std::string(KindName(key.kind)));
  Status set = key.set(config, *value);
  if (!set.ok()) return Status::InvalidArgument("flag " + flag + ": " + set.message());
  (*origins)[key.name] = "flag --" + key.name;
  return Status::Ok();
}

}  // namespace

Result<CommandLineRequest> ApplyCommandLine(const KeySet& keys, const std::vector<std::string>& args, void* config) {
  RMQ_ASSERT(!args.empty());
  RMQ_ASSERT(config != nullptr);
  CLI::App app(keys.program_name() + ": every key below can also be set in the --config file.", keys.program_name());
  std::string config_path;
  CommandLineRequest request;
  app.add_option("--config", config_path, "TOML configuration file (flags win over it)")->type_name("FILE");
  app.add_flag("--print-config", request.print_config, "print the effective configuration as TOML and exit");
  std::vector<std::string> flag_texts(keys.keys().size());
  std::vector<CLI::Option*> options;
  for (size_t i = 0; i < keys.keys().size(); ++i) {
    const KeySpec& key = keys.keys()[i];
    options.push_back(app.add_option("--" + key.name, flag_texts[i], key.doc)
                          ->type_name(std::string(HelpTypeName(key.kind)))
                          ->default_str(FormatValue(key.get(config))));
  }
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    request.help = true;
    request.help_text = app.help();
    return request;
  } catch (const CLI::ParseError& error) {
    return Status::InvalidArgument(std::string("command line: ") + error.what());
  }
  Origins origins;
  if (!config_path.empty()) {
    RMQ_ASSIGN_OR_RETURN(std::string text, ReadFile(config_path));
    RMQ_RETURN_IF_ERROR(ApplyToml(keys, text, config_path, config, &origins));
  }
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i]->count() > 0) RMQ_RETURN_IF_ERROR(ApplyFlag(keys.keys()[i], flag_texts[i], config, &origins));
  }
  RMQ_RETURN_IF_ERROR(Validate(keys, config, origins));
  return request;
}

void ExitWithError(std::string_view program_name, const Status& status) {
  std::cerr << program_name << ": bad configuration: " << status.message() << std::endl;
  std::exit(2);
}

void ExitWithText(std::string_view text) {
  std::cout << text;
  if (!text.empty() && text.back() != '\n') std::cout << '\n';
  std::cout.flush();
  std::exit(0);
}

}  // namespace raftmq::config
