#pragma once
// Publishes a run's telemetry on a PUB socket for dashboards (DESIGN.md §4, §6). Never one message per
// scalar: events are batched and sent at most 20 times a second, whatever the event rate.
//
// Wire format: two-frame messages [topic, JSON]. Topics: "update" (JSON array of update events),
// "eval" (array of evaluation points), "worker" (array of worker states), "bandwidth" (array of
// samples), "summary" (one object, at the end). Subscribers filter by topic prefix.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/telemetry/telemetry.hpp"

namespace distopt::net {

class TelemetryPublisher : public TelemetrySink {
 public:
  /// Binds a PUB socket at `endpoint` (wildcard ports allowed). Throws zmq::error_t if it cannot.
  TelemetryPublisher(zmq::context_t& context, const std::string& endpoint);

  std::string endpoint() const { return m_endpoint; }

  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;
  void onWorkerStatus(const WorkerStatus& status) override;
  void onBandwidth(const BandwidthSample& sample) override;

  /// Sends what has been batched if the last send is at least 50 ms old (or `force`).
  void flush(bool force = false);
  std::uint64_t bytesPublished() const { return m_bytesPublished; }

 private:
  void publish(const char* topic, nlohmann::json& batch);

  zmq::socket_t m_socket;
  std::string m_endpoint;
  nlohmann::json m_updates = nlohmann::json::array();
  nlohmann::json m_evaluations = nlohmann::json::array();
  nlohmann::json m_workers = nlohmann::json::array();
  nlohmann::json m_bandwidth = nlohmann::json::array();
  std::chrono::steady_clock::time_point m_lastFlush{};
  std::uint64_t m_bytesPublished = 0;
};

}  // namespace distopt::net
