#include "core/decentralized/decentralized_entries.hpp"

#include <cmath>

#include "core/data/synthetic_data.hpp"
#include "core/decentralized/decentralized_sim_run.hpp"
#include "core/problems/logistic_problem.hpp"
#include "core/problems/problem_params.hpp"
#include "core/registry/enum_option.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// The choices of the options below. Graphs, weight rules, mixers and regularizers keep their spelling
// in their own modules' name tables; the tables here are built from those.
const EnumTable<GraphKind>& graphKinds() {
  static const EnumTable<GraphKind> table = enumTableOf<GraphKind>(graphKindNames(), graphKindFromName);
  return table;
}

const EnumTable<WeightRule>& weightRules() {
  static const EnumTable<WeightRule> table = enumTableOf<WeightRule>(weightRuleNames(), weightRuleFromName);
  return table;
}

const EnumTable<MixerKind>& mixerKinds() {
  static const EnumTable<MixerKind> table = enumTableOf<MixerKind>(mixerKindNames(), mixerKindFromName);
  return table;
}

const EnumTable<RegularizerKind>& regularizerKinds() {
  static const EnumTable<RegularizerKind> table =
      enumTableOf<RegularizerKind>(regularizerKindNames(), regularizerKindFromName);
  return table;
}

const EnumTable<VectorEncoding>& wireEncodings() {
  static const EnumTable<VectorEncoding> table{
      {"float64", VectorEncoding::DenseFloat64, "8 bytes per coordinate, exact"},
      {"float32", VectorEncoding::DenseFloat32, "4 bytes per coordinate, rounded"}};
  return table;
}

// true: estimate L̂ from the local curvature at x⁰.
const EnumTable<bool>& curvatureSmoothness() {
  static const EnumTable<bool> table{{"curvature", true, "local curvature at x⁰ (docs/papers.md, decentralized-proxgt §2.9)"},
                                     {"problem", false, "the problem's own bound L"}};
  return table;
}

const EnumTable<DsgdNode::Order>& dsgdOrders() {
  static const EnumTable<DsgdNode::Order> table{
      {"cta", DsgdNode::Order::CombineThenAdapt, "combine, then adapt (overlaps the gossip)"},
      {"atc", DsgdNode::Order::AdaptThenCombine, "adapt, then combine"}};
  return table;
}

const EnumTable<DsgdNode::Schedule>& dsgdSchedules() {
  static const EnumTable<DsgdNode::Schedule> table{
      {"constant", DsgdNode::Schedule::Constant, "α"},
      {"inverse-sqrt", DsgdNode::Schedule::InverseSqrt, "α/√(t+1)"}};
  return table;
}

const EnumTable<GtDsgdNode::Order>& gtDsgdOrders() {
  static const EnumTable<GtDsgdNode::Order> table{
      {"atc", GtDsgdNode::Order::AdaptThenCombine, "adapt, then combine (2 rounds)"},
      {"cta", GtDsgdNode::Order::CombineThenAdapt, "combine, then adapt (1 round, 2p payload)"}};
  return table;
}

const EnumTable<ProxGtNode::TrackerInit>& trackerInits() {
  static const EnumTable<ProxGtNode::TrackerInit> table{
      {"local", ProxGtNode::TrackerInit::Local, "y⁰ = v⁰"},
      {"mixed", ProxGtNode::TrackerInit::Mixed, "y⁰ = Mix_K(v⁰) (K rounds)"}};
  return table;
}

std::vector<OptionSpec> commonOptions(bool proxgt) {
  OptionSpec alpha = doubleOption("alpha", 0.0, 0.0, std::nullopt,
                                  "Step α. Default (absent): step_scale / L̂, with L̂ from `smoothness`");
  alpha.minExclusive = true;
  alpha.defaultValue = nullptr;
  alpha.optional = true;
  OptionSpec stepScale =
      doubleOption("step_scale", 0.25, 0.0, 1.0, "α = step_scale / L̂ when alpha is absent");
  stepScale.minExclusive = true;
  OptionSpec rho =
      doubleOption("rho_target", 0.5, 0.0, 1.0, "Auto-K: contraction each mixing call must reach");
  rho.minExclusive = true;
  return {
      graphKinds().option("graph", GraphKind::Ring, "Communication graph over the workers (nodes)"),
      intOption("graph_rows", 0, 0, 100000, "Torus/grid rows (must divide the node count); 0 = most square"),
      doubleOption("edge_probability", 0.0, 0.0, 1.0, "Erdős–Rényi edge probability; 0 = min(1, 2 ln n / n)"),
      intOption("graph_seed", 1, 0, std::nullopt, "Seed of the random graph (Erdős–Rényi)"),
      weightRules().option("mixing", WeightRule::MetropolisHastings, "Weight rule of the mixing matrix W"),
      mixerKinds().option("mixer", proxgt ? MixerKind::Chebyshev : MixerKind::Plain,
                          "Multi-round gossip: plain W^K, Chebyshev-accelerated, or FastMix"),
      intOption("gossip_rounds", proxgt ? 0 : 1, 0, 1000,
                "Rounds K per mixing call; 0 = auto from rho_target"),
      rho,
      intOption("max_rounds", 200, 1, 1000, "K_max: cap of the automatic round count"),
      wireEncodings().option("wire", VectorEncoding::DenseFloat64, "Scalar type of the vectors on the wire"),
      regularizerKinds().option(
          "regularizer", RegularizerKind::Problem,
          "Non-smooth h: the problem's own (e.g. logistic l1), none, l1, box, or l1-box"),
      doubleOption("l1", 0.0, 0.0, std::nullopt, "λ₁ of regularizer l1 / l1-box"),
      doubleOption("box_lower", -1.0, std::nullopt, std::nullopt, "Lower bound of regularizer box / l1-box"),
      doubleOption("box_upper", 1.0, std::nullopt, std::nullopt, "Upper bound of regularizer box / l1-box"),
      alpha,
      stepScale,
      curvatureSmoothness().option(
          "smoothness", true,
          "L̂ for the default step: local curvature at x⁰ (docs/papers.md, decentralized-proxgt §2.9) or the problem's own bound"),
      doubleOption("beta", 0.0, 0.0, std::nullopt, "Step β of the stationarity measure G_β; 0 = α"),
      doubleOption("compute_unit", 0.0, 0.0, std::nullopt,
                   "Sample gradients per time-model draw; 0 = the method's minibatch b"),
      doubleOption("link_latency", 0.0, 0.0, std::nullopt, "Simulated time per message, time units"),
      doubleOption("link_bandwidth", 0.0, 0.0, std::nullopt,
                   "Simulated bytes per time unit per link; 0 = unlimited"),
  };
}

std::vector<OptionSpec> withMethodOptions(DecentralizedMethod method) {
  const bool proxgt = method != DecentralizedMethod::Dsgd && method != DecentralizedMethod::GtDsgd;
  std::vector<OptionSpec> options = commonOptions(proxgt);
  switch (method) {
    case DecentralizedMethod::Dsgd:
      options.push_back(intOption("batch", 64, 1, std::nullopt, "Minibatch b per node and iteration"));
      options.push_back(dsgdOrders().option("order", DsgdNode::Order::CombineThenAdapt,
                                            "Combine-then-adapt (overlap) or adapt-then-combine"));
      options.push_back(
          dsgdSchedules().option("schedule", DsgdNode::Schedule::Constant, "Step schedule: α or α/√(t+1)"));
      break;
    case DecentralizedMethod::GtDsgd:
      options.push_back(intOption("batch", 64, 1, std::nullopt, "Minibatch b per node and iteration"));
      options.push_back(
          gtDsgdOrders().option("order", GtDsgdNode::Order::AdaptThenCombine,
                                "Adapt-then-combine (2 rounds) or combine-then-adapt (1 round, 2p payload)"));
      break;
    case DecentralizedMethod::ProxGtSa:
      options.push_back(intOption("batch", 64, 1, std::nullopt, "Minibatch b per node and iteration"));
      break;
    case DecentralizedMethod::ProxGtSrO:
      options.push_back(intOption("batch", 0, 0, std::nullopt, "Inner minibatch b; 0 = ⌈√(B/n)⌉"));
      options.push_back(intOption("restart_batch", 1024, 1, std::nullopt, "Restart batch B"));
      options.push_back(intOption("period", 0, 0, std::nullopt, "Restart period q; 0 = ⌈√(n·B)⌉"));
      break;
    case DecentralizedMethod::ProxGtSrE:
      options.push_back(intOption("batch", 0, 0, std::nullopt, "Inner minibatch b; 0 = ⌈√(m/n)⌉"));
      options.push_back(
          intOption("period", 0, 0, std::nullopt, "Restart period q (full local gradient); 0 = ⌈√(n·m)⌉"));
      break;
  }
  if (proxgt)
    options.push_back(trackerInits().option("tracker_init", ProxGtNode::TrackerInit::Local,
                                            "y⁰ = v⁰, or y⁰ = Mix_K(v⁰) (K rounds)"));
  return options;
}

std::int64_t ceilSqrt(double value) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(std::sqrt(value))));
}

double meanLocalSamples(const SimRunContext& context) {
  const auto total = context.problem->numSamples();
  if (total == 0) return 0.0;
  double sum = 0.0;
  for (const auto& shard : *context.shards)
    sum += shard.indices.empty() ? static_cast<double>(total) : static_cast<double>(shard.indices.size());
  return sum / static_cast<double>(context.shards->size());
}

}  // namespace

DecentralizedRunOptions decentralizedRunOptions(DecentralizedMethod method, const nlohmann::json& params,
                                                const SimRunContext& context) {
  const std::string& path = context.path;
  DecentralizedRunOptions options;
  options.method = method;
  NetworkOptions& network = options.network;
  network.graph.kind = graphKinds().parse(params, "graph", path);
  network.graph.nodes = context.numWorkers;
  network.graph.rows = params.at("graph_rows").get<int>();
  network.graph.edgeProbability = params.at("edge_probability").get<double>();
  network.graph.seed = params.at("graph_seed").get<std::uint64_t>();
  network.weights = weightRules().parse(params, "mixing", path);
  network.mixer = mixerKinds().parse(params, "mixer", path);
  network.rounds = params.at("gossip_rounds").get<int>();
  network.rhoTarget = params.at("rho_target").get<double>();
  network.maxRounds = params.at("max_rounds").get<int>();
  network.wire = wireEncodings().parse(params, "wire", path);
  options.regularizer.kind = regularizerKinds().parse(params, "regularizer", path);
  options.regularizer.l1 = params.at("l1").get<double>();
  options.regularizer.lower = params.at("box_lower").get<double>();
  options.regularizer.upper = params.at("box_upper").get<double>();
  options.beta = params.at("beta").get<double>();
  options.linkLatency = params.at("link_latency").get<double>();
  options.linkBandwidth = params.at("link_bandwidth").get<double>();

  double alpha = 0.0;
  if (params.contains("alpha") && !params.at("alpha").is_null()) {
    alpha = params.at("alpha").get<double>();
  } else {
    double smoothness = 0.0;
    const bool curvature = curvatureSmoothness().parse(params, "smoothness", path);
    if (curvature && context.problem->numSamples() > 0) {
      smoothness = estimateLocalSmoothness(*context.problem, *context.shards, context.x0);
    } else if (auto known = context.problem->smoothness()) {
      smoothness = *known;
    } else {
      throw InputError(path + ".alpha", "is required: the problem knows no smoothness constant L");
    }
    if (!(smoothness > 0.0) || !std::isfinite(smoothness))
      throw InputError(path + ".alpha", "is required: the smoothness estimate is not positive");
    alpha = params.at("step_scale").get<double>() / smoothness;
  }

  const auto n = static_cast<double>(context.numWorkers);
  const double m = meanLocalSamples(context);
  std::int64_t batch = params.at("batch").get<std::int64_t>();
  switch (method) {
    case DecentralizedMethod::Dsgd:
      options.dsgd.alpha = alpha;
      options.dsgd.batch = batch;
      options.dsgd.order = dsgdOrders().parse(params, "order", path);
      options.dsgd.schedule = dsgdSchedules().parse(params, "schedule", path);
      break;
    case DecentralizedMethod::GtDsgd:
      options.gtDsgd.alpha = alpha;
      options.gtDsgd.batch = batch;
      options.gtDsgd.order = gtDsgdOrders().parse(params, "order", path);
      break;
    default: {
      ProxGtNode::Options& proxgt = options.proxgt;
      proxgt.alpha = alpha;
      proxgt.trackerInit = trackerInits().parse(params, "tracker_init", path);
      if (method == DecentralizedMethod::ProxGtSrO) {
        proxgt.restartBatch = params.at("restart_batch").get<std::int64_t>();
        const auto b = static_cast<double>(proxgt.restartBatch);
        if (batch == 0) batch = ceilSqrt(b / n);
        const std::int64_t period = params.at("period").get<std::int64_t>();
        proxgt.period = period > 0 ? period : ceilSqrt(n * b);
      } else if (method == DecentralizedMethod::ProxGtSrE) {
        if (m == 0.0)
          throw InputError(
              path, "proxgt-sr-e needs a problem with a finite data set (use proxgt-sr-o for a stream)");
        if (batch == 0) batch = ceilSqrt(m / n);
        const std::int64_t period = params.at("period").get<std::int64_t>();
        proxgt.period = period > 0 ? period : ceilSqrt(n * m);
      }
      proxgt.batch = batch;
    }
  }
  const double unit = params.at("compute_unit").get<double>();
  options.computeUnit = unit > 0.0 ? unit : static_cast<double>(batch);
  return options;
}

std::optional<DecentralizedMethod> decentralizedMethodFromName(const std::string& name) {
  for (auto method : {DecentralizedMethod::Dsgd, DecentralizedMethod::GtDsgd, DecentralizedMethod::ProxGtSa,
                      DecentralizedMethod::ProxGtSrO, DecentralizedMethod::ProxGtSrE})
    if (name == decentralizedMethodName(method)) return method;
  return std::nullopt;
}

namespace {

AlgorithmEntry entryFor(DecentralizedMethod method, std::string summary) {
  AlgorithmEntry entry;
  entry.name = decentralizedMethodName(method);
  entry.summary = std::move(summary);
  entry.options = withMethodOptions(method);
  entry.liveDriver = true;  // net/families/decentralized: the same node roles on a peer mesh
  // Its restarts take the full local gradient (makeDecentralizedSetup refuses a stream at run start).
  if (method == DecentralizedMethod::ProxGtSrE)
    entry.problemNeeds = {{.capability = ProblemCapability::FiniteDataSet}};
  entry.makeSimRun = [method](const nlohmann::json& params, const SimRunContext& context) {
    return std::make_unique<DecentralizedSimRun>(context, decentralizedRunOptions(method, params, context));
  };
  return entry;
}

}  // namespace

double estimateLocalSmoothness(const Problem& problem, const std::vector<Shard>& shards, const Vector& x,
                               int iterations) {
  double best = 0.0;
  const double epsilon = 1e-4 * (1.0 + x.norm());
  Vector plus, minus, v, hv;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    ProblemOracle oracle(problem, shards[i]);
    RandomStream stream(
        StreamKey{.runSeed = 0x5ca1eULL, .purpose = StreamPurpose::Init, .worker = i, .job = 0});
    v.resize(x.size());
    for (Eigen::Index k = 0; k < v.size(); ++k) v[k] = 1.0 + 0.1 * stream.normal();
    v.normalize();
    double estimate = 0.0;
    for (int it = 0; it < iterations; ++it) {
      oracle.fullGradient(x + epsilon * v, plus);
      oracle.fullGradient(x - epsilon * v, minus);
      hv = (plus - minus) / (2.0 * epsilon);
      estimate = std::abs(v.dot(hv));
      const double norm = hv.norm();
      if (!(norm > 0.0)) break;
      v = hv / norm;
    }
    best = std::max(best, estimate);
    if (shards[i].indices.empty()) break;  // every node sees the same data
  }
  return best;
}

std::vector<AlgorithmEntry> decentralizedAlgorithmEntries() {
  return {
      entryFor(DecentralizedMethod::Dsgd,
               "Decentralized SGD / Prox-DSGD: one gossip round per iteration, prox of h after the step"),
      entryFor(DecentralizedMethod::GtDsgd,
               "Gradient-tracking decentralized SGD (ATC: 2 rounds, CTA: 1 round of 2p)"),
      entryFor(DecentralizedMethod::ProxGtSa,
               "ProxGT-SA: proximal gradient tracking, minibatch estimator, Chebyshev multi-round gossip"),
      entryFor(DecentralizedMethod::ProxGtSrO,
               "ProxGT-SR-O: proximal gradient tracking, SARAH estimator restarted with a large batch"),
      entryFor(
          DecentralizedMethod::ProxGtSrE,
          "ProxGT-SR-E: proximal gradient tracking, SARAH estimator restarted with the full local gradient"),
  };
}

std::vector<ProblemEntry> decentralizedProblemEntries() {
  ProblemEntry entry;
  entry.name = "logistic-p0";
  entry.capabilities = {ProblemCapability::HessianVectorProduct, ProblemCapability::FiniteDataSet};
  entry.summary =
      "decentralized-proxgt P0 (docs/papers.md): heterogeneous synthetic logistic regression, one block per node, "
      "Σ λ₂x²/(1+x²) + λ₁‖x‖₁ (use data.sharding \"contiguous\")";
  entry.options = {
      intOption("nodes", 8, 1, 100000, "Number of data blocks (one per node: set it to workers.count)"),
      intOption("samples_per_node", 400, 1, std::nullopt, "m, samples per block"),
      intOption("features", 20, 1, std::nullopt, "p, number of features"),
      doubleOption("heterogeneity", 0.5, 0.0, std::nullopt, "Node i's truth scale 1 + heterogeneity·i"),
      doubleOption("label_noise", 0.1, 0.0, std::nullopt, "Label noise σ in sign(aᵀw_i + σ·N(0,1))"),
      doubleOption("nonconvex", 1e-3, 0.0, std::nullopt, "λ₂ of Σ x²/(1+x²)"),
      doubleOption("l1", 1e-3, 0.0, std::nullopt, "λ₁ of λ₁‖x‖₁ (handled by the proximal step)"),
      intOption("data_seed", 0, 0, std::nullopt, "Seed of the data; 0 = the run seed"),
  };
  entry.make = [](const nlohmann::json& params,
                  const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    HeterogeneousLogisticOptions data;
    data.numNodes = params.at("nodes").get<int>();
    data.samplesPerNode = params.at("samples_per_node").get<std::int64_t>();
    data.numFeatures = params.at("features").get<std::int64_t>();
    data.heterogeneity = params.at("heterogeneity").get<double>();
    data.labelNoise = params.at("label_noise").get<double>();
    LogisticProblem::Options options;
    options.l2 = 0.0;
    options.nonconvex = params.at("nonconvex").get<double>();
    options.l1 = params.at("l1").get<double>();
    options.batch = 1;
    const auto dataSeed = params.at("data_seed").get<std::uint64_t>();
    Dataset dataset = makeHeterogeneousLogistic(data, dataSeed == 0 ? context.seed : dataSeed);
    if (dataset.numClasses != 2)
      throw InputError(context.path, "the drawn labels have a single class; change data_seed");
    return std::make_unique<LogisticProblem>(dataset, std::nullopt, options);
  };
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext&) {
    const double p = params.at("features").get<double>();
    const double samples = params.at("nodes").get<double>() * params.at("samples_per_node").get<double>();
    // Dense features and a label per sample.
    return ProblemFootprint{.dataBytes = 8.0 * samples * (p + 1.0), .dimension = p};
  };
  // The data is one block per node: with another worker count the blocks and the nodes disagree.
  entry.checkRun = [](const nlohmann::json& params, const ProblemRunShape& run, const std::string& path) {
    const auto nodes = params.at("nodes").get<std::int64_t>();
    if ((run.algorithmFamily == FamilyId::Decentralized || run.sharding == "contiguous") &&
        nodes != run.workers)
      throw InputError(path + ".nodes",
                       "is " + std::to_string(nodes) + " but workers.count is " +
                           std::to_string(run.workers) +
                           ": the data has one block per node, so both must be the same number");
  };
  return {entry};
}

}  // namespace distopt
