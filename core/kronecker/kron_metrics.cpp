#include "core/kronecker/kron_metrics.hpp"

#include <ctime>

#include "core/util/check.hpp"

namespace distopt {

namespace {

bool refuse(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

}  // namespace

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void KronWorkerTally::note(const BlockStepStats& stats) {
  m_nnz += stats.nnz;
  m_updated += stats.updatedNeurons;
  if (stats.flips) m_flips += *stats.flips, m_haveFlips = true;
}

kron::StatsMessage KronWorkerTally::report(std::uint64_t version) const {
  kron::StatsMessage message{
      .version = version, .nnz = m_nnz, .updatedNeurons = m_updated, .cpuSeconds = m_seconds};
  if (m_haveFlips) message.flips = m_flips;
  return message;
}

KronEvaluationBook::KronEvaluationBook(int workers, std::int64_t neurons, std::int64_t batch,
                                       const Eigen::MatrixXd& gram)
    : m_k(workers),
      m_m(neurons),
      m_s(batch),
      m_n(static_cast<std::uint64_t>(gram.rows())),
      m_gram(gram),
      m_lastStats(static_cast<std::size_t>(workers)) {
  DISTOPT_CHECK(workers >= 1 && neurons >= 1 && batch >= 1);
}

void KronEvaluationBook::noteIteration(const KronIterationResult& result) {
  ++m_window.iterations;
  m_window.firedPairs += result.firedPairs;
  m_window.batchLoss += result.batchLoss;
}

bool KronEvaluationBook::request(std::uint64_t version, bool coFire) {
  // Versions only grow; the same version again (a later grid time, the end) is the same model with an
  // empty window, fine once the first one is closed.
  if (m_open.count(version) || (m_anyRequested && version < m_lastRequested)) return false;
  m_anyRequested = true;
  m_lastRequested = version;
  Open& open = m_open[version];
  const auto k = static_cast<std::size_t>(m_k);
  open.coFire = coFire;
  open.window = m_window;
  m_window = Window{};
  open.losses.resize(k);
  open.coFires.resize(k);
  open.stats.resize(k);
  open.haveLoss.assign(k, 0);
  open.haveCoFire.assign(k, 0);
  open.haveStats.assign(k, 0);
  open.missing = m_k * (coFire ? 3 : 2);
  return true;
}

bool KronEvaluationBook::wantsCoFire(std::uint64_t version) const {
  const auto it = m_open.find(version);
  return it != m_open.end() && it->second.coFire;
}

KronEvaluationBook::Open* KronEvaluationBook::find(int worker, std::uint64_t version, std::string* why) {
  if (worker < 0 || worker >= m_k) {
    if (why) *why = "report from an unknown worker";
    return nullptr;
  }
  const auto it = m_open.find(version);
  if (it == m_open.end()) {
    if (why) *why = "report for no requested evaluation";
    return nullptr;
  }
  return &it->second;
}

bool KronEvaluationBook::onLoss(int worker, const kron::LossMessage& loss, std::string* why) {
  Open* open = find(worker, loss.version, why);
  if (!open) return false;
  const auto w = static_cast<std::size_t>(worker);
  if (open->haveLoss[w]) return refuse(why, "duplicate LOSS");
  if (loss.outputSums.size() != m_n) return refuse(why, "LOSS of the wrong n");
  open->haveLoss[w] = 1;
  open->losses[w] = loss;
  --open->missing;
  return true;
}

bool KronEvaluationBook::onCoFire(int worker, const kron::CoFireMessage& coFire, std::string* why) {
  Open* open = find(worker, coFire.version, why);
  if (!open) return false;
  const auto w = static_cast<std::size_t>(worker);
  if (!open->coFire) return refuse(why, "COFIRE not asked for");
  if (open->haveCoFire[w]) return refuse(why, "duplicate COFIRE");
  if (coFire.n != m_n) return refuse(why, "COFIRE of the wrong n");
  open->haveCoFire[w] = 1;
  open->coFires[w] = coFire;
  --open->missing;
  return true;
}

bool KronEvaluationBook::onStats(int worker, const kron::StatsMessage& stats, std::string* why) {
  Open* open = find(worker, stats.version, why);
  if (!open) return false;
  const auto w = static_cast<std::size_t>(worker);
  if (open->haveStats[w]) return refuse(why, "duplicate STATS");
  open->haveStats[w] = 1;
  open->stats[w] = stats;
  --open->missing;
  return true;
}

std::vector<KronEvaluationBook::Finished> KronEvaluationBook::take(const KronCoordinatorRole& coordinator,
                                                                   double eta) {
  std::vector<Finished> done;
  // Every worker reports in version order, so a completed evaluation never has an open older one
  // that could still need its STATS as the base of a difference.
  while (!m_open.empty() && m_open.begin()->second.missing == 0) {
    const std::uint64_t version = m_open.begin()->first;
    Open open = std::move(m_open.begin()->second);
    m_open.erase(m_open.begin());
    Finished finished{
        .version = version,
        .point = coordinator.evaluate(open.losses, open.coFire ? &open.coFires : nullptr, m_gram)};
    auto& metrics = finished.point.metrics;
    metrics["eta"] = eta;
    if (open.window.iterations > 0) {
      const double iterations = static_cast<double>(open.window.iterations);
      double seconds = open.window.seconds;
      std::uint64_t nnz = 0, updated = 0, flips = 0;
      bool haveFlips = false;
      for (std::size_t w = 0; w < open.stats.size(); ++w) {
        const kron::StatsMessage& now = open.stats[w];
        const kron::StatsMessage& before = m_lastStats[w];
        seconds += now.cpuSeconds - before.cpuSeconds;
        nnz += now.nnz - before.nnz;
        updated += now.updatedNeurons - before.updatedNeurons;
        if (now.flips) flips += *now.flips - before.flips.value_or(0), haveFlips = true;
      }
      metrics["fired_fraction"] = static_cast<double>(open.window.firedPairs) /
                                  (iterations * static_cast<double>(m_s) * static_cast<double>(m_m));
      metrics["iteration_seconds"] = seconds / iterations;
      metrics["nnz"] = static_cast<double>(nnz) / iterations;
      metrics["updated_neurons"] = static_cast<double>(updated) / iterations;
      metrics["batch_loss"] = open.window.batchLoss / iterations;
      if (haveFlips) metrics["flips"] = static_cast<double>(flips) / iterations;
    }
    m_lastStats = open.stats;
    done.push_back(std::move(finished));
  }
  return done;
}

}  // namespace distopt
