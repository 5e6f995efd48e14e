#include "core/problems/least_squares_problem.hpp"

#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "core/data/batch_sampler.hpp"
#include "core/data/data_file.hpp"
#include "core/problems/problem_params.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool LeastSquaresProblem::Options::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (rows < 1) return fail("m: must be >= 1");
  if (cols < 1) return fail("d: must be >= 1");
  if (!(labelNoise >= 0.0) || !std::isfinite(labelNoise)) return fail("label_noise: must be >= 0");
  if (batch < 0) return fail("batch: must be >= 0 (0 = the whole shard)");
  return true;
}

LeastSquaresProblem::LeastSquaresProblem(const Options& options, std::uint64_t seed) : m_batch(options.batch) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  LeastSquaresData data = makeLeastSquaresData(
      LeastSquaresDataOptions{.rows = options.rows, .cols = options.cols, .noiseStd = options.labelNoise}, seed);
  m_a = std::move(data.a);
  m_b = std::move(data.b);
  solve();
}

LeastSquaresProblem::LeastSquaresProblem(Matrix a, Vector b, std::int64_t batch)
    : m_a(std::move(a)), m_b(std::move(b)), m_batch(batch) {
  DISTOPT_CHECK(m_a.rows() >= 1 && m_a.cols() >= 1 && m_b.size() == m_a.rows() && batch >= 0);
  solve();
}

void LeastSquaresProblem::solve() {
  const double m = static_cast<double>(m_a.rows());
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(m_a.cols(), m_a.cols());
  gram.selfadjointView<Eigen::Lower>().rankUpdate(m_a.transpose());
  gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
  if (m_a.rows() >= m_a.cols()) {
    // Normal equations: d×d instead of m×d work. One refinement step recovers the digits the squared
    // condition number costs (κ(AᵀA) ≈ 1e6 for the E4 data).
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(gram);
    const Vector atb = m_a.transpose() * m_b;
    m_solution = ldlt.solve(atb);
    m_solution += ldlt.solve(atb - gram * m_solution);
  } else {
    // Under-determined: the normal equations are singular; take the minimum-norm solution.
    m_solution = m_a.completeOrthogonalDecomposition().solve(m_b);
  }
  m_optimalValue = loss(m_solution);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram, Eigen::EigenvaluesOnly);
  m_smoothness = eigen.eigenvalues().maxCoeff() / m;
}

Vector LeastSquaresProblem::initialPoint(RandomStream& /*stream*/) const { return Vector::Zero(dimension()); }

double LeastSquaresProblem::loss(const Vector& x) const {
  DISTOPT_CHECK(x.size() == dimension());
  return 0.5 * (m_a * x - m_b).squaredNorm() / static_cast<double>(m_a.rows());
}

void LeastSquaresProblem::gradient(const Vector& x, Vector& out) const {
  DISTOPT_CHECK(x.size() == dimension());
  const Vector residual = m_a * x - m_b;
  out.noalias() = m_a.transpose() * residual;
  out /= static_cast<double>(m_a.rows());
}

void LeastSquaresProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                             Vector& out) const {
  out.resize(dimension());
  stochasticGradientInto(x, shard, stream, out);
}

void LeastSquaresProblem::stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard,
                                                 RandomStream& stream, Eigen::Ref<Vector> out) const {
  // A row of the column-major A is strided, so row·x is a plain sequential sum: its value does not
  // depend on where x lies (no packet alignment peeling).
  DISTOPT_CHECK(x.size() == dimension() && out.size() == dimension());
  std::vector<std::int64_t> rows;
  drawBatch(shard, numSamples(), m_batch, stream, rows);
  out.setZero();
  for (std::int64_t i : rows) {
    const auto row = m_a.row(static_cast<Eigen::Index>(i));
    out += (row.dot(x) - m_b[static_cast<Eigen::Index>(i)]) * row.transpose();
  }
  out /= static_cast<double>(rows.size());
}

void LeastSquaresProblem::hessianVectorProduct(const Vector& /*x*/, const Vector& v, Vector& out) const {
  DISTOPT_CHECK(v.size() == dimension());
  const Vector av = m_a * v;
  out.noalias() = m_a.transpose() * av;
  out /= static_cast<double>(m_a.rows());
}

ProblemEntry leastSquaresProblemEntry() {
  ProblemEntry entry;
  entry.name = "least-squares";
  entry.capabilities = {ProblemCapability::HessianVectorProduct, ProblemCapability::FiniteDataSet};
  entry.summary =
      "Least squares ½·mean((Ax − b)²): synthetic (Mishchenko et al., async-sgd E4 in docs/papers.md) or your regression "
      "data";
  OptionSpec dataSeed = intOption("data_seed", 0, 0, 9.0e15, "Seed of the generated data (default: the run seed)");
  dataSeed.defaultValue = nullptr;
  dataSeed.optional = true;
  entry.options = {
      intOption("m", 10000, 1, 1e8, "Number of samples (rows of A)"),
      intOption("d", 400, 1, 10000, "Number of variables (columns of A); f* needs a d×d solve"),
      intOption("batch", 256, 0, std::nullopt,
                "Rows per stochastic gradient, drawn without replacement from the shard (0 = whole shard)"),
      doubleOption("label_noise", 1e-5, 0.0, std::nullopt,
                   "Standard deviation of the noise in b = A·x_rand + noise"),
      dataSeed,
      pathOption("train", true,
                 "Your own data instead of the synthetic set: LIBSVM with real-valued labels, *.csv or *.npy "
                 "with a target column (m, d, label_noise and data_seed are then unused)"),
      intOption("label_column", 0, -1e6, 1e6, "CSV/.npy: the target column, 0-based (-1 = the last)"),
  };
  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    LeastSquaresProblem::Options options;
    options.rows = params.at("m").get<std::int64_t>();
    options.cols = params.at("d").get<std::int64_t>();
    options.batch = params.at("batch").get<std::int64_t>();
    options.labelNoise = params.at("label_noise").get<double>();
    requireValid(options, context.path);
    if (params.contains("train")) {
      DataFileReadOptions read{.labelColumn = params.at("label_column").get<std::int64_t>(),
                               .labels = LabelKind::Values};
      const Dataset data =
          readDataFile(resolveDataFile(context, "train", params.at("train").get<std::string>()), read);
      const auto dense = data.denseCopy();
      return std::make_unique<LeastSquaresProblem>(
          LeastSquaresProblem::Matrix(dense.cast<double>()),
          Eigen::Map<const Vector>(data.targets.data(), static_cast<Eigen::Index>(data.targets.size())),
          options.batch);
    }
    if (options.rows * options.cols > std::int64_t{1} << 31) {
      throw InputError(context.path + ".m", "m·d = " + std::to_string(options.rows * options.cols) +
                                                " entries is too large for a dense matrix (limit 2^31)");
    }
    const std::uint64_t seed =
        params.contains("data_seed") ? params.at("data_seed").get<std::uint64_t>() : context.seed;
    return std::make_unique<LeastSquaresProblem>(options, seed);
  };
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext&) {
    const double m = params.at("m").get<double>();
    const double d = params.at("d").get<double>();
    // A (m×d) and b, dense.
    return ProblemFootprint{.dataBytes = 8.0 * m * (d + 1.0), .dimension = d};
  };
  return entry;
}

}  // namespace distopt
