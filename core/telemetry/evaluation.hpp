#pragma once
// Evaluation of a model for the convergence curves: one function shared by the simulator and the live
// coordinator, so both report the same numbers for the same model; and a background evaluator that
// keeps this work off the live event loop (docs/papers.md, async-sgd §2.0, live-mode notes).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/problems/problem.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

struct EvaluationRequest {
  double time = 0.0;
  std::uint64_t updates = 0;
  std::uint64_t bytesUp = 0;
  std::uint64_t bytesDown = 0;
  bool gradNorm = true;  ///< compute ||grad f||^2 (a full gradient)
  bool accuracy = true;  ///< compute test accuracy when the problem has a test set
};

/// Loss, gap (when f* is known), gradient norm and accuracy of `x`. `scratch` avoids an allocation.
EvaluationPoint evaluateModel(const Problem& problem, const Vector& x, const EvaluationRequest& request,
                              Vector& scratch);

/// True when `point` meets a stopping target (gap <= targetGap or ||grad||^2 <= targetGradNormSq; the
/// latter applies to `stationarity` instead when a family measures its own, e.g. a prox-gradient mapping).
bool meetsTarget(const EvaluationPoint& point, const std::optional<double>& targetGap,
                 const std::optional<double>& targetGradNormSq,
                 const std::optional<double>& stationarity = std::nullopt);

/// The first evaluation point of a curve with f - f* <= gap (points are what was measured: no
/// interpolation), or nullptr. Used to compare runs at equal accuracy (time and bytes to a gap).
const EvaluationPoint* firstPointAtGap(const std::vector<EvaluationPoint>& points, double gap);
/// The smallest f - f* on the curve, nullopt when no point has a gap.
std::optional<double> bestGap(const std::vector<EvaluationPoint>& points);

/// Evaluates model snapshots on its own thread, in submission order. Results are collected by the
/// owner's thread with takeResults(). Problem's const methods must be thread-safe (problem.hpp).
class BackgroundEvaluator {
 public:
  /// `maxPending`: snapshots waiting at most; when evaluation is slower than the grid, later
  /// snapshots are skipped (and counted) rather than piling up memory.
  explicit BackgroundEvaluator(const Problem& problem, std::size_t maxPending = 4);
  ~BackgroundEvaluator();
  BackgroundEvaluator(const BackgroundEvaluator&) = delete;
  BackgroundEvaluator& operator=(const BackgroundEvaluator&) = delete;

  /// Queues an evaluation of a copy of `x`; false (and counted as skipped) when the queue is full.
  bool submit(const EvaluationRequest& request, const Vector& x);
  /// Finished evaluations, oldest first.
  std::vector<EvaluationPoint> takeResults();
  /// Blocks until every queued evaluation finished.
  void drain();
  std::size_t skipped() const { return m_skipped; }

 private:
  void loop();

  const Problem& m_problem;
  std::size_t m_maxPending;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_idle;
  std::deque<std::pair<EvaluationRequest, Vector>> m_queue;
  std::vector<EvaluationPoint> m_results;
  bool m_busy = false;
  bool m_stopping = false;
  std::size_t m_skipped = 0;
  std::thread m_thread;
};

}  // namespace distopt
