#include "core/compressed/compressed_entries.hpp"

#include "core/compressed/compressed_sim_run.hpp"
#include "core/compressed/ef_signsgd.hpp"
#include "core/compressed/qsgd.hpp"
#include "core/compressed/sign_vote.hpp"
#include "core/compressed/sparse_sign_vote.hpp"
#include "core/compressed/sync_sgd.hpp"
#include "core/compressed/topk_ef.hpp"
#include "core/problems/problem_params.hpp"
#include "core/registry/enum_option.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// The choices of the options below: each table gives the spelling the file uses and what it sets.
const EnumTable<StepSchedule::Kind>& stepKinds() {
  static const EnumTable<StepSchedule::Kind> table{
      {"constant", StepSchedule::Kind::Constant, "γ every round"},
      {"inverse_time", StepSchedule::Kind::InverseTime, "γ·τ/(t + τ) (mem-SGD)"},
      {"step", StepSchedule::Kind::Step, "÷10 at 50% and ÷100 at 75% of stop.updates"}};
  return table;
}

const EnumTable<TopKScope>& scopes() {
  static const EnumTable<TopKScope> table{
      {"per_tensor", TopKScope::PerTensor, "each tensor (layer) on its own"},
      {"global", TopKScope::Global, "the whole vector at once"}};
  return table;
}

const EnumTable<IndexCodec>& indexCodecs() {
  static const EnumTable<IndexCodec> table{
      {indexCodecName(IndexCodec::Auto), IndexCodec::Auto,
       "the exactly-smallest of rawb, bitmap, gamma, rice"},
      {indexCodecName(IndexCodec::Raw32), IndexCodec::Raw32, "32 bits per index"},
      {indexCodecName(IndexCodec::RawB), IndexCodec::RawB, "ceil(log2 N) bits per index"},
      {indexCodecName(IndexCodec::Bitmap), IndexCodec::Bitmap, "one bit per coordinate"},
      {indexCodecName(IndexCodec::Gamma), IndexCodec::Gamma, "Elias-gamma coded gaps"},
      {indexCodecName(IndexCodec::Rice), IndexCodec::Rice, "Rice coded gaps, best parameter"}};
  return table;
}

const EnumTable<TieRule>& tieRules() {
  static const EnumTable<TieRule> table{{"plus", TieRule::Plus, "+1 (reference code)"},
                                        {"zero", TieRule::Zero, "0 (ternary downlink)"},
                                        {"random", TieRule::Random, "hashed ±1"}};
  return table;
}

const EnumTable<KRule>& kRules() {
  static const EnumTable<KRule> table{{"fraction", KRule::Fraction, "K from rho"},
                                      {"coverage", KRule::Coverage, "K = ceil(c·N/M)"},
                                      {"absolute", KRule::Absolute, "K = k"}};
  return table;
}

// Two-way choices that set a flag: {spelling of false, spelling of true}.
EnumTable<bool> flagChoices(const char* no, const char* noHelp, const char* yes, const char* yesHelp) {
  return EnumTable<bool>{{no, false, noHelp}, {yes, true, yesHelp}};
}

const EnumTable<bool>& randomSelect() {
  static const EnumTable<bool> table =
      flagChoices("top", "the K largest magnitudes", "rand", "K uniform coordinates (no memory)");
  return table;
}

const EnumTable<bool>& averageBySenders() {
  static const EnumTable<bool> table =
      flagChoices("M", "divide sums by M", "senders", "divide each coordinate by its senders");
  return table;
}

const EnumTable<bool>& serverEf() {
  static const EnumTable<bool> table =
      flagChoices("dense", "dense float32 mean", "ef", "server-side error-feedback scaled signs");
  return table;
}

const EnumTable<bool>& maxNorm() {
  static const EnumTable<bool> table = flagChoices("l2", "‖·‖₂ of the bucket", "max", "‖·‖∞ of the bucket");
  return table;
}

const EnumTable<QsgdCodec>& qsgdCodecs() {
  static const EnumTable<QsgdCodec> table{{"auto", QsgdCodec::Auto, "the smaller of dense and elias"},
                                          {"dense", QsgdCodec::Dense, "fixed-width levels"},
                                          {"elias", QsgdCodec::Elias, "Elias-coded levels"}};
  return table;
}

std::vector<OptionSpec> stepOptions(double defaultGamma) {
  OptionSpec gamma =
      doubleOption("gamma", defaultGamma, 0.0, std::nullopt, "Step size γ (γ_0 for decaying schedules)");
  gamma.minExclusive = true;
  OptionSpec tau = doubleOption("lr_tau", 1.0, 0.0, std::nullopt, "inverse_time schedule: γ_t = γ·τ/(t + τ)");
  tau.minExclusive = true;
  return {
      gamma,
      stepKinds().option(
          "lr_schedule", StepSchedule::Kind::Constant,
          "constant; inverse_time γ·τ/(t+τ) (mem-SGD); step: ÷10 at 50% and ÷100 at 75% of stop.updates"),
      tau,
      intOption(
          "r_sync", 100, 0, std::nullopt,
          "Every R rounds each worker sends its replica's 64-bit hash (0 = never; counted as HASH bytes)")};
}

std::vector<OptionSpec> serverOptions() {
  OptionSpec mu = doubleOption("mu", 0.0, 0.0, 1.0, "Server momentum μ in [0, 1) (Shared Apply)");
  return {mu, doubleOption("lambda", 0.0, 0.0, std::nullopt, "Weight decay λ")};
}

OptionSpec rhoOption(std::int64_t defaultPpm) {
  return intOption("rho", defaultPpm, 1, 1000000,
                   "K/N in parts per million (100000 = 10%); K_l = ceil(N_l·rho/1e6)");
}

OptionSpec scopeOption(const char* help) { return scopes().option("scope", TopKScope::PerTensor, help); }

OptionSpec indexCodecOption() {
  return indexCodecs().option(
      "index_codec", IndexCodec::Auto,
      "Uplink index codec (docs/papers.md, compressed-sgd §3.5); auto sends the exactly-smallest of rawb, bitmap, gamma, rice");
}

std::vector<OptionSpec> join(std::vector<std::vector<OptionSpec>> parts) {
  std::vector<OptionSpec> all;
  for (auto& part : parts)
    for (auto& spec : part) all.push_back(std::move(spec));
  return all;
}

StepSchedule stepFrom(const nlohmann::json& params, const SimRunContext& context) {
  StepSchedule step;
  step.gamma = params.at("gamma").get<double>();
  step.kind = stepKinds().parse(params, "lr_schedule", context.path);
  step.tau = params.at("lr_tau").get<double>();
  step.totalRounds = context.options.maxUpdates;
  return step;
}

TopKScope scopeFrom(const nlohmann::json& params, const std::string& path) {
  return scopes().parse(params, "scope", path);
}

AlgorithmEntry entry(std::string name, std::string summary, std::vector<OptionSpec> options) {
  AlgorithmEntry e;
  e.name = name;
  e.summary = std::move(summary);
  e.liveDriver = true;  // net/families/compressed
  e.options = std::move(options);
  e.makeSimRun = [name](const nlohmann::json& params,
                        const SimRunContext& context) -> std::unique_ptr<SimRun> {
    const CompressedMethod method = makeCompressedMethod(name, params, context);
    return std::make_unique<CompressedSimRun>(method, context, params.at("r_sync").get<std::uint64_t>());
  };
  return e;
}

}  // namespace

CompressedMethod makeCompressedMethod(const std::string& name, const nlohmann::json& params,
                                      const SimRunContext& context) {
  const std::string& path = context.path;
  const Vector& x0 = context.x0;
  const int workers = context.numWorkers;
  const SegmentLayout layout = segmentLayoutOf(*context.problem);
  if (x0.size() > 0xFFFFFFFEll) throw InputError(path, "compressed methods support N < 2^32 parameters");
  if (name == "sgd") {
    SyncSgdOptions o;
    o.step = stepFrom(params, context);
    o.mu = params.at("mu").get<double>();
    o.lambda = params.at("lambda").get<double>();
    requireValid(o, path);
    return makeSyncSgd(o, workers, x0);
  }
  if (name == "signsgd-mv" || name == "signum-mv") {
    SignVoteOptions o;
    o.step = stepFrom(params, context);
    o.beta = name == "signum-mv" ? params.at("beta").get<double>() : 0.0;
    o.lambda = params.at("lambda").get<double>();
    o.tieRule = tieRules().parse(params, "tie_rule", path);
    o.seed = context.options.seed;
    o.byzantine = params.at("byzantine").get<int>();
    requireValid(o, path);
    if (o.byzantine > workers) throw InputError(path + ".byzantine", "must be <= the number of workers");
    return makeSignVote(name, o, workers, x0);
  }
  if (name == "sparse-signsgd-mv") {
    SparseSignVoteOptions o;
    o.kRule = kRules().parse(params, "k_rule", path);
    o.rhoPpm = params.at("rho").get<std::uint64_t>();
    o.coverage = params.at("c").get<double>();
    o.k = params.at("k").get<std::uint64_t>();
    o.scope = scopeFrom(params, path);
    o.alpha = params.at("alpha").get<double>();
    o.randomSelect = randomSelect().parse(params, "select", path);
    o.step = stepFrom(params, context);
    o.mu = params.at("mu").get<double>();
    o.lambda = params.at("lambda").get<double>();
    o.indexCodec = indexCodecs().parse(params, "index_codec", path);
    o.seed = context.options.seed;
    requireValid(o, path);
    return makeSparseSignVote(o, layout, workers, x0);
  }
  if (name == "topk-ef") {
    TopKEfOptions o;
    o.rhoPpm = params.at("rho").get<std::uint64_t>();
    o.scope = scopeFrom(params, path);
    o.alpha = params.at("alpha").get<double>();
    o.lrInMemory = params.at("lr_in_memory").get<bool>();
    o.averageBySenders = averageBySenders().parse(params, "avg", path);
    o.step = stepFrom(params, context);
    o.mu = params.at("mu").get<double>();
    o.lambda = params.at("lambda").get<double>();
    o.indexCodec = indexCodecs().parse(params, "index_codec", path);
    requireValid(o, path);
    return makeTopKEf(o, layout, workers, x0);
  }
  if (name == "ef-signsgd") {
    EfSignSgdOptions o;
    o.step = stepFrom(params, context);
    o.beta = params.at("beta").get<double>();
    o.lambda = params.at("lambda").get<double>();
    o.scope = scopeFrom(params, path);
    o.serverEf = serverEf().parse(params, "downlink", path);
    requireValid(o, path);
    return makeEfSignSgd(o, layout, workers, x0);
  }
  if (name == "qsgd") {
    QsgdOptions o;
    o.s = params.at("s").get<std::uint32_t>();
    o.bucket = params.at("bucket").get<std::uint64_t>();
    o.maxNorm = maxNorm().parse(params, "norm", path);
    o.codec = qsgdCodecs().parse(params, "codec", path);
    o.step = stepFrom(params, context);
    o.mu = params.at("mu").get<double>();
    o.lambda = params.at("lambda").get<double>();
    o.seed = context.options.seed;
    requireValid(o, path);
    return makeQsgd(o, workers, x0);
  }
  throw InputError("algorithm.name", "not a compressed method: " + name);
}

std::vector<AlgorithmEntry> compressedAlgorithmEntries() {
  const OptionSpec tieRule =
      tieRules().option("tie_rule", TieRule::Plus,
                        "Vote ties (even M): +1 (reference code), 0 (ternary downlink), or hashed ±1");
  const OptionSpec byzantine = intOption("byzantine", 0, 0, std::nullopt,
                                         "Workers 0..B−1 send inverted signs (compressed-sgd E2 robustness check, docs/papers.md)");
  const OptionSpec alpha =
      doubleOption("alpha", 1.0, 0.0, 1.0, "Memory/residual factor (1 = full memory, 0 = none)");
  return {
      entry("sgd", "Synchronous SGD: dense float32 gradients up, dense mean down (32N bits each way)",
            join({stepOptions(0.05), serverOptions()})),
      entry("signsgd-mv", "signSGD with majority vote: 1 bit per coordinate up and down",
            join({stepOptions(1e-3),
                  {doubleOption("lambda", 0.0, 0.0, std::nullopt, "Weight decay λ (after the vote)"), tieRule,
                   byzantine}})),
      entry("signum-mv", "Signum with majority vote: worker momentum, then signSGD-MV",
            join({stepOptions(1e-3),
                  {doubleOption("beta", 0.9, 0.0, 1.0, "Worker momentum β in [0, 1)"),
                   doubleOption("lambda", 0.0, 0.0, std::nullopt, "Weight decay λ (after the vote)"), tieRule,
                   byzantine}})),
      entry("sparse-signsgd-mv",
            "S³GD-MV: top-K signs (with residual) up, majority vote of the sparse signs down as a ternary "
            "vector",
            join({{kRules().option("k_rule", KRule::Fraction,
                                   "K from rho (fraction), ceil(c·N/M) (coverage) or k (absolute)"),
                   rhoOption(100000),
                   doubleOption("c", 1.0, 0.0, std::nullopt, "Coverage multiplier c (k_rule coverage)"),
                   intOption("k", 1, 1, std::nullopt, "K (k_rule absolute), spread over segments"),
                   scopeOption("Top-K per tensor (layer) or over the whole vector"), alpha,
                   randomSelect().option("select", false,
                                         "Top-K by magnitude, or K uniform coordinates (no memory)")},
                  stepOptions(1e-3),
                  serverOptions(),
                  {indexCodecOption()}})),
      entry("topk-ef", "Top-K sparsification with error feedback (mem-SGD): K float32 values up",
            join({{rhoOption(10000),
                   scopeOption("Top-K per tensor (layer) or over the whole vector"),
                   alpha,
                   {.name = "lr_in_memory",
                    .type = OptionType::Bool,
                    .defaultValue = true,
                    .help =
                        "Memory holds γ-scaled values (Stich) or raw gradients with γ applied by the server"},
                   averageBySenders().option("avg", false,
                                             "Divide sums by M, or per coordinate by its senders")},
                  stepOptions(0.05),
                  serverOptions(),
                  {indexCodecOption()}})),
      entry("ef-signsgd", "EF-signSGD: scaled signs with error feedback (32L + N bits up)",
            join({stepOptions(0.05),
                  {doubleOption("beta", 0.0, 0.0, 1.0, "Worker momentum β in [0, 1)"),
                   doubleOption("lambda", 0.0, 0.0, std::nullopt, "Weight decay λ folded into the gradient"),
                   scopeOption("One scale per tensor (layer) or one for the whole vector"),
                   serverEf().option("downlink", false,
                                     "Dense float32 mean, or server-side EF scaled signs")}})),
      entry("qsgd", "QSGD: stochastic quantisation to s levels per bucket, Elias or dense coding",
            join({{intOption("s", 4, 1, 32768, "Quantisation levels s"),
                   intOption("bucket", 128, 1, std::nullopt, "Bucket size d"),
                   maxNorm().option("norm", false, "Bucket norm"),
                   qsgdCodecs().option("codec", QsgdCodec::Auto, "QSGD codec (auto = smaller)")},
                  stepOptions(0.05),
                  serverOptions()})),
  };
}

}  // namespace distopt
