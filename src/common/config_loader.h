// The untyped core of the configuration framework: a list of declared keys (KeySpec) and
// the loader that fills a configuration struct from a TOML file and `--<key>=<value>` flags,
// validates it, and prints it back as TOML. Processes do not call this directly: they
// declare keys through the typed config::Schema<Config> (config_schema.h), which builds the
// KeySpecs and hands their struct to the loader as an opaque pointer.
//
// Rules: one flat TOML table per process; a key not declared is refused, as is a value of
// the wrong type or one its validator rejects; every error names the key and where the value
// came from (file and line, or the flag). Flags win over the file. Defaults are the struct's
// default member initializers, so a default exists exactly once.
// Thread-safety: a KeySet is immutable once built and may be shared; loading is reentrant.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_value.h"
#include "common/result.h"
#include "common/status.h"

namespace raftmq::config {

// One declared key; the accessors take the configuration struct as an opaque pointer.
struct KeySpec {
  std::string name;  // snake_case, equal to the struct field's name
  std::string doc;   // one line, printed as a comment by --print-config
  ValueKind kind;
  std::function<Value(const void* config)> get;
  std::function<Status(void* config, const Value& value)> set;  // range checks only
  std::function<Status(const void* config)> validate;           // the key's validator
};

// Cross-key rules (say, a scan interval below the expiry it scans for).
using CheckFn = std::function<Status(const void* config)>;

class KeySet {
 public:
  explicit KeySet(std::string program_name) : program_name_(std::move(program_name)) {}

  // Asserts the name is new and snake_case: keys are declared by code, not read from input.
  void Add(KeySpec key);
  void AddCheck(CheckFn check) { checks_.push_back(std::move(check)); }

  const KeySpec* Find(std::string_view name) const;
  const std::vector<KeySpec>& keys() const { return keys_; }
  const std::vector<CheckFn>& checks() const { return checks_; }
  const std::string& program_name() const { return program_name_; }

 private:
  std::string program_name_;
  std::vector<KeySpec> keys_;
  std::vector<CheckFn> checks_;
};

// Where each key's value came from ("nameserver.toml line 3", "flag --x"), for messages;
// keys left at their default are absent.
using Origins = std::map<std::string, std::string, std::less<>>;

// What the command line asked for besides the configuration itself.
struct CommandLineRequest {
  bool print_config = false;  // --print-config: print the effective TOML and exit 0
  bool help = false;          // --help: print `help_text` and exit 0
  std::string help_text;
};

// Applies a TOML document's keys onto `config`. `source_name` names the text in messages.
Status ApplyToml(const KeySet& keys, std::string_view toml_text, std::string_view source_name, void* config,
                 Origins* origins);

// Runs every key's validator, then the cross-key checks.
Status Validate(const KeySet& keys, const void* config, const Origins& origins);

// The effective configuration as TOML: each key preceded by its doc (and its default when the
// value differs from it) as comments. Loading the output back yields the same values.
std::string FormatToml(const KeySet& keys, const void* config, const void* defaults);

// Formats one value as TOML writes it (strings quoted and escaped).
std::string FormatValue(const Value& value);

// Parses `args` (args[0] is the program): `--config FILE`, `--print-config`, `--help` and
// `--<key>=<value>` for every key. Applies the file, then the flags, onto `config` (which
// holds the defaults on entry) and validates the result.
Result<CommandLineRequest> ApplyCommandLine(const KeySet& keys, const std::vector<std::string>& args, void* config);

// For Schema::LoadOrExit: "<program>: bad configuration: <why>" on stderr and exit 2; or the
// text on stdout and exit 0.
[[noreturn]] void ExitWithError(std::string_view program_name, const Status& status);
[[noreturn]] void ExitWithText(std::string_view text);

}  // namespace raftmq::config
