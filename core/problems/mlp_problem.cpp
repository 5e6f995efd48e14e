#include "core/problems/mlp_problem.hpp"

#include <cmath>

#include "core/problems/problem_params.hpp"
#include "core/util/input_error.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

NetworkProblem::Layout layoutOf(const MlpProblem::Options& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  NetworkProblem::Layout layout;
  layout.hiddenSizes = options.hidden;
  layout.activation = options.activation;
  layout.l2 = options.l2;
  layout.batch = options.batch;
  layout.noise = options.noise;
  return layout;
}

}  // namespace

bool MlpProblem::Options::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (hidden.empty() || hidden.size() > 2) return fail("hidden: must list 1 or 2 layer widths");
  for (int width : hidden)
    if (width < 1) return fail("hidden: every layer width must be >= 1");
  if (!(l2 >= 0.0) || !std::isfinite(l2)) return fail("l2: must be >= 0");
  if (batch < 0) return fail("batch: must be >= 0 (0 = the whole shard)");
  return noise.isValid(why);
}

MlpProblem::MlpProblem(Dataset train, std::optional<Dataset> test, const Options& options)
    : NetworkProblem("mlp", std::move(train), std::move(test), layoutOf(options)), m_options(options) {}

ProblemEntry mlpProblemEntry() {
  ProblemEntry entry;
  entry.name = "mlp";
  entry.capabilities = {ProblemCapability::HessianVectorProduct, ProblemCapability::BatchHessianVectorProduct,
                        ProblemCapability::FiniteDataSet};
  entry.summary = "MLP (1 or 2 hidden layers) with softmax cross-entropy on IDX image data";
  entry.options = networkDataOptions();
  OptionSpec hidden;
  hidden.name = "hidden";
  hidden.type = OptionType::IntList;
  hidden.defaultValue = nlohmann::json::array({32});
  hidden.minValue = 1;
  hidden.maxValue = 1e5;
  hidden.help = "Hidden layer widths: one or two numbers, e.g. [32] or [128, 64]";
  entry.options.push_back(hidden);
  entry.options.push_back(
      activations().option("activation", Activation::Relu,
                           "Hidden-layer activation (the Hessian-vector product is exact for all; "
                           "ReLU's is the Hessian almost everywhere)"));
  for (auto& spec : networkTrainingOptions(0.0, 64)) entry.options.push_back(std::move(spec));
  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    MlpProblem::Options options;
    options.hidden = params.at("hidden").get<std::vector<int>>();
    options.activation = activations().parse(params, "activation", context.path);
    options.l2 = params.at("l2").get<double>();
    options.batch = params.at("batch").get<std::int64_t>();
    options.noise = gradientNoiseFromParams(params, context.path);
    requireValid(options, context.path);
    Dataset train;
    std::optional<Dataset> test;
    readNetworkData(params, context, train, test);
    return std::make_unique<MlpProblem>(std::move(train), std::move(test), options);
  };
  entry.footprint = networkDataFootprint;
  return entry;
}

}  // namespace distopt
