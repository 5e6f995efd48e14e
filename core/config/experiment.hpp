#pragma once
// The experiment file (JSON): everything needed to reproduce a run. Parsing validates every field
// against the registry's option metadata and fills defaults, before anything is built or started; a
// bad file is refused with an InputError naming the field path, e.g.
// `algorithm.params.R: must be an integer >= 1 or "inf"`.
//
// {
//   "name": "quickstart", "description": "...", "seed": 1, "engine": "sim" | "live",
//   "problem":   {"name": "quadratic", "params": {...}},
//   "data":      {"sharding": "iid" | "contiguous" | "non-iid-label"},
//   "algorithm": {"name": "ringmaster", "params": {...}},
//   "workers":   {"count": 32, "time_model": {"name": "ringmaster", "params": {...}}, "unit_ms": 10,
//                 "hosts": [{"host", "count", "program"}], "launcher": "local" | "slurm", "slurm": {...}},
//   "stop":      {"time": 2000, "updates": 0, "target_gap": 1e-3, "target_grad_norm_sq": null},
//   "eval":      {"interval": 10, "every_updates": 0, "grad_norm": true, "accuracy": true}
// }

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/async_sgd/server.hpp"
#include "core/config/memory_estimate.hpp"
#include "core/config/slurm_launch.hpp"
#include "core/problems/problem.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/sim/sim_run.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

struct ComponentChoice {
  std::string name;
  nlohmann::json params;  ///< validated, defaults filled
};

/// Workers the coordinator starts on another machine through ssh (`workers.hosts`).
struct RemoteHost {
  std::string host;                        ///< an ssh destination: "box", "user@box", a Host alias
  int count = 1;                           ///< workers to start there
  std::string program = "distopt-worker";  ///< the worker program on that machine
};

struct Experiment {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::string engine = "live";          ///< "sim" or "live"
  ComponentChoice problem;
  std::string sharding = "iid";         ///< "iid" or "label"
  ComponentChoice algorithm;
  int workers = 1;
  ComponentChoice timeModel;
  double unitMs = 10.0;                 ///< live: milliseconds per time unit
  /// Live: workers started through ssh, taking the last worker ids; the rest start on this machine.
  std::vector<RemoteHost> hosts;
  /// Live: "local" (this machine, and workers.hosts through ssh) or "slurm" (every worker in one srun
  /// step, as `slurm` says; core/config/slurm_launch.hpp).
  std::string launcher = kLocalLauncher;
  SlurmLaunch slurm;
  std::optional<double> stopTime;       ///< time units
  std::uint64_t stopUpdates = 0;        ///< 0 = none
  std::uint64_t stopBytes = 0;          ///< both directions; 0 = none
  std::uint64_t stopGradients = 0;      ///< stochastic gradients computed by the workers; 0 = none
  std::optional<double> targetGap;
  std::optional<double> targetGradNormSq;
  double evalInterval = 0.0;            ///< time units; 0 = none
  std::uint64_t evalEveryUpdates = 0;
  bool evalGradNorm = true;
  bool evalAccuracy = true;
  /// Directory relative data paths are resolved against.
  std::string baseDirectory = ".";
  /// The normalised document (defaults filled): what the run store and summary record.
  nlohmann::json document;
};

/// Reads and parses a file; JSON syntax errors name FILE:LINE:COLUMN. Throws InputError.
nlohmann::json readExperimentFile(const std::string& path);
/// Parses the text of an experiment file named `path` (for messages), as readExperimentFile does.
/// Every JSON error, a number beyond double's range (1e999) included, is an InputError.
nlohmann::json parseExperimentText(const std::string& text, const std::string& path);

/// Applies one `--set PATH=VALUE` override to a raw document. VALUE is parsed as JSON when it is valid
/// JSON (numbers, true, null, [..], {..}, "..."), else taken as a string (so R=inf works).
/// Intermediate objects are created. Throws InputError for a malformed assignment.
void applyOverride(nlohmann::json& document, const std::string& assignment);

/// Validates a raw document and fills defaults, then checks fields that must agree across sections
/// (ProblemEntry::checkRun) and that the machine can hold the run (core/config/memory_estimate, within
/// `memory`). Throws InputError naming the field path.
Experiment parseExperiment(nlohmann::json document, const std::string& baseDirectory,
                           const MemoryLimits& memory = {});

/// What every worker builds for itself from the experiment (docs/architecture.md, rule 4: only the rule and the seed
/// travel, never the data): the problem with its data, every worker's shard, and the time model.
struct Workload {
  std::unique_ptr<Problem> problem;
  std::vector<Shard> shards;
  std::unique_ptr<TimeModel> timeModel;
};
Workload buildWorkload(const Experiment& experiment);

/// The pieces of a run, built from a parsed experiment. Building may still fail on user input that
/// only shows when the data is read (missing or malformed data file): InputError again.
struct BuiltRun {
  std::unique_ptr<Problem> problem;
  std::vector<Shard> shards;
  std::unique_ptr<TimeModel> timeModel;
  std::unique_ptr<AsyncServer> server;   ///< parameter-server methods
  /// When the engine is "sim": the family's simulator (a parameter-server method's: the SimEngine on
  /// `server`).
  std::unique_ptr<SimRun> simRun;
  /// What a family's roles are built from (the SimRun's pieces; a live driver's too).
  SimRunContext familyContext;
  RunRules rules;
};
BuiltRun buildRun(const Experiment& experiment);

}  // namespace distopt
