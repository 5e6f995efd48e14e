#include "core/hybrid/hybrid_setup.hpp"

#include "core/util/check.hpp"

namespace distopt {

HybridSetup makeHybridSetup(const HybridRunOptions& options, const SimRunContext& context) {
  DISTOPT_CHECK(context.problem != nullptr);
  HybridSetup setup;
  setup.options = options;
  setup.method = options.method;
  setup.dho2 = options.dho2;
  if (setup.method != HybridMethod::Dho2) setup.dho2.updateMode = UpdateMode::Replicated;
  if (setup.method == HybridMethod::Baseline) setup.dho2.fosi.k = 0, setup.dho2.fosi.l = 0;
  setup.workers = context.numWorkers;
  setup.trainers = setup.mr() ? setup.workers - options.curvatureCount(setup.workers) : setup.workers;
  setup.cFirst = setup.mr() ? setup.trainers : 0;
  switch (setup.method) {
    case HybridMethod::Baseline:
      setup.curvatureCount = 0;
      break;
    case HybridMethod::Fosi:
      setup.curvatureCount = 1;
      break;
    case HybridMethod::Dho2:
      setup.curvatureCount = setup.workers;
      break;
    case HybridMethod::MrDho2:
      setup.curvatureCount = setup.workers - setup.trainers;
      break;
  }
  setup.n = context.problem->dimension();
  setup.r = setup.dho2.fosi.k + setup.dho2.fosi.l;
  setup.m = setup.dho2.fosi.lanczosOrder(setup.n);
  setup.sharded = setup.dho2.updateMode == UpdateMode::Sharded;
  setup.root = setup.dho2.hvpMode == HvpMode::RootBroadcast;
  setup.seed = context.options.seed;
  return setup;
}

Vector flattenRows(const Eigen::MatrixXd& matrix) {
  Vector flat(matrix.size());
  for (Eigen::Index i = 0; i < matrix.rows(); ++i)
    flat.segment(i * matrix.cols(), matrix.cols()) = matrix.row(i).transpose();
  return flat;
}

Eigen::MatrixXd unflattenRows(const Vector& flat, Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) matrix.row(i) = flat.segment(i * cols, cols).transpose();
  return matrix;
}

}  // namespace distopt
