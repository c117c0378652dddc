// MetricsExporter: serves Prometheus' text format at http://<address>/metrics. What it serves
// is read at scrape time from the process's own counters and gauges (plain atomics such as
// raft::NodeMetrics), so the hot paths pay nothing for being exported and keep no second
// copy. Every sample carries the exporter's constant labels (cluster, group, node).
//
//   auto exporter = MetricsExporter::Start("0.0.0.0:5557", {{"group", "g1"}, {"node", "2"}});
//   (*exporter)->Add({{"raftmq_raft_term", "current Raft term", MetricKind::kGauge,
//                      [&metrics] { return double(metrics.term.load()); }}});
//
// Threading: Add may be called from any thread; readers run on the HTTP server's threads and
// must stay valid until the exporter is destroyed (destroy it first). Destruction blocks up
// to ~2 s (the embedded HTTP server's shutdown).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace prometheus {
class Exposer;
}

namespace raftmq::metrics {

enum class MetricKind { kCounter, kGauge };

struct MetricSource {
  std::string name;  // raftmq_<area>_<what>[_total]
  std::string help;
  MetricKind kind = MetricKind::kGauge;
  std::function<double()> read;
};

class MetricsExporter {
 public:
  // IoError naming the address when it cannot be bound.
  static Result<std::unique_ptr<MetricsExporter>> Start(const std::string& address,
                                                        std::map<std::string, std::string> labels);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  void Add(std::vector<MetricSource> sources);
  // The bound port (useful with port 0).
  int port() const { return port_; }

 private:
  class Collector;
  MetricsExporter() = default;

  std::shared_ptr<Collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace raftmq::metrics
