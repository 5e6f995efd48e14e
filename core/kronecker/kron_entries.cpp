#include "core/kronecker/kron_entries.hpp"

#include "core/kronecker/kron_problem.hpp"
#include "core/registry/enum_option.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

namespace {

const EnumTable<FireIndex::Kind>& fireIndexKinds() {
  using Kind = FireIndex::Kind;
  static const EnumTable<Kind> table{
      {fireIndexKindName(Kind::FlipSets), Kind::FlipSets, "per-point bitsets flipped by the P update"},
      {fireIndexKindName(Kind::Tree), Kind::Tree, "the paper's max-tree per point, eagerly refreshed"},
      {fireIndexKindName(Kind::Scan), Kind::Scan, "a linear scan"}};
  return table;
}

const EnumTable<GramMode>& gramModes() {
  static const EnumTable<GramMode> table{
      {"precomputed", GramMode::Precomputed, "stored n×n table: the step is free of d"},
      {"factored", GramMode::Factored, "two GEMMs of the factors per step, no n² memory"}};
  return table;
}

std::vector<OptionSpec> commonOptions() {
  return {{.name = "eta",
           .type = OptionType::Double,
           .minValue = 0.0,
           .minExclusive = true,
           .help = "SGD step η. Default 0.5/(S·p̂), p̂ = fired fraction measured at init (docs/papers.md, "
                   "kronecker-async §2.6)",
           .optional = true},
          {.name = "staleness",
           .type = OptionType::Int,
           .defaultValue = 0,
           .minValue = 0.0,
           .maxValue = 1024.0,
           .help = "Pipeline depth τ across neuron-sharded workers: 0 = exact SGD; τ >= 1 lets up to τ "
                   "iterations' residuals be outstanding (delayed gradients, outside the paper's theory)"}};
}

}  // namespace

const KronTwoLayerProblem& kronProblemOf(const SimRunContext& context) {
  const auto* problem = dynamic_cast<const KronTwoLayerProblem*>(context.problem);
  if (!problem)
    throw InputError("problem.name", "the kronecker algorithms need the problem \"kron-two-layer\"");
  return *problem;
}

KronSimRun::Settings kronSettingsFrom(const std::string& algorithm, const nlohmann::json& params,
                                      const std::string& path) {
  KronSimRun::Settings settings;
  if (params.contains("eta") && !params["eta"].is_null()) settings.eta = params["eta"].get<double>();
  settings.staleness = params["staleness"].get<int>();
  if (algorithm == "kron-naive") {
    settings.algorithm = KronAlgorithm::Naive;
    return settings;
  }
  if (algorithm != "kron-fast")
    throw InputError("algorithm.name", "\"" + algorithm + "\" is not a kronecker algorithm");
  settings.algorithm = KronAlgorithm::Fast;
  settings.fast.eta = settings.eta;
  settings.fast.staleness = settings.staleness;
  settings.fast.index = fireIndexKinds().parse(params, "index", path);
  settings.fast.gram = gramModes().parse(params, "gram", path);
  settings.fast.resyncEvery = params["resync_every"].get<std::int64_t>();
  return settings;
}

std::vector<AlgorithmEntry> kronAlgorithmEntries() {
  AlgorithmEntry naive{
      .name = "kron-naive",
      .summary =
          "Two-layer shifted-ReLU network, naive SGD on dense weight rows, O(S·m·d) per step, "
          "neuron-sharded (docs/papers.md, kronecker-async §2.7)",
      .options = commonOptions()};
  naive.liveDriver = true;  // net/families/kronecker
  // kronProblemOf refuses any other problem at run start; the family's need (core/registry/family.hpp)
  // lets the parser refuse it first.
  naive.makeSimRun = [](const nlohmann::json& params,
                        const SimRunContext& context) -> std::unique_ptr<SimRun> {
    const KronSimRun::Settings settings = kronSettingsFrom("kron-naive", params, context.path);
    return std::make_unique<KronSimRun>(kronProblemOf(context), settings, context);
  };

  std::vector<OptionSpec> fastOptions = commonOptions();
  fastOptions.push_back(
      fireIndexKinds().option("index", FireIndex::Kind::FlipSets,
                              "Fired-neuron index: per-point bitsets flipped by the P update (default), "
                              "the paper's max-tree per point (eagerly refreshed), or a linear scan"));
  fastOptions.push_back(
      gramModes().option("gram", GramMode::Precomputed,
                         "Gram rows: stored n×n table (d-free step) or two GEMMs of the factors per step "
                         "(O(S·n·(d1+d2)), no n² memory)"));
  fastOptions.push_back(
      {.name = "resync_every",
       .type = OptionType::Int,
       .defaultValue = 0,
       .minValue = 0.0,
       .help = "Recompute P = P(0) + α·G every this many steps against rounding drift (0 = never)"});
  AlgorithmEntry fast{
      .name = "kron-fast",
      .summary =
          "Two-layer shifted-ReLU network, fast SGD on the inner-product table "
          "P = P(0) + α·G with a fired-neuron index: no d in the step (docs/papers.md, kronecker-async §3)",
      .options = fastOptions};
  fast.liveDriver = true;
  fast.makeSimRun = [](const nlohmann::json& params,
                       const SimRunContext& context) -> std::unique_ptr<SimRun> {
    const KronSimRun::Settings settings = kronSettingsFrom("kron-fast", params, context.path);
    return std::make_unique<KronSimRun>(kronProblemOf(context), settings, context);
  };
  return {naive, fast};
}

std::vector<ProblemEntry> kronProblemEntries() { return {kronTwoLayerProblemEntry()}; }

}  // namespace distopt
