// The raftmq-broker configuration: every BrokerOptions field is a key (same name) of a TOML
// file or a --key=value flag, with its doc and range; --print-config prints the effective
// configuration, unknown keys are refused (see common/config_schema.h).
//
// Threading: the schema is built once and shared read-only.
#pragma once

#include "broker/broker_options.h"
#include "common/config_schema.h"

namespace raftmq::broker {

const config::Schema<BrokerOptions>& BrokerConfigSchema();

}  // namespace raftmq::broker
