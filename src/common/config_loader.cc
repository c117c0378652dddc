#include "common/config_loader.h"

#include <sstream>

#include <toml++/toml.h>

namespace raftmq::config {

static_assert(std::variant_size_v<Value> == 5);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ValueKind::kInteger), Value>, int64_t>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(ValueKind::kStringList), Value>,
                             std::vector<std::string>>);

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool: return "a boolean";
    case ValueKind::kInteger: return "an integer";
    case ValueKind::kFloat: return "a number";
    case ValueKind::kString: return "a string";
    case ValueKind::kStringList: return "an array of strings";
  }
  return "a value";
}

namespace {

bool IsSnakeCase(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z' || name.back() == '_') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string_view NodeTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

// The node as a Value of `kind`, or nothing when its TOML type does not fit.
std::optional<Value> NodeToValue(const toml::node& node, ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      if (auto b = node.as_boolean()) return Value(b->get());
      break;
    case ValueKind::kInteger:
      if (auto i = node.as_integer()) return Value(i->get());
      break;
    case ValueKind::kFloat:
      if (auto i = node.as_integer()) return Value(static_cast<double>(i->get()));
      if (auto f = node.as_floating_point()) return Value(f->get());
      break;
    case ValueKind::kString:
      if (auto s = node.as_string()) return Value(s->get());
      break;
    case ValueKind::kStringList: {
      const toml::array* array = node.as_array();
      if (array == nullptr || !array->is_homogeneous(toml::node_type::string)) {
        if (array == nullptr || !array->empty()) break;
      }
      std::vector<std::string> list;
      for (const toml::node& element : *array) list.push_back(element.as_string()->get());
      return Value(std::move(list));
    }
  }
  return std::nullopt;
}

std::string Where(std::string_view source_name, const toml::source_region& region) {
  return std::string(source_name) + " line " + std::to_string(region.begin.line);
}

// "name = value" as toml++ writes it, without a trailing newline.
std::string FormatAssignment(std::string_view name, const Value& value) {
  toml::table table;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          toml::array array;
          for (const std::string& s : v) array.push_back(s);
          table.insert(name, std::move(array));
        } else {
          table.insert(name, v);
        }
      },
      value);
  std::ostringstream out;
  out << table;
  std::string text = out.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

void KeySet::Add(KeySpec key) {
  RMQ_ASSERT_MSG(IsSnakeCase(key.name), "config keys are snake_case field names");
  RMQ_ASSERT_MSG(Find(key.name) == nullptr, "config key declared twice");
  RMQ_ASSERT(key.get && key.set && key.validate);
  keys_.push_back(std::move(key));
}

const KeySpec* KeySet::Find(std::string_view name) const {
  for (const KeySpec& key : keys_) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

Status ApplyToml(const KeySet& keys, std::string_view toml_text, std::string_view source_name, void* config,
                 Origins* origins) {
  RMQ_ASSERT(config != nullptr && origins != nullptr);
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    const toml::source_region& region = error.source();
    return Status::InvalidArgument(std::string(source_name) + " line " + std::to_string(region.begin.line) +
                                   ", column " + std::to_string(region.begin.column) +
                                   ": TOML syntax error: " + std::string(error.description()));
  }
  for (const auto& [toml_key, node] : table) {
    const std::string where = Where(source_name, toml_key.source());
    const KeySpec* key = keys.Find(toml_key.str());
    if (key == nullptr) {
      return Status::InvalidArgument(where + ": unknown key '" + std::string(toml_key.str()) + "' (" +
                                     keys.program_name() + " --print-config lists every key)");
    }
    std::optional<Value> value = NodeToValue(node, key->kind);
    if (!value) {
      return Status::InvalidArgument(where + ": key '" + key->name + "' expects " + std::string(KindName(key->kind)) +
                                     ", got " + std::string(NodeTypeName(node.type())));
    }
    Status set = key->set(config, *value);
    if (!set.ok()) return Status::InvalidArgument(where + ": key '" + key->name + "': " + set.message());
    (*origins)[key->name] = where;
  }
  return Status::Ok();
}

Status Validate(const KeySet& keys, const void* config, const Origins& origins) {
  RMQ_ASSERT(config != nullptr);
  for (const KeySpec& key : keys.keys()) {
    Status status = key.validate(config);
    if (status.ok()) continue;
    auto origin = origins.find(key.name);
    const std::string from = origin == origins.end() ? "the default" : origin->second;
    return Status::InvalidArgument("key '" + key.name + "' = " + FormatValue(key.get(config)) + " (from " + from +
                                   "): " + status.message());
  }
  for (const CheckFn& check : keys.checks()) RMQ_RETURN_IF_ERROR(check(config));
  return Status::Ok();
}

std::string FormatValue(const Value& value) {
  std::string assignment = FormatAssignment("v", value);
  RMQ_ASSERT(assignment.starts_with("v = "));
  return assignment.substr(4);
}

std::string FormatToml(const KeySet& keys, const void* config, const void* defaults) {
  RMQ_ASSERT(config != nullptr && defaults != nullptr);
  std::string out = "# " + keys.program_name() + " configuration: every key with its effective value.\n";
  for (const KeySpec& key : keys.keys()) {
    const Value value = key.get(config);
    const Value default_value = key.get(defaults);
    out += "\n# " + key.doc;
    if (value != default_value) out += " (default: " + FormatValue(default_value) + ")";
    out += "\n" + FormatAssignment(key.name, value) + "\n";
  }
  return out;
}

}  // namespace raftmq::config
