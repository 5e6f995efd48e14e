#include "core/kronecker/kron_roles.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/util/check.hpp"

namespace distopt {

KronBatchSampler::KronBatchSampler(std::int64_t n, std::int64_t batch, std::uint64_t seed)
    : m_permutation(static_cast<std::size_t>(n)), m_batch(batch), m_stream(RandomStream::fromSeed(seed)) {
  DISTOPT_CHECK(n >= 1 && batch >= 1 && batch <= n);
  std::iota(m_permutation.begin(), m_permutation.end(), 0u);
}

void KronBatchSampler::next(std::vector<std::uint32_t>& out) {
  const auto n = m_permutation.size();
  out.resize(static_cast<std::size_t>(m_batch));
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::size_t pick = k + static_cast<std::size_t>(m_stream.uniformInt(n - k));
    std::swap(m_permutation[k], m_permutation[pick]);
    out[k] = m_permutation[k];
  }
}

KronWorkerRole::KronWorkerRole(int worker, std::unique_ptr<NeuronBlock> block, int staleness)
    : m_worker(worker), m_block(std::move(block)), m_staleness(staleness) {
  DISTOPT_CHECK(m_block && staleness >= 0);
}

kron::ReadyMessage KronWorkerRole::ready() const {
  return {.firedPairs = m_block->evaluation(false).firedPairs};
}

void KronWorkerRole::onStart(const kron::StartMessage& start) { m_eta = start.eta; }

bool KronWorkerRole::onBatch(const kron::BatchMessage& batch, kron::PartialMessage& reply, std::string* why) {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!m_eta) return fail("BATCH before START");
  if (batch.iteration != m_nextBatch) return fail("BATCH out of order");
  if (m_kept.size() > static_cast<std::size_t>(m_staleness)) return fail("BATCH beyond the pipeline depth");
  const auto n = static_cast<std::uint64_t>(m_block->points());
  for (const std::uint32_t i : batch.indices)
    if (i >= n) return fail("BATCH index out of range");
  KeptForward& kept = m_kept.emplace_back();
  m_block->forward(batch.indices, batch.iteration, m_sums, m_counts, kept);
  ++m_nextBatch;
  reply.iteration = batch.iteration;
  reply.appliedVersion = m_applied;
  reply.sums = m_sums;
  reply.counts = m_counts;
  return true;
}

bool KronWorkerRole::onResid(const kron::ResidMessage& resid, BlockStepStats& stats, std::string* why) {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (m_kept.empty() || m_kept.front().iteration != resid.iteration) return fail("RESID for no kept forward");
  if (resid.residuals.size() != m_kept.front().batch.size()) return fail("RESID size differs from its BATCH");
  m_block->apply(m_kept.front(), resid.residuals, *m_eta, stats);
  m_kept.pop_front();
  ++m_applied;
  return true;
}

void KronWorkerRole::dropUnanswered() {
  m_kept.clear();
  m_nextBatch = m_applied;
}

kron::LossMessage KronWorkerRole::lossReport(BlockEvaluation* keep) const {
  BlockEvaluation evaluation = m_block->evaluation(keep != nullptr);
  kron::LossMessage loss{.version = m_applied, .firedPairs = evaluation.firedPairs};
  loss.outputSums.assign(evaluation.outputSums.data(),
                         evaluation.outputSums.data() + evaluation.outputSums.size());
  if (keep) *keep = std::move(evaluation);
  return loss;
}

kron::CoFireMessage KronWorkerRole::coFireReport(const BlockEvaluation& evaluation, std::uint64_t version) {
  const auto n = static_cast<std::uint32_t>(evaluation.coFired.rows());
  kron::CoFireMessage message{.version = version, .n = n};
  message.upper.reserve(static_cast<std::size_t>(n) * (n + 1) / 2);
  for (std::uint32_t j = 0; j < n; ++j)
    for (std::uint32_t k = j; k < n; ++k)
      message.upper.push_back(static_cast<std::uint32_t>(evaluation.coFired(j, k)));
  return message;
}

KronCoordinatorRole::KronCoordinatorRole(Eigen::VectorXd labels, std::int64_t neurons, const Options& options)
    : m_y(std::move(labels)),
      m_m(neurons),
      m_options(options),
      m_sampler(m_y.size(), options.batch, options.samplerSeed) {
  DISTOPT_CHECK(options.workers >= 1 && options.staleness >= 0 && neurons >= 1);
}

void KronCoordinatorRole::onReady(int /*worker*/, const kron::ReadyMessage& ready) {
  ++m_ready;
  m_initFired += ready.firedPairs;
}

double KronCoordinatorRole::measuredFiredFraction() const {
  return static_cast<double>(m_initFired) / (static_cast<double>(m_m) * static_cast<double>(m_y.size()));
}

double KronCoordinatorRole::defaultEta() const {
  const double floor = 1.0 / (static_cast<double>(m_m) * static_cast<double>(m_y.size()));
  return 0.5 / (static_cast<double>(m_options.batch) * std::max(measuredFiredFraction(), floor));
}

kron::StartMessage KronCoordinatorRole::start(double eta) { return {.eta = eta}; }

kron::BatchMessage KronCoordinatorRole::nextBatch() {
  DISTOPT_CHECK(canSend());
  kron::BatchMessage batch{.iteration = m_nextIteration++};
  m_sampler.next(batch.indices);
  Pending& pending = m_pending.emplace_back();
  pending.iteration = batch.iteration;
  pending.batch = batch.indices;
  pending.sums.resize(static_cast<std::size_t>(m_options.workers));
  pending.arrived.assign(static_cast<std::size_t>(m_options.workers), 0);
  return batch;
}

bool KronCoordinatorRole::onPartial(int worker, const kron::PartialMessage& partial,
                                    kron::ResidMessage& resid, KronIterationResult& result, bool* complete,
                                    std::string* why) {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  *complete = false;
  if (worker < 0 || worker >= m_options.workers) return fail("PARTIAL from an unknown worker");
  auto it = std::find_if(m_pending.begin(), m_pending.end(),
                         [&](const Pending& p) { return p.iteration == partial.iteration; });
  if (it == m_pending.end()) return fail("PARTIAL for no pending iteration");
  if (it->arrived[static_cast<std::size_t>(worker)]) return fail("duplicate PARTIAL");
  if (partial.sums.size() != it->batch.size() || partial.counts.size() != it->batch.size())
    return fail("PARTIAL size differs from its BATCH");
  if (partial.appliedVersion > partial.iteration) return fail("PARTIAL from the future");
  it->arrived[static_cast<std::size_t>(worker)] = 1;
  it->sums[static_cast<std::size_t>(worker)] = partial.sums;
  for (const std::uint32_t k : partial.counts) it->firedPairs += k;
  ++it->count;
  if (it != m_pending.begin() || it->count < m_options.workers) return true;

  // The oldest iteration is complete: f_i = (1/√m)·Σ_w s_i^w, ascending w (kronecker-async §3.9).
  Pending done = std::move(m_pending.front());
  m_pending.pop_front();
  const double scale = 1.0 / std::sqrt(static_cast<double>(m_m));
  result = KronIterationResult{.iteration = done.iteration, .batch = done.batch};
  result.outputs.resize(done.batch.size());
  result.residuals.resize(done.batch.size());
  result.firedPairs = done.firedPairs;
  for (std::size_t k = 0; k < done.batch.size(); ++k) {
    double sum = 0.0;
    for (const auto& sums : done.sums) sum += sums[k];
    result.outputs[k] = sum * scale;
    result.residuals[k] = result.outputs[k] - m_y[done.batch[k]];
    result.batchLoss += 0.5 * result.residuals[k] * result.residuals[k];
  }
  resid = kron::ResidMessage{.iteration = done.iteration, .residuals = result.residuals};
  ++m_completed;
  *complete = true;
  return true;
}

EvaluationPoint KronCoordinatorRole::evaluate(const std::vector<kron::LossMessage>& losses,
                                              const std::vector<kron::CoFireMessage>* coFires,
                                              const Eigen::MatrixXd& gram) const {
  DISTOPT_CHECK(static_cast<int>(losses.size()) == m_options.workers);
  const Eigen::Index n = m_y.size();
  const double scale = 1.0 / std::sqrt(static_cast<double>(m_m));
  Eigen::VectorXd e(n);
  std::uint64_t firedPairs = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    double sum = 0.0;
    for (const auto& loss : losses) sum += loss.outputSums[static_cast<std::size_t>(j)];
    e[j] = sum * scale - m_y[j];
  }
  for (const auto& loss : losses) firedPairs += loss.firedPairs;
  EvaluationPoint point;
  point.loss = 0.5 * e.squaredNorm();
  point.metrics["fired_fraction_all"] =
      static_cast<double>(firedPairs) / (static_cast<double>(m_m) * static_cast<double>(n));
  if (coFires) {
    // ||∇L||² = Σ_r ||Σ_j (a_r e_j/√m)·1[r fires j]·x_j||² = (1/m)·Σ_{j,k} e_j e_k G_jk N_jk.
    double total = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      for (Eigen::Index k = j; k < n; ++k) {
        std::uint64_t count = 0;
        const std::size_t at = static_cast<std::size_t>(j * n - j * (j - 1) / 2 + (k - j));
        for (const auto& coFire : *coFires) count += coFire.upper[at];
        const double term = e[j] * e[k] * gram(j, k) * static_cast<double>(count);
        total += j == k ? term : 2.0 * term;
      }
    }
    point.gradNormSq = total / static_cast<double>(m_m);
  }
  return point;
}

}  // namespace distopt
