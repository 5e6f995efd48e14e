#pragma once
// Synthetic data sets, deterministic by seed: every draw comes from
// RandomStream{seed, StreamPurpose::Data, kNoWorker, job = a fixed per-generator tag}, so the same seed
// gives the same data on every platform and in every worker process.

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "core/data/dataset.hpp"
#include "core/problems/problem.hpp"

namespace distopt {

/// docs/papers.md, async-sgd E4 (Mishchenko et al.): A in R^{rows x cols} with entries U[0,1)/sqrt(cols),
/// xTrue ~ N(0, I), b = A xTrue + noiseStd * N(0, I). Draw order: A row by row, xTrue, the noise.
struct LeastSquaresDataOptions {
  std::int64_t rows = 10000;  ///< m, number of samples (>= 1)
  std::int64_t cols = 400;    ///< d, number of features (>= 1)
  double noiseStd = 1e-5;     ///< standard deviation of the label noise (>= 0)

  bool isValid(std::string* why) const;
};

struct LeastSquaresData {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a;
  Vector b;
  Vector xTrue;
};

LeastSquaresData makeLeastSquaresData(const LeastSquaresDataOptions& options, std::uint64_t seed);

/// A dense classification set for the neural problems when no image files are at hand: class centres
/// mu_c ~ separation * N(0, I), labels uniform over the classes, features mu_label + N(0, I).
struct GaussianClassesOptions {
  std::int64_t numSamples = 1000;  ///< >= 1
  std::int64_t numFeatures = 20;   ///< >= 1
  int numClasses = 10;             ///< >= 2
  double separation = 2.0;         ///< scale of the class centres relative to the unit noise (>= 0)

  bool isValid(std::string* why) const;
};

Dataset makeGaussianClasses(const GaussianClassesOptions& options, std::uint64_t seed);

/// Problem P0 of decentralized-proxgt §5.3: numNodes blocks of samplesPerNode samples, stored node
/// after node (so ShardRule::Contiguous gives node i its own block). Features a ~ N(0, I/numFeatures);
/// node i (0-based) has ground truth w_i ~ N(0, I)·(1 + heterogeneity·i); label sign(aᵀw_i + labelNoise·N(0,1))
/// as class 1 (+1) or 0 (-1), classValues {-1, +1}. Sparse storage, because the logistic problem is sparse.
struct HeterogeneousLogisticOptions {
  int numNodes = 8;                   ///< >= 1
  std::int64_t samplesPerNode = 400;  ///< >= 1
  std::int64_t numFeatures = 20;      ///< >= 1
  double heterogeneity = 0.5;         ///< >= 0; 0 gives every node the same distribution of truths
  double labelNoise = 0.1;            ///< >= 0

  bool isValid(std::string* why) const;
};

Dataset makeHeterogeneousLogistic(const HeterogeneousLogisticOptions& options, std::uint64_t seed);

}  // namespace distopt
