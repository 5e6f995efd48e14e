#include "core/hybrid/hybrid_entries.hpp"

#include "core/hybrid/hybrid_sim_run.hpp"

#include "core/problems/problem_params.hpp"
#include "core/registry/enum_option.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

namespace {

const EnumTable<BaseKind>& baseKinds() {
  static const EnumTable<BaseKind> table{
      {baseKindName(BaseKind::Sgd), BaseKind::Sgd, "plain SGD"},
      {baseKindName(BaseKind::HeavyBall), BaseKind::HeavyBall, "heavy-ball momentum"},
      {baseKindName(BaseKind::Adam), BaseKind::Adam, "Adam"}};
  return table;
}

const EnumTable<UpdateMode>& updateModes() {
  static const EnumTable<UpdateMode> table{
      {"S", UpdateMode::Sharded, "V, u and optimizer state sharded 1/P (workbench variant)"},
      {"R", UpdateMode::Replicated, "replicated (released code)"}};
  return table;
}

const EnumTable<HvpMode>& hvpModes() {
  static const EnumTable<HvpMode> table{
      {"data_parallel", HvpMode::DataParallel, "HVP work split over the devices"},
      {"root_broadcast", HvpMode::RootBroadcast, "every device on the whole ESE batch (release)"}};
  return table;
}

std::vector<OptionSpec> baseOptions(BaseKind defaultBase, double defaultLr, bool chooseBase) {
  std::vector<OptionSpec> specs;
  if (chooseBase) specs.push_back(baseKinds().option("base", defaultBase, "Base optimizer X of FOSI-X"));
  OptionSpec lr = doubleOption("lr", defaultLr, 0.0, std::nullopt, "Base learning rate eta");
  lr.minExclusive = true;
  specs.push_back(lr);
  specs.push_back(
      doubleOption("beta", 0.9, 0.0, 0.999999, "Momentum (heavy ball) / Adam beta1; also FOSI's momentum"));
  specs.push_back(doubleOption("beta2", 0.999, 0.0, 0.999999999, "Adam second-moment decay"));
  return specs;
}

std::vector<OptionSpec> fosiSpecs() {
  std::vector<OptionSpec> specs = baseOptions(BaseKind::Adam, 1e-3, true);
  specs.push_back(intOption("k", 10, 1, std::nullopt, "Largest Hessian eigenpairs kept"));
  specs.push_back(intOption("l", 0, 0, std::nullopt, "Smallest (algebraic) eigenpairs kept; needs k >= 1"));
  specs.push_back(intOption("m", 0, 0, std::nullopt, "Lanczos order; 0 = max(4(k+l), ceil(2 ln n))"));
  specs.push_back(intOption("T", 100, 1, std::nullopt, "Steps between curvature estimates"));
  specs.push_back(intOption("W", 0, 0, std::nullopt, "Warm-up: first estimate before step W-1; 0 = T"));
  OptionSpec alpha =
      doubleOption("alpha", 0.01, 0.0, std::nullopt, "Newton step fraction in the eigen-subspace");
  alpha.minExclusive = true;
  specs.push_back(alpha);
  specs.push_back(doubleOption("c_max", 3.0, 1.0, std::nullopt,
                               "Clip of the base-step scale c = |lambda_max|/|lambda_k| (Adam: 1)"));
  specs.push_back(doubleOption("eps_lambda", 1e-12, 0.0, std::nullopt, "Floor of |lambda| before inverting"));
  OptionSpec hvpCost = doubleOption("hvp_cost", 2.5, 0.0, std::nullopt,
                                    "Virtual time of one HVP in gradient evaluations on the same samples");
  hvpCost.minExclusive = true;
  specs.push_back(hvpCost);
  OptionSpec ratio = doubleOption("ese_batch_ratio", 4.0, 0.0, std::nullopt,
                                  "ESE batch size / global training batch (virtual time of the HVPs)");
  ratio.minExclusive = true;
  specs.push_back(ratio);
  specs.push_back(intOption("ese_batch", 0, 0, std::nullopt,
                            "ESE batch: the first N training samples, split over the curvature devices "
                            "(0 = all); set ese_batch_ratio to N / global batch to charge its time"));
  return specs;
}

HybridRunOptions fosiFromParams(const nlohmann::json& params, HybridMethod method, const std::string& name,
                                const std::string& path) {
  HybridRunOptions options;
  options.method = method;
  options.name = name;
  FosiOptions& fosi = options.dho2.fosi;
  if (params.contains("base")) fosi.base.kind = baseKinds().parse(params, "base", path);
  fosi.base.learningRate = params.at("lr").get<double>();
  fosi.base.beta = params.at("beta").get<double>();
  fosi.base.beta2 = params.at("beta2").get<double>();
  if (method == HybridMethod::Baseline) {
    fosi.k = 0;
    return options;
  }
  fosi.k = params.at("k").get<int>();
  fosi.l = params.at("l").get<int>();
  fosi.m = params.at("m").get<int>();
  fosi.period = params.at("T").get<std::int64_t>();
  fosi.warmup = params.at("W").get<std::int64_t>();
  fosi.alpha = params.at("alpha").get<double>();
  fosi.cMax = params.at("c_max").get<double>();
  fosi.epsLambda = params.at("eps_lambda").get<double>();
  options.hvpCost = params.at("hvp_cost").get<double>();
  options.eseBatchRatio = params.at("ese_batch_ratio").get<double>();
  options.eseBatch = params.at("ese_batch").get<std::int64_t>();
  if (params.contains("update_mode"))
    options.dho2.updateMode = updateModes().parse(params, "update_mode", path);
  if (params.contains("hvp_mode")) options.dho2.hvpMode = hvpModes().parse(params, "hvp_mode", path);
  if (params.contains("curvature_workers"))
    options.curvatureWorkers = params.at("curvature_workers").get<int>();
  if (params.contains("T_snap") && !params.at("T_snap").is_null())
    options.snapshotPeriod = params.at("T_snap").get<std::int64_t>();
  if (params.contains("max_staleness") && !params.at("max_staleness").is_null())
    options.maxStaleness = params.at("max_staleness").get<std::int64_t>();
  if (params.contains("stop_the_world")) options.stopTheWorld = params.at("stop_the_world").get<bool>();
  return options;
}

// `live`: the live driver (net/families/hybrid) runs it too.
AlgorithmEntry hybridEntry(std::string name, std::string summary, std::vector<OptionSpec> options,
                           bool live) {
  AlgorithmEntry entry;
  entry.liveDriver = live;
  entry.name = name;
  entry.summary = std::move(summary);
  entry.options = std::move(options);
  entry.makeSimRun = [name](const nlohmann::json& params,
                            const SimRunContext& context) -> std::unique_ptr<SimRun> {
    return std::make_unique<HybridSimRun>(hybridRunOptions(name, params, context), context);
  };
  return entry;
}

// Method and fixed base optimizer of each registry name.
struct HybridAlgorithm {
  const char* name;
  HybridMethod method;
  std::optional<BaseKind> fixedBase;
};
constexpr HybridAlgorithm kHybridAlgorithms[] = {
    {"dist-sgdm", HybridMethod::Baseline, BaseKind::HeavyBall},
    {"dist-adam", HybridMethod::Baseline, BaseKind::Adam},
    {"fosi", HybridMethod::Fosi, std::nullopt},
    {"dho2", HybridMethod::Dho2, std::nullopt},
    {"mr-dho2", HybridMethod::MrDho2, std::nullopt},
};

}  // namespace

HybridRunOptions hybridRunOptions(const std::string& algorithm, const nlohmann::json& params,
                                  const SimRunContext& context) {
  const HybridAlgorithm* kind = nullptr;
  for (const auto& candidate : kHybridAlgorithms)
    if (algorithm == candidate.name) kind = &candidate;
  if (!kind) throw InputError(context.path, "\"" + algorithm + "\" is not a hybrid-order algorithm");
  HybridRunOptions run = fosiFromParams(params, kind->method, algorithm, context.path);
  if (kind->fixedBase) run.dho2.fosi.base.kind = *kind->fixedBase;
  if (!context.problem->hasHessianVectorProduct() && kind->method != HybridMethod::Baseline)
    throw InputError(context.path,
                     "problem \"" + context.problem->name() + "\" has no Hessian-vector product");
  if (run.eseBatch > 0) {
    if (!context.problem->hasBatchHessianVectorProduct())
      throw InputError(context.path + ".ese_batch", "problem \"" + context.problem->name() +
                                                        "\" has no per-batch Hessian-vector product; use 0");
    if (run.eseBatch > context.problem->numSamples())
      throw InputError(context.path + ".ese_batch", "larger than the training set (" +
                                                        std::to_string(context.problem->numSamples()) + ")");
  }
  std::string why;
  if (!run.isValid(context.numWorkers, context.problem->dimension(), &why)) {
    const auto colon = why.find(": ");
    if (colon == std::string::npos) throw InputError(context.path, why);
    throw InputError(context.path + "." + why.substr(0, colon), why.substr(colon + 2));
  }
  return run;
}

std::vector<AlgorithmEntry> hybridAlgorithmEntries() {
  std::vector<AlgorithmEntry> entries;
  entries.push_back(hybridEntry("dist-sgdm",
                                "Data-parallel SGD with heavy-ball momentum (hybrid-order baseline)",
                                baseOptions(BaseKind::HeavyBall, 0.1, false), true));
  entries.push_back(hybridEntry("dist-adam", "Data-parallel Adam (hybrid-order baseline)",
                                baseOptions(BaseKind::Adam, 1e-3, false), true));
  entries.push_back(hybridEntry(
      "fosi", "FOSI: Lanczos top-k curvature + base optimizer, one curvature device", fosiSpecs(), true));
  std::vector<OptionSpec> dho2 = fosiSpecs();
  dho2.push_back(updateModes().option(
      "update_mode", UpdateMode::Sharded,
      "S: V, u and optimizer state sharded 1/P (workbench variant); R: replicated (released code)"));
  dho2.push_back(hvpModes().option(
      "hvp_mode", HvpMode::DataParallel,
      "data_parallel: HVP work split over devices (workbench variant); root_broadcast: release"));
  entries.push_back(
      hybridEntry("dho2", "DHO2: FOSI with the Lanczos basis (and, mode S, V and state) split over P workers",
                  dho2, true));
  std::vector<OptionSpec> mr = fosiSpecs();
  mr.push_back(
      hvpModes().option("hvp_mode", HvpMode::DataParallel,
                        "HVP work split over the curvature workers, or every one on the whole ESE batch"));
  mr.push_back(intOption("curvature_workers", 0, 0, std::nullopt,
                         "C curvature workers; 0 = max(1, round(workers/4))"));
  mr.push_back(
      optionalIntOption("T_snap", 0, "Min steps between snapshots; absent = T, 0 = whenever curvature is idle"));
  mr.push_back(
      optionalIntOption("max_staleness", 0, "Discard estimates older than this many steps; absent = never"));
  mr.push_back(
      boolOption("stop_the_world", false, "Update workers wait for each estimate (reproduces DHO2 mode R)"));
  entries.push_back(hybridEntry(
      "mr-dho2", "MR-DHO2 (workbench variant): curvature workers estimate while update workers train", mr,
      true));
  // What hybridRunOptions refuses at run start, declared so the parser refuses it first: the curvature
  // methods need Hessian-vector products, and per batch when the ESE batch is a subset.
  for (auto& entry : entries) {
    if (entry.name == "dist-sgdm" || entry.name == "dist-adam") continue;
    entry.problemNeeds = {{.capability = ProblemCapability::HessianVectorProduct},
                          {.capability = ProblemCapability::BatchHessianVectorProduct,
                           .option = "ese_batch",
                           .when = [](const nlohmann::json& params) {
                             return params.at("ese_batch").get<std::int64_t>() > 0;
                           }}};
  }
  return entries;
}

}  // namespace distopt
