#include "metrics/metrics_exporter.h"

#include <mutex>
#include <stdexcept>
#include <utility>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>
#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::metrics {

class MetricsExporter::Collector final : public prometheus::Collectable {
 public:
  explicit Collector(std::map<std::string, std::string> labels) {
    for (auto& [name, value] : labels) labels_.push_back({name, value});
  }

  void Add(std::vector<MetricSource> sources) {
    std::lock_guard lock(mutex_);
    for (MetricSource& source : sources) {
      RMQ_ASSERT(source.read != nullptr);
      sources_.push_back(std::move(source));
    }
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mutex_);
    std::vector<prometheus::MetricFamily> families;
    families.reserve(sources_.size());
    for (const MetricSource& source : sources_) {
      prometheus::ClientMetric metric;
      metric.label = labels_;
      const double value = source.read();
      if (source.kind == MetricKind::kCounter) {
        metric.counter.value = value;
      } else {
        metric.gauge.value = value;
      }
      const auto type = source.kind == MetricKind::kCounter ? prometheus::MetricType::Counter
                                                              : prometheus::MetricType::Gauge;
      families.push_back({source.name, source.help, type, {std::move(metric)}});
    }
    return families;
  }

 private:
  std::vector<prometheus::ClientMetric::Label> labels_;
  mutable std::mutex mutex_;
  std::vector<MetricSource> sources_;  // guarded by mutex_
};

Result<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(const std::string& address,
                                                                std::map<std::string, std::string> labels) {
  std::unique_ptr<MetricsExporter> exporter(new MetricsExporter());
  exporter->collector_ = std::make_shared<Collector>(std::move(labels));
  try {
    // One HTTP thread: a scrape is a few hundred lines.
    exporter->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& error) {
    return Status::IoError("cannot serve metrics on " + address + ": " + error.what());
  }
  const std::vector<int> ports = exporter->exposer_->GetListeningPorts();
  if (ports.empty()) return Status::IoError("cannot serve metrics on " + address + ": no listening port");
  exporter->port_ = ports.front();
  exporter->exposer_->RegisterCollectable(exporter->collector_);
  spdlog::info("metrics on http://{}/metrics (port {})", address, exporter->port_);
  return exporter;
}

MetricsExporter::~MetricsExporter() = default;

void MetricsExporter::Add(std::vector<MetricSource> sources) { collector_->Add(std::move(sources)); }

}  // namespace raftmq::metrics
