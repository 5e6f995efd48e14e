#include "core/hybrid/hybrid_run_options.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool HybridRunOptions::isValid(int workers, Eigen::Index n, std::string* why) const {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (!dho2.isValid(why)) return false;
  if (method != HybridMethod::Baseline) {
    if (dho2.fosi.k < 1)
      return fail("k: must be >= 1 (use dist-sgdm / dist-adam for the plain base optimizer)");
    std::string lanczosWhy;
    if (!dho2.fosi.lanczosOptions(n).isValid(n, &lanczosWhy)) return fail(lanczosWhy);
  }
  if (!(hvpCost > 0.0) || !std::isfinite(hvpCost)) return fail("hvp_cost: must be > 0");
  if (!(eseBatchRatio > 0.0) || !std::isfinite(eseBatchRatio)) return fail("ese_batch_ratio: must be > 0");
  if (eseBatch < 0) return fail("ese_batch: must be >= 0");
  const int devices =
      method == HybridMethod::MrDho2 ? curvatureCount(workers) : (method == HybridMethod::Dho2 ? workers : 1);
  if (eseBatch > 0 && eseBatch < devices)
    return fail("ese_batch: must be at least the number of curvature devices (" + std::to_string(devices) +
                ")");
  if (method == HybridMethod::MrDho2) {
    if (workers < 2) return fail("curvature_workers: MR-DHO2 needs at least 2 workers (U >= 1, C >= 1)");
    if (curvatureWorkers < 0 || curvatureWorkers >= workers)
      return fail("curvature_workers: must be in [1, workers - 1] (0 = max(1, round(workers / 4)))");
    if (snapshotPeriod && *snapshotPeriod < 0) return fail("T_snap: must be >= 0");
    if (maxStaleness && *maxStaleness < 0) return fail("max_staleness: must be >= 0");
  }
  return true;
}

double HybridRunOptions::hvpScale(int trainers, int curvatureDevices) const {
  const bool root = dho2.hvpMode == HvpMode::RootBroadcast;
  return hvpCost * eseBatchRatio * static_cast<double>(trainers) / static_cast<double>(curvatureDevices) *
         (root ? curvatureDevices : 1);
}

void HybridRunOptions::eseHessianVectorProduct(const Problem& problem, int devices, int device,
                                               const Vector& x, const Vector& v, Vector& out) const {
  const std::int64_t samples = eseBatch > 0 ? eseBatch : problem.numSamples();
  if (!problem.hasBatchHessianVectorProduct() || samples <= 0) {
    DISTOPT_CHECK_MSG(eseBatch == 0, "ese_batch needs a problem with per-batch Hessian-vector products");
    problem.hessianVectorProduct(x, v, out);
    return;
  }
  DISTOPT_CHECK(samples <= problem.numSamples() && samples >= devices && device >= 0 && device < devices);
  if (dho2.hvpMode == HvpMode::RootBroadcast) {
    problem.batchHessianVectorProduct(x, v, 0, samples, out);
    return;
  }
  const SegmentRange share = segmentRange(samples, devices, device);
  problem.batchHessianVectorProduct(x, v, share.begin, share.size(), out);
}

int HybridRunOptions::curvatureCount(int workers) const {
  if (curvatureWorkers > 0) return curvatureWorkers;
  return std::max(1, static_cast<int>(std::lround(workers / 4.0)));
}

}  // namespace distopt
