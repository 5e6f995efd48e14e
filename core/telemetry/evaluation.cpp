#include "core/telemetry/evaluation.hpp"

namespace distopt {

EvaluationPoint evaluateModel(const Problem& problem, const Vector& x, const EvaluationRequest& request,
                              Vector& scratch) {
  EvaluationPoint point;
  point.time = request.time;
  point.updates = request.updates;
  point.bytesUp = request.bytesUp;
  point.bytesDown = request.bytesDown;
  point.loss = problem.loss(x);
  if (auto fStar = problem.optimalValue()) point.gap = point.loss - *fStar;
  if (request.gradNorm) {
    problem.gradient(x, scratch);
    point.gradNormSq = scratch.squaredNorm();
  }
  if (request.accuracy) point.testAccuracy = problem.testAccuracy(x);
  return point;
}

bool meetsTarget(const EvaluationPoint& point, const std::optional<double>& targetGap,
                 const std::optional<double>& targetGradNormSq, const std::optional<double>& stationarity) {
  const bool gapMet = targetGap && point.gap && *point.gap <= *targetGap;
  const std::optional<double>& measure = stationarity ? stationarity : point.gradNormSq;
  const bool gradMet = targetGradNormSq && measure && *measure <= *targetGradNormSq;
  return gapMet || gradMet;
}

const EvaluationPoint* firstPointAtGap(const std::vector<EvaluationPoint>& points, double gap) {
  for (const auto& p : points)
    if (p.gap && *p.gap <= gap) return &p;
  return nullptr;
}

std::optional<double> bestGap(const std::vector<EvaluationPoint>& points) {
  std::optional<double> best;
  for (const auto& p : points)
    if (p.gap && (!best || *p.gap < *best)) best = *p.gap;
  return best;
}

BackgroundEvaluator::BackgroundEvaluator(const Problem& problem, std::size_t maxPending)
    : m_problem(problem), m_maxPending(maxPending), m_thread([this] { loop(); }) {}

BackgroundEvaluator::~BackgroundEvaluator() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

bool BackgroundEvaluator::submit(const EvaluationRequest& request, const Vector& x) {
  {
    std::lock_guard lock(m_mutex);
    if (m_queue.size() >= m_maxPending) {
      ++m_skipped;
      return false;
    }
    m_queue.emplace_back(request, x);
  }
  m_wake.notify_one();
  return true;
}

std::vector<EvaluationPoint> BackgroundEvaluator::takeResults() {
  std::lock_guard lock(m_mutex);
  std::vector<EvaluationPoint> results;
  results.swap(m_results);
  return results;
}

void BackgroundEvaluator::drain() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

void BackgroundEvaluator::loop() {
  Vector scratch;
  std::unique_lock lock(m_mutex);
  while (true) {
    m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping with nothing left
    auto [request, x] = std::move(m_queue.front());
    m_queue.pop_front();
    m_busy = true;
    lock.unlock();
    EvaluationPoint point = evaluateModel(m_problem, x, request, scratch);
    lock.lock();
    m_results.push_back(point);
    m_busy = false;
    if (m_queue.empty()) m_idle.notify_all();
  }
}

}  // namespace distopt
