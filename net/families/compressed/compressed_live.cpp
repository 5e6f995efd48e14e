#include "net/families/compressed/compressed_live.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "core/compressed/compressed_entries.hpp"
#include "core/compressed/round_stats.hpp"
#include "core/util/input_error.hpp"
#include "core/worker/job_compute.hpp"
#include "net/families/compressed/compressed_messages.hpp"
#include "net/protocol/json_fields.hpp"

namespace distopt::net {
namespace {

std::uint64_t replicaCheckEvery(const Experiment& experiment) {
  // On a worker the experiment came in ASSIGN: read like any field from a peer, never value<>().
  std::uint64_t every = 100;
  if (!experiment.algorithm.params.is_object()) return every;
  JsonFields fields(experiment.algorithm.params, "algorithm.params");
  if (!fields.unsignedInteger("r_sync", &every, std::numeric_limits<std::uint64_t>::max(),
                              Presence::Optional))
    throw InputError("algorithm.params.r_sync", fields.reason());
  return every;
}

class CompressedCoordinator final : public CoordinatorRole {
 public:
  CompressedCoordinator(const Experiment& experiment, const BuiltRun& built)
      : m_name(experiment.algorithm.name),
        m_method(makeCompressedMethod(experiment.algorithm.name, experiment.algorithm.params,
                                      built.familyContext)),
        m_server(m_method.makeServer()),
        m_workers(experiment.workers),
        m_dimension(static_cast<std::uint64_t>(built.problem->dimension())),
        m_maxRounds(built.rules.maxUpdates),
        m_replicaCheckEvery(replicaCheckEvery(experiment)),
        m_stats(m_dimension, experiment.workers),
        m_uplinks(static_cast<std::size_t>(experiment.workers)),
        m_counters(static_cast<std::size_t>(experiment.workers)) {}

  std::string name() const override { return m_name; }

  void start(CoordinatorHost& host) override { sendRound(host, std::nullopt); }

  void onMessage(int worker, Message&& message, CoordinatorHost& host) override {
    std::string why;
    if (message.kind == MessageKind::CompHash) {
      std::uint64_t round = 0;
      std::uint64_t hash = 0;
      if (!parseReplicaHash(message, m_dimension, worker, &round, &hash, &why) || round != m_hashRound) {
        host.countMalformed();
        return;
      }
      if (hash != m_serverHash && m_failure.empty())
        m_failure = "replica of worker " + std::to_string(worker) +
                    " differs from the server's model at round " + std::to_string(round);
      return;
    }
    UplinkReport report;
    auto& slot = m_uplinks[static_cast<std::size_t>(worker)];
    // An uplink of another round, or a second one from the same worker, breaks the round's invariant.
    if (!parseUplink(message, m_dimension, worker, &report, &why) || report.round != m_round || slot) {
      host.countMalformed();
      return;
    }
    WorkCounters& counters = m_counters[static_cast<std::size_t>(worker)];
    ++counters.arrivals;
    ++counters.accepted;
    UpdateEvent event;
    event.time = host.now();
    event.worker = worker;
    event.jobId = m_round;
    event.jobVersion = m_round;
    event.delay = 0;
    event.outcome = Outcome::Accepted;
    event.versionAfter = m_round + 1;
    event.age = host.now() - m_roundStart;
    event.bytes = host.lastMessageBytes();
    host.sink().onUpdate(event);
    slot = std::move(report);
    if (++m_received == m_workers) finishRound(host);
  }

  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost&) override {
    if (!m_failure.empty()) return;
    if (reason.rfind("diverged", 0) == 0) {
      m_diverged = true;
      return;
    }
    m_failure =
        "worker " + std::to_string(worker) + " lost (" + reason + "); a synchronous round needs every worker";
  }

  std::uint64_t iterations() const override { return m_round; }
  std::uint64_t gradientEvaluations() const override {
    std::uint64_t total = 0;  // one stochastic gradient per uplink received, as the simulator counts
    for (const auto& counters : m_counters) total += counters.arrivals;
    return total;
  }
  const Vector* model() const override { return &m_server->model(); }
  void takeMetrics(std::map<std::string, double>& metrics) override { m_stats.takeMetrics(metrics); }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }

 private:
  void sendRound(CoordinatorHost& host, const std::optional<EncodedMessage>& downlink) {
    m_roundStart = host.now();
    for (int m = 0; m < m_workers; ++m) {
      host.send(m,
                makeRoundOrder(RoundOrder{.round = m_round, .startTime = m_roundStart, .downlink = downlink},
                               m_dimension));
      ++m_counters[static_cast<std::size_t>(m)].jobsSent;
    }
  }

  void finishRound(CoordinatorHost& host) {
    std::string why;
    for (int m = 0; m < m_workers; ++m) {
      auto& slot = m_uplinks[static_cast<std::size_t>(m)];
      if (!m_server->receive(m, slot->message, &why)) {
        // The frame was well formed but its payload does not decode: the round cannot be completed.
        m_failure = "uplink of worker " + std::to_string(m) + " at round " + std::to_string(m_round) +
                    " does not decode: " + why;
        return;
      }
      m_stats.addUplink(slot->message);
      slot.reset();
    }
    m_received = 0;
    RoundReport report;
    EncodedMessage down = m_server->finishRound(m_round, report);
    m_stats.addRound(down, report);
    ++m_round;
    if (!m_server->model().allFinite()) {
      m_diverged = true;
      return;
    }
    if (m_replicaCheckEvery > 0 && m_round % m_replicaCheckEvery == 0) {
      m_hashRound = m_round;
      m_serverHash = modelHash(m_server->model());
    }
    if (m_maxRounds > 0 && m_round >= m_maxRounds) return;  // the last round: nothing more to order
    sendRound(host, std::move(down));
  }

  std::string m_name;
  CompressedMethod m_method;
  std::unique_ptr<CompressedServer> m_server;
  int m_workers;
  std::uint64_t m_dimension;
  std::uint64_t m_maxRounds;
  std::uint64_t m_replicaCheckEvery;
  CompressedRoundStats m_stats;
  std::vector<std::optional<UplinkReport>> m_uplinks;
  std::vector<WorkCounters> m_counters;
  int m_received = 0;
  std::uint64_t m_round = 0;
  double m_roundStart = 0.0;
  std::uint64_t m_hashRound = ~std::uint64_t{0};
  std::uint64_t m_serverHash = 0;
  std::string m_failure;
  bool m_diverged = false;
};

class CompressedWorkerRole final : public WorkerRole {
 public:
  CompressedWorkerRole(const Experiment& experiment, const BuiltRun& built, int worker)
      : m_method(makeCompressedMethod(experiment.algorithm.name, experiment.algorithm.params,
                                      built.familyContext)),
        m_role(m_method.makeWorker(worker)),
        m_dimension(static_cast<std::uint64_t>(built.problem->dimension())),
        m_replicaCheckEvery(replicaCheckEvery(experiment)) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    RoundOrder order;
    std::string why;
    if (!parseRoundOrder(message, m_dimension, &order, &why)) {
      host.countMalformed();
      return;
    }
    if (order.round != m_nextRound || m_pending) {
      host.fail("protocol", "round order " + std::to_string(order.round) + " while expecting round " +
                                std::to_string(m_nextRound));
      return;
    }
    if (order.downlink && !m_role->applyDownlink(*order.downlink, order.round - 1, &why)) {
      host.fail("protocol",
                "downlink of round " + std::to_string(order.round - 1) + " does not decode: " + why);
      return;
    }
    if (m_replicaCheckEvery > 0 && order.round > 0 && order.round % m_replicaCheckEvery == 0)
      host.send(makeReplicaHash(order.round, modelHash(m_role->model()), m_dimension, host.workerId()));
    compute(order, host);
  }

  std::optional<Clock::time_point> deadline() const override {
    return m_pending ? std::optional(m_due) : std::nullopt;
  }

  void onDeadline(WorkerHost& host) override {
    host.send(makeUplink(*m_pending, m_dimension, host.workerId()));
    m_pending.reset();
  }

 private:
  void compute(const RoundOrder& order, WorkerHost& host) {
    const BuiltRun& built = host.built();
    const int worker = host.workerId();
    const auto computeStart = Clock::now();
    jobGradient(*built.problem, built.shards[static_cast<std::size_t>(worker)], built.rules.seed, worker,
                order.round, 1, m_role->model(), m_gradient, m_scratch);
    if (!m_gradient.allFinite()) {  // compressed-sgd §3.2: non-finite gradients are never sent
      host.fail("diverged", "non-finite stochastic gradient at round " + std::to_string(order.round));
      return;
    }
    UplinkReport report;
    report.round = order.round;
    report.message = m_role->compress(m_gradient, order.round);
    report.lowerBoundBits = report.message.lowerBoundBits;
    const auto computeEnd = Clock::now();
    report.computeTime = std::chrono::duration<double>(computeEnd - computeStart).count();
    report.tauTarget = jobDuration(*built.timeModel, worker, order.round, 1, order.startTime);
    m_due = emulatedDue(*built.timeModel, worker, report.tauTarget, report.computeTime, host.unitSeconds(),
                        computeEnd);
    m_pending = std::move(report);
    m_nextRound = order.round + 1;
  }

  CompressedMethod m_method;
  std::unique_ptr<CompressedWorker> m_role;
  std::uint64_t m_dimension;
  std::uint64_t m_replicaCheckEvery;
  std::uint64_t m_nextRound = 0;
  std::optional<UplinkReport> m_pending;
  Clock::time_point m_due{};
  Vector m_gradient;
  Vector m_scratch;
};

}  // namespace

LiveFamilyDriver compressedLiveDriver() {
  return LiveFamilyDriver{.family = FamilyId::Compressed,
                          .makeCoordinator = [](const Experiment& experiment,
                                                const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
                            return std::make_unique<CompressedCoordinator>(experiment, built);
                          },
                          .makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                                           int worker) -> std::unique_ptr<WorkerRole> {
                            return std::make_unique<CompressedWorkerRole>(experiment, built, worker);
                          }};
}

}  // namespace distopt::net
