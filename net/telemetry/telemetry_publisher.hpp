#pragma once
// Publishes a run's telemetry on a PUB socket for dashboards (docs/architecture.md, rules 4 and 6). Never one
// message per scalar: events are batched and sent at most 20 times a second, whatever the event rate.
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
// attaches mid-run up to date: it is an XPUB socket that sees every new subscription. A dashboard asks
// for its history by subscribing to "history/TOKEN" (TOKEN: 1-64 bytes it makes up, e.g. a UUID) besides
// its topics; the feed answers each token once, on that topic, so only that dashboard receives it: a
// "history" message {"experiment": {...}, "update": [...], "eval": [...], "worker": [...], "bandwidth":
// [...], "status": {...}} holding the experiment document and what was published before (every
// evaluation point, the latest state of each worker and bandwidth counter, the last kHistoryUpdates update
// events, the latest status). Other subscriptions are never answered with a history: each used to make
// the feed resend its whole history (MBs) to every dashboard, so a peer subscribing in a loop flooded
// them all. Histories are rationed (kHistoryBurst, then one per kHistoryRefillSeconds) so a peer
// inventing tokens costs the feed little; the tokens of one flush share one history buffer.

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/telemetry/telemetry.hpp"
#include "net/security/curve_keys.hpp"
#include "net/telemetry/history_subscription.hpp"

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
  /// Histories answered at once at most, then one more per kHistoryRefillSeconds.
  static constexpr double kHistoryBurst = 8.0;
  static constexpr double kHistoryRefillSeconds = 2.0;
  /// Tokens waiting for a history at most; requests beyond are dropped (and counted).
  static constexpr std::size_t kPendingHistories = 64;

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
  /// History requests dropped: more were waiting than kPendingHistories.
  std::uint64_t historiesRefused() const { return m_historiesRefused; }

 private:
  void publish(const char* topic, const nlohmann::json& batch);
  void keep(const char* topic, const nlohmann::json& batch);
  void answerSubscriptions();
  /// The history message's body, built once for the tokens answered in one flush.
  zmq::message_t historyBody() const;

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
  std::uint64_t m_historiesRefused = 0;
  std::deque<std::string> m_pendingTokens;  // asked for, not yet answered
  std::set<std::string> m_answeredTokens;   // answered (bounded; the oldest forgotten first)
  std::deque<std::string> m_answeredOrder;
  double m_historyBudget = kHistoryBurst;
  std::chrono::steady_clock::time_point m_budgetAt = std::chrono::steady_clock::now();

  // History (dashboard feeds only).
  std::deque<nlohmann::json> m_pastUpdates;
  nlohmann::json m_pastEvaluations = nlohmann::json::array();
  std::map<int, nlohmann::json> m_lastWorker;
  std::map<std::tuple<int, std::string, std::string>, nlohmann::json> m_lastBandwidth;
  nlohmann::json m_lastStatus;
  nlohmann::json m_experiment;
};

}  // namespace distopt::net
