#include "core/kronecker/kron_data.hpp"

#include <cmath>
#include <numbers>

#include "core/util/check.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

KronData makeSyntheticKronData(Eigen::Index n, Eigen::Index d1, Eigen::Index d2, std::uint64_t dataSeed) {
  DISTOPT_CHECK(n >= 1 && d1 >= 1 && d2 >= 1);
  RandomStream stream(
      StreamKey{.runSeed = dataSeed, .purpose = StreamPurpose::Data, .worker = StreamKey::kNoWorker});
  KronData data;
  data.u.resize(d1, n);
  data.v.resize(d2, n);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index p = 0; p < d1; ++p) data.u(p, i) = stream.normal();
    for (Eigen::Index q = 0; q < d2; ++q) data.v(q, i) = stream.normal();
    data.y[i] = stream.normal();
    // A zero draw is impossible in practice; normalising it would give NaN, so redraw-free guard.
    data.u.col(i) /= std::max(data.u.col(i).norm(), 1e-300);
    data.v.col(i) /= std::max(data.v.col(i).norm(), 1e-300);
  }
  return data;
}

Eigen::VectorXd kroneckerVector(const Eigen::Ref<const Eigen::VectorXd>& u,
                                const Eigen::Ref<const Eigen::VectorXd>& v) {
  Eigen::VectorXd x(u.size() * v.size());
  for (Eigen::Index p = 0; p < u.size(); ++p) x.segment(p * v.size(), v.size()) = u[p] * v;
  return x;
}

double kroneckerInner(std::span<const double> w, const Eigen::Ref<const Eigen::VectorXd>& u,
                      const Eigen::Ref<const Eigen::VectorXd>& v) {
  DISTOPT_CHECK(static_cast<Eigen::Index>(w.size()) == u.size() * v.size());
  const Eigen::Map<const RowMatrix> reshaped(w.data(), u.size(), v.size());
  return u.dot(reshaped * v);
}

double kroneckerInnerTransposed(std::span<const double> w, const Eigen::Ref<const Eigen::VectorXd>& u,
                                const Eigen::Ref<const Eigen::VectorXd>& v) {
  DISTOPT_CHECK(static_cast<Eigen::Index>(w.size()) == u.size() * v.size());
  const Eigen::Map<const Eigen::MatrixXd> transposed(w.data(), v.size(), u.size());
  return v.dot(transposed * u);
}

Eigen::MatrixXd kroneckerGram(const KronData& data) {
  const Eigen::MatrixXd a = data.u.transpose() * data.u;
  const Eigen::MatrixXd bv = data.v.transpose() * data.v;
  return a.cwiseProduct(bv);
}

void kroneckerGramRows(const KronData& data, std::span<const std::uint32_t> batch, RowMatrix& out) {
  const auto s = static_cast<Eigen::Index>(batch.size());
  Eigen::MatrixXd ub(data.d1(), s), vb(data.d2(), s);
  for (Eigen::Index k = 0; k < s; ++k) {
    ub.col(k) = data.u.col(batch[static_cast<std::size_t>(k)]);
    vb.col(k) = data.v.col(batch[static_cast<std::size_t>(k)]);
  }
  out.resize(s, data.size());
  out.noalias() = ub.transpose() * data.u;
  out.array() *= (vb.transpose() * data.v).array();
}

RowMatrix materialiseInputs(const KronData& data) {
  RowMatrix x(data.size(), data.dimension());
  for (Eigen::Index i = 0; i < data.size(); ++i)
    x.row(i) = kroneckerVector(data.u.col(i), data.v.col(i)).transpose();
  return x;
}

void initialWeightRow(std::uint64_t modelSeed, std::int64_t r, std::span<double> out) {
  RandomStream stream(StreamKey{.runSeed = modelSeed,
                                .purpose = StreamPurpose::Init,
                                .worker = static_cast<std::uint64_t>(r),
                                .job = 0});
  for (double& value : out) value = stream.normal();
}

Eigen::VectorXd outputWeights(std::uint64_t modelSeed, std::int64_t m) {
  RandomStream stream(StreamKey{
      .runSeed = modelSeed, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker, .job = 1});
  Eigen::VectorXd a(m);
  for (std::int64_t r = 0; r < m; ++r) a[r] = (stream.next() >> 63) ? 1.0 : -1.0;
  return a;
}

double defaultThreshold(std::int64_t m) {
  DISTOPT_CHECK(m >= 1);
  return std::sqrt(0.4 * std::log(static_cast<double>(m)));
}

double firingProbability(double b) { return 0.5 * std::erfc(b / std::numbers::sqrt2); }

double inverseNormalCdf(double probability) {
  DISTOPT_CHECK(probability > 0.0 && probability < 1.0);
  // Acklam's rational approximation (relative error 1.15e-9), then one Halley step against erfc.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  const double low = 0.02425;
  double x;
  if (probability < low) {
    const double q = std::sqrt(-2.0 * std::log(probability));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (probability <= 1.0 - low) {
    const double q = probability - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log(1.0 - probability));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - probability;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

double thresholdForFiredFraction(double p) { return inverseNormalCdf(1.0 - p); }

}  // namespace distopt
