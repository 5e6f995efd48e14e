#include "core/problems/softmax_problem.hpp"

#include <cmath>

#include "core/problems/problem_params.hpp"
#include "core/util/input_error.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

NetworkProblem::Layout layoutOf(const SoftmaxProblem::Options& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  NetworkProblem::Layout layout;
  layout.l2 = options.l2;
  layout.batch = options.batch;
  layout.noise = options.noise;
  return layout;
}

}  // namespace

bool SoftmaxProblem::Options::isValid(std::string* why) const {
  if (!(l2 >= 0.0) || !std::isfinite(l2)) {
    if (why) *why = "l2: must be >= 0";
    return false;
  }
  if (batch < 0) {
    if (why) *why = "batch: must be >= 0 (0 = the whole shard)";
    return false;
  }
  return noise.isValid(why);
}

SoftmaxProblem::SoftmaxProblem(Dataset train, std::optional<Dataset> test, const Options& options)
    : NetworkProblem("softmax", std::move(train), std::move(test), layoutOf(options)), m_options(options) {}

ProblemEntry softmaxProblemEntry() {
  ProblemEntry entry;
  entry.name = "softmax";
  entry.capabilities = {ProblemCapability::HessianVectorProduct, ProblemCapability::BatchHessianVectorProduct,
                        ProblemCapability::FiniteDataSet};
  entry.summary =
      "Multinomial logistic regression on IDX images (MNIST / Fashion-MNIST) or a LIBSVM, CSV or .npy table";
  entry.options = networkDataOptions();
  for (auto& spec : networkTrainingOptions(1e-4, 64)) entry.options.push_back(std::move(spec));
  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    SoftmaxProblem::Options options;
    options.l2 = params.at("l2").get<double>();
    options.batch = params.at("batch").get<std::int64_t>();
    options.noise = gradientNoiseFromParams(params, context.path);
    requireValid(options, context.path);
    Dataset train;
    std::optional<Dataset> test;
    readNetworkData(params, context, train, test);
    return std::make_unique<SoftmaxProblem>(std::move(train), std::move(test), options);
  };
  entry.footprint = networkDataFootprint;
  return entry;
}

}  // namespace distopt
