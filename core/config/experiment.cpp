#include "core/config/experiment.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/config/memory_estimate.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

constexpr std::uint64_t kMaxWorkers = 1'000'000;

/// Line and column (1-based) of a byte offset, for parse errors.
std::pair<std::size_t, std::size_t> lineColumn(const std::string& text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

/// Checks that `object` has only `allowed` keys.
void requireKeys(const nlohmann::json& object, const std::string& path, const std::vector<std::string>& allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const auto& key : allowed) known = known || key == it.key();
    if (!known) {
      std::string list;
      for (const auto& key : allowed) list += (list.empty() ? "" : ", ") + key;
      throw InputError(path.empty() ? it.key() : path + "." + it.key(), "unknown field (known: " + list + ")");
    }
  }
}

const nlohmann::json& objectAt(const nlohmann::json& parent, const std::string& key, const std::string& path) {
  if (!parent.contains(key)) throw InputError(path, "is required");
  const auto& value = parent.at(key);
  if (!value.is_object()) throw InputError(path, "must be an object");
  return value;
}

std::string stringAt(const nlohmann::json& parent, const std::string& key, const std::string& path,
                     const std::optional<std::string>& fallback = std::nullopt) {
  if (!parent.contains(key)) {
    if (fallback) return *fallback;
    throw InputError(path, "is required");
  }
  if (!parent.at(key).is_string()) throw InputError(path, "must be a string");
  return parent.at(key).get<std::string>();
}

double numberAt(const nlohmann::json& parent, const std::string& key, const std::string& path, double fallback,
                double minValue, bool exclusive) {
  if (!parent.contains(key) || parent.at(key).is_null()) return fallback;
  const auto& value = parent.at(key);
  const bool ok = value.is_number() && std::isfinite(value.get<double>()) &&
                  (exclusive ? value.get<double>() > minValue : value.get<double>() >= minValue);
  if (!ok) {
    std::ostringstream text;
    text << "must be a number " << (exclusive ? "> " : ">= ") << minValue;
    throw InputError(path, text.str());
  }
  return value.get<double>();
}

std::optional<double> optionalPositive(const nlohmann::json& parent, const std::string& key, const std::string& path) {
  if (!parent.contains(key) || parent.at(key).is_null()) return std::nullopt;
  return numberAt(parent, key, path, 0.0, 0.0, true);
}

/// An integer field read exactly (exactUint64) within [minValue, maxValue]: 18446744073709551615 is that
/// number, 1e19 (a float past 2^53) and 2.5 are refused, never rounded or wrapped into another value.
std::uint64_t countAt(const nlohmann::json& parent, const std::string& key, const std::string& path,
                      std::uint64_t fallback, std::uint64_t minValue,
                      std::uint64_t maxValue = std::numeric_limits<std::uint64_t>::max()) {
  if (!parent.contains(key) || parent.at(key).is_null()) return fallback;
  const auto value = exactUint64(parent.at(key));
  if (!value || *value < minValue || *value > maxValue)
    throw InputError(path, "must be an integer >= " + std::to_string(minValue) +
                               " and <= " + std::to_string(maxValue) +
                               " (written exactly: no fraction, no float beyond 2^53)");
  return *value;
}

/// A string field that must be one of `choices`: a bad one is refused naming the value and the choices.
std::string choiceAt(const nlohmann::json& parent, const std::string& key, const std::string& path,
                     const std::string& fallback, const std::vector<std::string>& choices) {
  const std::string value = stringAt(parent, key, path, fallback);
  for (const auto& choice : choices)
    if (value == choice) return value;
  throw InputError(path, enumRefusal(parent.at(key), choices));
}

bool boolAt(const nlohmann::json& parent, const std::string& key, const std::string& path, bool fallback) {
  if (!parent.contains(key)) return fallback;
  if (!parent.at(key).is_boolean()) throw InputError(path, "must be true or false");
  return parent.at(key).get<bool>();
}

/// Validates {"name": ..., "params": {...}} against a registry entry's options.
template <typename Entry>
ComponentChoice parseComponent(const nlohmann::json& parent, const std::string& key, const std::string& path,
                               const Entry* (*find)(const std::string&), const std::string& knownNames) {
  const auto& object = objectAt(parent, key, path);
  requireKeys(object, path, {"name", "params"});
  ComponentChoice choice;
  choice.name = stringAt(object, "name", path + ".name");
  const Entry* entry = find(choice.name);
  if (!entry) throw InputError(path + ".name", "unknown name \"" + choice.name + "\" (known: " + knownNames + ")");
  choice.params = object.contains("params") ? object.at("params") : nlohmann::json::object();
  std::string why;
  if (!validateAndFillOptions(entry->options, choice.params, path + ".params", &why)) {
    const auto colon = why.find(": ");
    throw InputError(why.substr(0, colon), why.substr(colon + 2));
  }
  return choice;
}

nlohmann::json parseValue(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return nlohmann::json(text);
  return parsed;
}

}  // namespace

nlohmann::json readExperimentFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the experiment file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseExperimentText(buffer.str(), path);
}

nlohmann::json parseExperimentText(const std::string& text, const std::string& path) {
  try {
    auto document = nlohmann::json::parse(text);
    if (!document.is_object()) throw InputError(path, "an experiment file must hold one JSON object");
    return document;
  } catch (const nlohmann::json::parse_error& error) {
    const auto [line, column] = lineColumn(text, error.byte > 0 ? error.byte - 1 : 0);
    std::string message = error.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L, column C: "; keep the reason.
    const auto reason = message.find(": ");
    if (reason != std::string::npos) message = message.substr(reason + 2);
    throw InputError(path + ":" + std::to_string(line) + ":" + std::to_string(column), "invalid JSON: " + message);
  } catch (const nlohmann::json::exception& error) {
    // A number beyond double's range (1e999) is out_of_range.406, which carries no position.
    std::string message = error.what();
    const auto reason = message.find("] ");
    if (reason != std::string::npos) message = message.substr(reason + 2);
    throw InputError(path, "invalid JSON: " + message);
  }
}

void applyOverride(nlohmann::json& document, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError("--set " + assignment, "expected PATH=VALUE, e.g. algorithm.params.gamma=0.04");
  // A file's text is checked by the JSON parser; a command line is not, and a name or key that is not
  // UTF-8 would make every later dump of the document (run store, summary) throw.
  try {
    (void)nlohmann::json(assignment).dump();
  } catch (const nlohmann::json::exception&) {
    throw InputError("--set", "the assignment is not valid UTF-8 text");
  }
  const std::string path = assignment.substr(0, equals);
  const std::string value = assignment.substr(equals + 1);
  nlohmann::json* node = &document;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw InputError("--set " + assignment, "empty field name in \"" + path + "\"");
    // A list is entered by index (workers.hosts.0.count): an element that exists, never a new one, so a
    // mistyped index cannot grow a list with an element that is half there.
    if (node->is_array()) {
      const std::string list = path.substr(0, start - 1);
      const bool digits = key.size() <= 9 && key.find_first_not_of("0123456789") == std::string::npos;
      const std::size_t index = digits ? std::stoul(key) : 0;
      if (!digits || index >= node->size())
        throw InputError(
            "--set " + assignment,
            "\"" + list + "\" is a list of " + std::to_string(node->size()) + "; \"" + key +
                "\" is not an index in it" +
                (node->empty() ? std::string() : " (0 to " + std::to_string(node->size() - 1) + ")"));
      node = &(*node)[index];
      if (dot == std::string::npos) break;
      start = dot + 1;
      continue;
    }
    if (!node->is_object()) {
      if (!node->is_null())
        throw InputError("--set " + assignment, "\"" + path.substr(0, start - 1) + "\" is not an object");
      *node = nlohmann::json::object();
    }
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  *node = parseValue(value);
}

Experiment parseExperiment(nlohmann::json document, const std::string& baseDirectory,
                           const MemoryLimits& memory) {
  if (!document.is_object()) throw InputError("", "an experiment must be a JSON object");
  requireKeys(document, "",
              {"name", "description", "seed", "engine", "problem", "data", "algorithm", "workers", "stop", "eval",
               "events"});
  Experiment experiment;
  experiment.baseDirectory = baseDirectory.empty() ? "." : baseDirectory;
  experiment.name = stringAt(document, "name", "name", std::string("experiment"));
  experiment.description = stringAt(document, "description", "description", std::string());
  experiment.seed = countAt(document, "seed", "seed", 1, 0);
  experiment.engine = choiceAt(document, "engine", "engine", "live", {"sim", "live"});
  // What the run keeps of its update events (core/telemetry/run_digest.hpp); read back from the document.
  const std::string events = choiceAt(document, "events", "events", eventLogName(EventLog::Aggregates),
                                      {eventLogName(EventLog::Aggregates), eventLogName(EventLog::Full)});

  experiment.problem = parseComponent<ProblemEntry>(document, "problem", "problem", &findProblem, problemNames());
  experiment.algorithm =
      parseComponent<AlgorithmEntry>(document, "algorithm", "algorithm", &findAlgorithm, algorithmNames());
  // What the algorithm needs of the problem, before anything is built (the kind of problem, not its size).
  checkProblemNeeds(*findAlgorithm(experiment.algorithm.name), experiment.algorithm.params,
                    *findProblem(experiment.problem.name));
  if (experiment.engine == "live" && !findAlgorithm(experiment.algorithm.name)->runsLive())
    throw InputError("engine", "algorithm \"" + experiment.algorithm.name +
                                   "\" runs in the simulator only so far; set \"engine\": \"sim\"");

  if (document.contains("data")) {
    const auto& data = objectAt(document, "data", "data");
    requireKeys(data, "data", {"sharding"});
    experiment.sharding = choiceAt(data, "sharding", "data.sharding", "iid", shardRuleNames());
  }

  const auto& workers = objectAt(document, "workers", "workers");
  requireKeys(workers, "workers", {"count", "time_model", "unit_ms", "hosts", "launcher", "slurm"});
  if (!workers.contains("count") || workers.at("count").is_null())
    throw InputError("workers.count", "is required (an integer >= 1)");
  const auto count = countAt(workers, "count", "workers.count", 0, 1, kMaxWorkers);
  experiment.workers = static_cast<int>(count);
  if (workers.contains("time_model")) {
    experiment.timeModel =
        parseComponent<TimeModelEntry>(workers, "time_model", "workers.time_model", &findTimeModel, timeModelNames());
  } else {
    nlohmann::json implicit = {{"time_model", {{"name", "natural"}}}};
    experiment.timeModel =
        parseComponent<TimeModelEntry>(implicit, "time_model", "workers.time_model", &findTimeModel, timeModelNames());
  }
  experiment.unitMs = numberAt(workers, "unit_ms", "workers.unit_ms", 10.0, 1.0, false);
  if (workers.contains("hosts")) {
    const auto& hosts = workers["hosts"];
    if (!hosts.is_array()) throw InputError("workers.hosts", "must be a list of {\"host\", \"count\", \"program\"}");
    int remote = 0;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      const std::string path = "workers.hosts[" + std::to_string(i) + "]";
      if (!hosts[i].is_object()) throw InputError(path, "must be an object {\"host\", \"count\", \"program\"}");
      requireKeys(hosts[i], path, {"host", "count", "program"});
      RemoteHost host;
      host.host = stringAt(hosts[i], "host", path + ".host");
      // The destination goes to ssh as one argument: an option or a space in it is never meant.
      if (host.host.empty() || host.host.front() == '-' ||
          host.host.find_first_of(" \t\n'\"\\;") != std::string::npos)
        throw InputError(path + ".host", "must be an ssh destination such as \"box\" or \"user@box\"");
      host.count = static_cast<int>(countAt(hosts[i], "count", path + ".count", 1, 1, kMaxWorkers));
      host.program = stringAt(hosts[i], "program", path + ".program", "distopt-worker");
      if (host.program.empty() || host.program.find_first_of("'\n") != std::string::npos)
        throw InputError(path + ".program", "must be a program path without quotes or newlines");
      remote += host.count;
      experiment.hosts.push_back(std::move(host));
    }
    if (remote > experiment.workers)
      throw InputError("workers.hosts", std::to_string(remote) + " workers on other hosts but workers.count is " +
                                            std::to_string(experiment.workers));
  }
  experiment.launcher =
      choiceAt(workers, "launcher", "workers.launcher", kLocalLauncher, {kLocalLauncher, kSlurmLauncher});
  if (experiment.launcher == kSlurmLauncher) {
    if (!experiment.hosts.empty())
      throw InputError("workers.hosts",
                       "starts workers through ssh; with \"launcher\": \"slurm\" srun starts "
                       "them all (leave hosts out)");
    experiment.slurm = parseSlurmLaunch(workers.contains("slurm") ? workers.at("slurm") : nlohmann::json(),
                                        "workers.slurm", experiment.workers);
  } else if (workers.contains("slurm")) {
    throw InputError("workers.slurm", "is read only with \"launcher\": \"slurm\"");
  }

  if (!document.contains("stop")) throw InputError("stop", "is required (a time, update limit or target)");
  const auto& stop = objectAt(document, "stop", "stop");
  requireKeys(stop, "stop", {"time", "updates", "bytes", "gradients", "target_gap", "target_grad_norm_sq"});
  experiment.stopTime = optionalPositive(stop, "time", "stop.time");
  experiment.stopUpdates = countAt(stop, "updates", "stop.updates", 0, 0);
  experiment.stopBytes = countAt(stop, "bytes", "stop.bytes", 0, 0);
  experiment.stopGradients = countAt(stop, "gradients", "stop.gradients", 0, 0);
  experiment.targetGap = optionalPositive(stop, "target_gap", "stop.target_gap");
  experiment.targetGradNormSq = optionalPositive(stop, "target_grad_norm_sq", "stop.target_grad_norm_sq");
  if (!experiment.stopTime && experiment.stopUpdates == 0 && experiment.stopBytes == 0 &&
      experiment.stopGradients == 0 && !experiment.targetGap && !experiment.targetGradNormSq)
    throw InputError("stop", "needs at least one of time, updates, bytes, gradients, target_gap, target_grad_norm_sq");

  if (document.contains("eval")) {
    const auto& eval = objectAt(document, "eval", "eval");
    requireKeys(eval, "eval", {"interval", "every_updates", "grad_norm", "accuracy"});
    experiment.evalInterval = numberAt(eval, "interval", "eval.interval", 0.0, 0.0, false);
    experiment.evalEveryUpdates = countAt(eval, "every_updates", "eval.every_updates", 0, 0);
    experiment.evalGradNorm = boolAt(eval, "grad_norm", "eval.grad_norm", true);
    experiment.evalAccuracy = boolAt(eval, "accuracy", "eval.accuracy", true);
  }
  if (experiment.evalInterval == 0.0 && experiment.evalEveryUpdates == 0) {
    // Without a schedule there would be no curve: default to ~200 points over the time budget.
    if (experiment.stopTime) experiment.evalInterval = *experiment.stopTime / 200.0;
    else experiment.evalEveryUpdates = std::max<std::uint64_t>(1, experiment.stopUpdates / 200);
  }

  // The normalised document: what was run, with every default spelled out.
  nlohmann::json normal = {
      {"name", experiment.name},
      {"description", experiment.description},
      {"seed", experiment.seed},
      {"engine", experiment.engine},
      {"problem", {{"name", experiment.problem.name}, {"params", experiment.problem.params}}},
      {"data", {{"sharding", experiment.sharding}}},
      {"algorithm", {{"name", experiment.algorithm.name}, {"params", experiment.algorithm.params}}},
      {"workers",
       {{"count", experiment.workers},
        {"time_model", {{"name", experiment.timeModel.name}, {"params", experiment.timeModel.params}}},
        {"unit_ms", experiment.unitMs}}},
      {"stop",
       {{"time", experiment.stopTime ? nlohmann::json(*experiment.stopTime) : nlohmann::json()},
        {"updates", experiment.stopUpdates},
        {"target_gap", experiment.targetGap ? nlohmann::json(*experiment.targetGap) : nlohmann::json()},
        {"target_grad_norm_sq",
         experiment.targetGradNormSq ? nlohmann::json(*experiment.targetGradNormSq) : nlohmann::json()}}},
      {"eval",
       {{"interval", experiment.evalInterval},
        {"every_updates", experiment.evalEveryUpdates},
        {"grad_norm", experiment.evalGradNorm},
        {"accuracy", experiment.evalAccuracy}}}};
  // Only when asked for: documents of runs that keep the default read as they always did.
  if (events != "aggregates") normal["events"] = events;
  // Only when set, as events: the documents of runs without these budgets read as they always did.
  if (experiment.stopBytes > 0) normal["stop"]["bytes"] = experiment.stopBytes;
  if (experiment.stopGradients > 0) normal["stop"]["gradients"] = experiment.stopGradients;
  experiment.document = std::move(normal);
  if (!experiment.hosts.empty()) {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& host : experiment.hosts)
      hosts.push_back({{"host", host.host}, {"count", host.count}, {"program", host.program}});
    experiment.document["workers"]["hosts"] = hosts;
  }
  // Only when asked for, as hosts: the documents of local runs read as they always did.
  if (experiment.launcher == kSlurmLauncher) {
    experiment.document["workers"]["launcher"] = experiment.launcher;
    experiment.document["workers"]["slurm"] = slurmLaunchJson(experiment.slurm);
  }

  // Last, with every field read: what must agree across sections, and what the machine can hold.
  const ProblemEntry* problem = findProblem(experiment.problem.name);
  if (problem->checkRun)
    problem->checkRun(experiment.problem.params,
                      ProblemRunShape{.workers = experiment.workers,
                                      .sharding = experiment.sharding,
                                      .algorithmFamily = findAlgorithm(experiment.algorithm.name)->family},
                      "problem.params");
  if (problem->footprint) {
    const ProblemBuildContext context{.baseDirectory = experiment.baseDirectory, .seed = experiment.seed};
    requireMemoryFits(experiment, problem->footprint(experiment.problem.params, context), memory);
  }
  return experiment;
}

Workload buildWorkload(const Experiment& experiment) {
  const ProblemEntry* problemEntry = findProblem(experiment.problem.name);
  const TimeModelEntry* timeEntry = findTimeModel(experiment.timeModel.name);
  if (!problemEntry || !timeEntry) throw InputError("", "experiment was not parsed by parseExperiment");
  Workload workload;
  ProblemBuildContext problemContext{.baseDirectory = experiment.baseDirectory, .seed = experiment.seed};
  workload.problem = problemEntry->make(experiment.problem.params, problemContext);
  workload.shards = makeShards(*workload.problem, experiment.workers, *shardRuleFromName(experiment.sharding),
                               experiment.seed, "data.sharding");
  workload.timeModel = timeEntry->make(experiment.timeModel.params, experiment.workers, experiment.seed,
                                       "workers.time_model.params");
  return workload;
}

BuiltRun buildRun(const Experiment& experiment) {
  const AlgorithmEntry* algorithmEntry = findAlgorithm(experiment.algorithm.name);
  if (!algorithmEntry) throw InputError("algorithm.name", "experiment was not parsed by parseExperiment");
  Workload workload = buildWorkload(experiment);
  BuiltRun run;
  run.problem = std::move(workload.problem);
  run.shards = std::move(workload.shards);
  run.timeModel = std::move(workload.timeModel);

  RandomStream initStream(StreamKey{.runSeed = experiment.seed, .purpose = StreamPurpose::Init,
                                    .worker = StreamKey::kNoWorker, .job = 0});
  AlgorithmBuildContext algorithmContext;
  algorithmContext.numWorkers = experiment.workers;
  algorithmContext.x0 = run.problem->initialPoint(initStream);
  algorithmContext.smoothness = run.problem->smoothness();
  algorithmContext.sigma2 = run.problem->gradientVariance();
  algorithmContext.epsilon = experiment.targetGradNormSq;
  algorithmContext.nominalTimes = nominalTimes(*run.timeModel);
  RunRules& sim = run.rules;
  sim.horizon = experiment.stopTime.value_or(std::numeric_limits<double>::infinity());
  sim.maxUpdates = experiment.stopUpdates;
  sim.maxBytes = experiment.stopBytes;
  sim.maxGradients = experiment.stopGradients;
  sim.targetGap = experiment.targetGap;
  sim.targetGradNormSq = experiment.targetGradNormSq;
  sim.evalInterval = experiment.evalInterval;
  sim.evalEveryUpdates = experiment.evalEveryUpdates;
  sim.evalGradNorm = experiment.evalGradNorm;
  sim.evalAccuracy = experiment.evalAccuracy;
  sim.seed = experiment.seed;
  if (experiment.targetGap && !run.problem->optimalValue())
    throw InputError("stop.target_gap", "problem \"" + experiment.problem.name +
                                            "\" does not know f*; use target_grad_norm_sq instead");
  requireValid(sim, "stop");
  run.familyContext = SimRunContext{.problem = run.problem.get(),
                                    .shards = std::make_shared<const std::vector<Shard>>(run.shards),
                                    .timeModel = run.timeModel.get(),
                                    .numWorkers = experiment.workers,
                                    .x0 = algorithmContext.x0,
                                    .options = sim};
  if (algorithmEntry->make) {
    run.server = algorithmEntry->make(experiment.algorithm.params, algorithmContext);
    // The family's fast path (its roles on the virtual network, without the messages).
    if (experiment.engine == "sim") run.simRun = std::make_unique<SimEngine>(run.familyContext, *run.server);
  } else if (experiment.engine == "sim") {
    // A live run builds its roles in its family's driver (which validates the same options before
    // any worker starts); a simulated one is built here.
    run.simRun = algorithmEntry->makeSimRun(experiment.algorithm.params, run.familyContext);
  }
  return run;
}

}  // namespace distopt
