#pragma once
// Publishes a run's telemetry on a PUB socket for dashboards (DESIGN.md §4, §6). Never one message per
// scalar: events are batched and sent at most 20 times a second, whatever the event rate.
//
// Wire format: two-frame messages [topic, JSON]. Topics: "update" (JSON array of update events),
// "eval" (array of evaluation points), "worker" (array of worker states), "bandwidth" (array of
// samples), "status" (one object, the control socket's status reply, about once a second), "summary"
// (one object, at the end) and, on a dashboard feed only, "history" (below). Subscribers filter by topic
// prefix.
//
// A dashboard feed (PublisherOptions::dashboard) is the publisher a manager's dashboard on another
// machine attaches to: read-only by construction (a subscriber cannot send commands), CURVE-secured
// with ZAP domain "distopt-dashboard" when the run is secured, and able to bring a dashboard that
// attaches mid-run up to date: it is an XPUB socket that sees every new subscription and answers it
// with a "history" message {"experiment": {...}, "update": [...], "eval": [...], "worker": [...],
// "bandwidth": [...], "status": {...}} holding the experiment document and what was published before (every
// evaluation point, the latest state of each worker and bandwidth counter, the last kHistoryUpdates update
// events, the latest status).

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/telemetry/telemetry.hpp"
#include "net/security/curve_keys.hpp"

namespace distopt::net {

struct PublisherOptions {
  /// Replay history to new subscribers (an XPUB socket); false for the local GUI's own feed, which
  /// reads history from the run store.
  bool dashboard = false;
  /// Non-empty: be a CURVE server with this secret key (Z85) and let the ZAP handler of the context
  /// decide who subscribes, under `zapDomain`.
  std::string curveSecretKey;
  std::string zapDomain = kDashboardZapDomain;
};

class TelemetryPublisher : public TelemetrySink {
 public:
  /// Update events a dashboard feed keeps for late subscribers (the delay histogram's recent past).
  static constexpr std::size_t kHistoryUpdates = 20000;

  /// Binds at `endpoint` (wildcard ports allowed). Throws zmq::error_t if it cannot.
  TelemetryPublisher(zmq::context_t& context, const std::string& endpoint, PublisherOptions options = {});

  std::string endpoint() const { return m_endpoint; }

  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;
  void onWorkerStatus(const WorkerStatus& status) override;
  void onBandwidth(const BandwidthSample& sample) override;

  /// Sends what has been batched if the last send is at least 50 ms old (or `force`); a dashboard feed
  /// also answers new subscriptions with the history.
  void flush(bool force = false);
  /// The run's experiment document, sent in every history so a dashboard can lay out its charts (a
  /// dashboard on another machine has no copy of the file).
  void setExperimentDocument(nlohmann::json document) { m_experiment = std::move(document); }
  /// Publishes the run's status object on topic "status" (and keeps it for the history).
  void publishStatus(const nlohmann::json& status);
  std::uint64_t bytesPublished() const { return m_bytesPublished; }
  /// Subscriptions answered with a history (dashboard feeds).
  std::uint64_t historiesSent() const { return m_historiesSent; }

 private:
  void publish(const char* topic, const nlohmann::json& batch);
  void keep(const char* topic, const nlohmann::json& batch);
  void answerSubscriptions();

  PublisherOptions m_options;
  zmq::socket_t m_socket;
  std::string m_endpoint;
  nlohmann::json m_updates = nlohmann::json::array();
  nlohmann::json m_evaluations = nlohmann::json::array();
  nlohmann::json m_workers = nlohmann::json::array();
  nlohmann::json m_bandwidth = nlohmann::json::array();
  std::chrono::steady_clock::time_point m_lastFlush{};
  std::uint64_t m_bytesPublished = 0;
  std::uint64_t m_historiesSent = 0;

  // History (dashboard feeds only).
  std::deque<nlohmann::json> m_pastUpdates;
  nlohmann::json m_pastEvaluations = nlohmann::json::array();
  std::map<int, nlohmann::json> m_lastWorker;
  std::map<std::tuple<int, std::string, std::string>, nlohmann::json> m_lastBandwidth;
  nlohmann::json m_lastStatus;
  nlohmann::json m_experiment;
};

}  // namespace distopt::net
