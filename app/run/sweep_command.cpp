#include "sweep_command.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "command_line.hpp"
#include "comparison_report.hpp"
#include "core/config/comparison_spec.hpp"
#include "core/config/experiment.hpp"
#include "core/config/sweep_spec.hpp"
#include "core/store/run_store.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"
#include "run_document.hpp"
#include "sweep_runner.hpp"

namespace distopt::app {

const char* const kSweepUsage =
    "Usage: distopt-run EXPERIMENT.json --sweep PATH=VALUES [--sweep ...] [--seeds SEEDS] [options]\n"
    "       distopt-run SWEEP.json [options]\n"
    "\n"
    "Runs the experiment once per point of a grid (every combination of the swept fields' values) or of\n"
    "--sample K random points, each point once per seed, --jobs at a time, each run in its own folder of\n"
    "the sweep folder. sweep.csv there has one row per run (its values, termination, final metrics, time\n"
    "to target); the store groups the runs in a sweep. The same command again resumes the sweep: runs\n"
    "already done are not run again. A diverged run is a result, not a failure.\n"
    "\n"
    "  --sweep PATH=VALUES  a field and its values (repeatable):\n"
    "                      0.1,0.2,0.4  a list;  1..8  every integer;  1e-4..1/log:7  7 values spaced on a\n"
    "                      log scale (/lin:N linear);  1e-4..1/log  drawn log-uniformly with --sample\n"
    "  --seeds SEEDS       run each point with these seeds: 1..5 or 1,2,7 (default: the file's seed)\n"
    "  --sample K          K random points drawn from the fields' values and ranges instead of the grid\n"
    "  --sample-seed S     seed of those draws (default 1)\n"
    "  --jobs N            runs at a time (default 1; live runs go one at a time)\n"
    "  --out DIR           the sweep folder (default distopt-runs/NAME-sweep-STAMP); give the same to "
    "resume\n"
    "  --store PATH, --no-store, --quiet   as for a single run\n"
    "  --dry-run           check every run and print the plan; run nothing\n"
    "Every other option (--engine, --workers, --set, --events, ...) is given to every run.\n"
    "\n"
    "A sweep file: {\"name\": ..., \"experiment\": \"PATH.json\" (relative to the sweep file) or {...},\n"
    "  \"set\": [\"PATH=VALUE\", ...], \"sweep\": {\"axes\": [{\"path\": ..., \"values\": \"1e-3..1/log:6\" "
    "or [...]}],\n"
    "  \"seeds\": \"1..3\", \"jobs\": 2, \"sample\": 0}}\n"
    "A comparison file has \"methods\" instead of \"sweep\": each method its \"set\" and \"axes\", all with "
    "the\n"
    "  same \"seeds\" and budget; \"select\": {\"metric\": \"final_gap\", \"statistic\": \"median\"} chooses "
    "each\n"
    "  method's best point; comparison.md, comparison.svg and curves.csv show them (resources/sweeps/).\n"
    "\n"
    "Exit status: 0 every run has a result, 1 a run failed, 2 bad input (nothing started), 130 stopped.\n";

namespace {

constexpr std::size_t kMaxSweepFileBytes = 4 << 20;

struct SweepCommandLine {
  std::string file;               ///< experiment or sweep file (argv[1])
  std::vector<std::string> axes;  ///< --sweep texts
  std::optional<std::string> seeds;
  std::optional<int> sample;
  std::optional<std::uint64_t> sampleSeed;
  std::optional<int> jobs;
  std::optional<std::string> out;
  std::optional<std::string> store;
  bool noStore = false;
  bool quiet = false;
  bool help = false;
  bool dryRun = false;                   ///< check everything and print the plan; run nothing, write nothing
  std::vector<std::string> passThrough;  ///< every other argument, in order, for every run
};

std::optional<long long> integerArgument(const std::string& option, const std::string& text, long long low,
                                         long long high) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high)
    throw InputError(option, "'" + text + "' is not an integer from " + std::to_string(low) + " to " +
                                 std::to_string(high));
  return value;
}

// The sweep's own options (both --opt value and --opt=value); the rest goes to every run untouched.
SweepCommandLine parseSweepArguments(int argc, char** argv) {
  SweepCommandLine line;
  if (argc < 2 || (argv[1][0] == '-' && std::string_view(argv[1]) != "-")) {
    for (int i = 1; i < argc; ++i)
      if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") line.help = true;
    if (line.help) return line;
    throw InputError("sweep",
                     "a sweep starts with its file: distopt-run EXPERIMENT.json --sweep PATH=VALUES ...");
  }
  line.file = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inlineValue;
    if (arg.starts_with("--") && arg.find('=') != std::string::npos) {
      inlineValue = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
    }
    auto value = [&]() -> std::string {
      if (inlineValue) return *inlineValue;
      if (i + 1 >= argc) throw InputError(arg, "needs a value");
      return argv[++i];
    };
    if (arg == "--sweep")
      line.axes.push_back(value());
    else if (arg == "--seeds")
      line.seeds = value();
    else if (arg == "--sample")
      line.sample = static_cast<int>(*integerArgument(arg, value(), 1, kSweepMaxRuns));
    else if (arg == "--sample-seed")
      line.sampleSeed = static_cast<std::uint64_t>(*integerArgument(arg, value(), 0, LLONG_MAX));
    else if (arg == "--jobs")
      line.jobs = static_cast<int>(*integerArgument(arg, value(), 1, kSweepMaxJobs));
    else if (arg == "--out")
      line.out = value();
    else if (arg == "--store")
      line.store = value();
    else if (arg == "--no-store" && !inlineValue)
      line.noStore = true;
    else if ((arg == "--quiet" || arg == "-q") && !inlineValue)
      line.quiet = true;
    else if ((arg == "--help" || arg == "-h") && !inlineValue)
      line.help = true;
    else if (arg == "--dry-run" && !inlineValue)
      line.dryRun = true;
    else
      line.passThrough.emplace_back(argv[i]);
  }
  if (line.noStore && line.store) throw InputError("--no-store", "and --store cannot both be given");
  return line;
}

std::optional<nlohmann::json> readSweepFile(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error || size > kMaxSweepFileBytes) return std::nullopt;
  nlohmann::json document;
  try {
    document = readExperimentFile(path);
  } catch (const InputError&) {
    return std::nullopt;
  }
  if (!document.is_object() || (!document.contains("sweep") && !isComparisonDocument(document)))
    return std::nullopt;
  return document;
}

/// A sweep file's fields other than "sweep": the experiment (a path or the object itself) and the
/// assignments every run gets.
struct SweepFile {
  std::string name;
  std::string folder;  ///< the sweep file's folder: an inline experiment's data paths are read from it
  std::optional<std::string> experimentPath;
  std::optional<nlohmann::json> experiment;
  std::vector<std::string> assignments;
  SweepSpec spec;
};

// The fields a sweep file and a comparison file share: name, experiment, set.
SweepFile parseSweepFileCommon(const nlohmann::json& document, const std::string& path) {
  SweepFile file;
  file.folder = std::filesystem::path(path).parent_path().string();
  if (document.contains("name")) {
    if (!document.at("name").is_string()) throw InputError(path + ": name", "must be a text");
    file.name = document.at("name").get<std::string>();
  }
  if (!document.contains("experiment")) throw InputError(path + ": experiment", "is missing");
  const auto& experiment = document.at("experiment");
  if (experiment.is_string()) {
    const std::filesystem::path named = experiment.get<std::string>();
    file.experimentPath =
        named.is_absolute() ? named.string() : (std::filesystem::path(file.folder) / named).string();
  } else if (experiment.is_object()) {
    file.experiment = experiment;
  } else {
    throw InputError(path + ": experiment", "must be the path of an experiment file or an experiment object");
  }
  if (document.contains("set")) {
    const auto& set = document.at("set");
    if (set.is_array()) {
      for (const auto& item : set) {
        if (!item.is_string()) throw InputError(path + ": set", "each entry is a text \"PATH=VALUE\"");
        file.assignments.push_back(item.get<std::string>());
      }
    } else if (set.is_object()) {
      for (const auto& [field, value] : set.items()) file.assignments.push_back(field + "=" + value.dump());
    } else {
      throw InputError(path + ": set", "must be a list of \"PATH=VALUE\" or an object {PATH: VALUE}");
    }
  }
  return file;
}

SweepFile parseSweepFile(const nlohmann::json& document, const std::string& path) {
  for (const auto& [key, value] : document.items())
    if (key != "name" && key != "description" && key != "experiment" && key != "set" && key != "sweep")
      throw InputError(path + ": " + key, "unknown field (known: name, description, experiment, set, sweep)");
  SweepFile file = parseSweepFileCommon(document, path);
  file.spec = sweepFromJson(document.at("sweep"), path + ": sweep");
  return file;
}

std::string defaultSweepDirectory(const std::string& name, const char* kind) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "distopt-runs/" + name + "-" + kind + "-" + stamp;
}

std::string selfProgram() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error)
    throw InputError("sweep", "cannot find this program's path to start the runs: " + error.message());
  return self.string();
}

// Everything a sweep will run is checked here, before the first run starts (docs/architecture.md, rule 7):
// the options each run gets, and each run's experiment with its values. `file` holds the experiment (a path,
// or inline with the folder it came from), the assignments and the spec; the command line adds axes and
// replaces seeds, sample and jobs. `outDirectory` empty = the default.
SweepPlan planSweep(SweepFile file, const SweepCommandLine& line, const std::string& outDirectory) {
  SweepPlan plan;
  SweepSpec& spec = file.spec;
  for (const auto& text : line.axes) spec.axes.push_back(parseSweepAxis(text));
  if (line.seeds) spec.seeds = parseSeedList(*line.seeds);
  if (line.sample) spec.sample = *line.sample;
  if (line.sampleSeed) spec.sampleSeed = *line.sampleSeed;
  if (line.jobs) spec.jobs = *line.jobs;

  // The options every run gets, checked as a run would check them.
  std::vector<std::string> arguments;
  for (const auto& assignment : file.assignments) arguments.insert(arguments.end(), {"--set", assignment});
  arguments.insert(arguments.end(), line.passThrough.begin(), line.passThrough.end());
  std::string experimentPath = file.experimentPath.value_or("");
  std::vector<const char*> argv{"distopt-run", experimentPath.empty() ? "-" : experimentPath.c_str()};
  for (const auto& a : arguments) argv.push_back(a.c_str());
  std::string why;
  const auto runLine = parseRunCommandLine(static_cast<int>(argv.size()), argv.data(), &why);
  if (!runLine) throw InputError("", why);
  if (runLine->help || runLine->version || runLine->list)
    throw InputError("sweep", "--help, --version and --list are not options of a run (see --help)");
  if (runLine->outDirectory)
    throw InputError("--out", "is the sweep's folder; each run gets its own inside it");
  if (runLine->telemetryEndpoint || runLine->controlEndpoint || runLine->dashboardEndpoint)
    throw InputError("sweep",
                     "--telemetry, --control and --dashboard name one endpoint; a sweep runs many "
                     "runs (open a run's folder or the store to watch it)");

  plan.runs = expandSweep(spec);
  plan.spec = spec;
  const int pointCount = plan.runs.back().point + 1;

  // An inline experiment becomes a file in the sweep folder, which every run reads.
  RunCommandLine checkLine = *runLine;
  std::optional<nlohmann::json> inlineExperiment = file.experiment;
  std::string inlinePath;
  if (inlineExperiment) {
    inlinePath =
        std::filesystem::temp_directory_path() / ("distopt-sweep-" + std::to_string(getpid()) + ".json");
    std::ofstream(inlinePath) << inlineExperiment->dump(2);
    checkLine.experimentPath = inlinePath;
    if (!checkLine.baseDirectory) checkLine.baseDirectory = file.folder;
  }
  std::string name = file.name;
  try {
    bool built = false;
    const nlohmann::json common = experimentDocument(checkLine);
    for (const auto& run : plan.runs) {
      try {
        nlohmann::json document = common;
        for (const auto& assignment : run.overrides()) applyOverride(document, assignment);
        Experiment experiment = parseExperiment(std::move(document), baseDirectoryOf(checkLine));
        if (experiment.engine == "live" && spec.jobs > 1)
          throw InputError("--jobs",
                           "live runs go one at a time (side by side they share the cores, which "
                           "changes the times they measure); use --jobs 1");
        if (name.empty()) name = experiment.name;
        if (!built) {
          (void)buildRun(experiment);  // data files found and readable, problem sizes that fit
          built = true;
        }
      } catch (const InputError& e) {
        std::string values;
        for (const auto& assignment : run.overrides()) values += (values.empty() ? "" : " ") + assignment;
        throw InputError("run " + run.folderName(pointCount) + (values.empty() ? "" : " (" + values + ")"),
                         e.what());
      }
    }
  } catch (...) {
    if (!inlinePath.empty()) std::filesystem::remove(inlinePath);
    throw;
  }
  if (!inlinePath.empty()) std::filesystem::remove(inlinePath);

  plan.name = name.empty() ? "sweep" : name;
  plan.outDirectory = std::filesystem::absolute(
                          outDirectory.empty() ? defaultSweepDirectory(plan.name, "sweep") : outDirectory)
                          .lexically_normal();
  if (inlineExperiment) {
    std::error_code error;
    std::filesystem::create_directories(plan.outDirectory, error);
    experimentPath = plan.outDirectory + "/experiment.json";
    writeJsonFile(experimentPath, *inlineExperiment);
    if (!runLine->baseDirectory)
      arguments.insert(
          arguments.begin(),
          {"--base-dir", std::filesystem::absolute(file.folder.empty() ? "." : file.folder).string()});
  }
  plan.experimentPath = std::filesystem::absolute(experimentPath).lexically_normal();
  plan.arguments = std::move(arguments);
  plan.program = selfProgram();
  if (!line.noStore) plan.storePath = std::filesystem::absolute(line.store.value_or(defaultStorePath()));
  plan.quiet = line.quiet;
  return plan;
}

void printPlan(const SweepPlan& plan) {
  const int points = plan.runs.back().point + 1;
  std::printf("%zu run(s): %d point(s) x %zu seed(s), %d at a time, into %s\n", plan.runs.size(), points,
              plan.spec.seeds.empty() ? std::size_t{1} : plan.spec.seeds.size(), plan.spec.jobs,
              plan.outDirectory.c_str());
  for (const auto& axis : plan.spec.axes)
    std::printf("  %s = %s\n", axis.path.c_str(),
                axis.values.empty() ? axis.text.c_str() : nlohmann::json(axis.values).dump().c_str());
}

// A comparison: each method is a sweep in its own folder of the comparison folder (resumable as any
// sweep); every run of every method is checked before the first starts; then each method's best point is
// chosen and reported (comparison_report.hpp).
int runComparison(const nlohmann::json& document, const SweepCommandLine& line) {
  if (!line.axes.empty() || line.sample || line.sampleSeed)
    throw InputError("--sweep", "a comparison's grids are its methods' axes, in the file");
  ComparisonSpec spec = comparisonFromJson(document, line.file);
  if (line.seeds) spec.seeds = parseSeedList(*line.seeds);
  if (line.jobs) spec.jobs = *line.jobs;
  const SweepFile common = parseSweepFileCommon(document, line.file);
  const std::string name = common.name.empty() ? "comparison" : common.name;
  const std::string folder =
      std::filesystem::absolute(line.out.value_or(defaultSweepDirectory(name, "comparison")))
          .lexically_normal();
  SweepCommandLine methodLine = line;
  methodLine.seeds.reset();
  methodLine.jobs.reset();
  std::vector<SweepPlan> plans;
  for (const auto& method : spec.methods) {
    SweepFile file = common;
    file.name = name + " / " + method.name;
    file.assignments.insert(file.assignments.end(), method.assignments.begin(), method.assignments.end());
    file.spec = method.spec;
    file.spec.seeds = spec.seeds;
    file.spec.jobs = spec.jobs;
    try {
      plans.push_back(planSweep(std::move(file), methodLine, folder + "/" + methodSlug(method.name)));
    } catch (const InputError& e) {
      throw InputError("method " + method.name, e.what());
    }
  }
  if (line.dryRun) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      std::printf("method %s: ", spec.methods[i].name.c_str());
      printPlan(plans[i]);
    }
    std::printf("best point of each by %s\n", spec.select.describe().c_str());
    return 0;
  }
  int status = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!line.quiet)
      std::fprintf(stderr, "comparison: method %zu of %zu, %s\n", i + 1, plans.size(),
                   spec.methods[i].name.c_str());
    const int methodStatus = runSweep(plans[i]);
    if (methodStatus == 130) return 130;
    status = std::max(status, methodStatus);
  }
  std::vector<MethodSweep> sweeps;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    MethodSweep sweep{spec.methods[i].name, {}};
    const int pointCount = plans[i].runs.back().point + 1;
    for (const auto& run : plans[i].runs)
      sweep.results.push_back(readSweepResult(run, plans[i].outDirectory + "/" + run.folderName(pointCount)));
    sweeps.push_back(std::move(sweep));
  }
  std::string lost = writeComparison(spec, chooseMethods(spec, sweeps), folder, name);
  try {
    // The comparison's own file beside its results, so the folder is the whole report.
    writeTextFile(folder + "/comparison-file.json", document.dump(2) + "\n");
  } catch (const InputError& e) {
    if (lost.empty()) lost = e.what();
  }
  if (!lost.empty()) {
    std::fprintf(stderr, "distopt-run: %s\n", lost.c_str());
    return 1;
  }
  return status;
}

}  // namespace

bool isSweepCommand(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    for (const std::string_view option : {"--sweep", "--seeds", "--sample"})
      if (arg == option ||
          (arg.starts_with(option) && arg.size() > option.size() && arg[option.size()] == '='))
        return true;
  }
  return argc > 1 && argv[1][0] != '-' && readSweepFile(argv[1]).has_value();
}

int sweepMain(int argc, char** argv) {
  try {
    const SweepCommandLine line = parseSweepArguments(argc, argv);
    if (line.help) {
      std::fputs(kSweepUsage, stdout);
      return 0;
    }
    const auto document = readSweepFile(line.file);
    if (document && isComparisonDocument(*document)) return runComparison(*document, line);
    SweepFile file;
    if (document) {
      file = parseSweepFile(*document, line.file);
    } else {
      file.experimentPath = line.file;
      file.folder = std::filesystem::path(line.file).parent_path().string();
    }
    const SweepPlan plan = planSweep(std::move(file), line, line.out.value_or(""));
    if (line.dryRun) {
      printPlan(plan);
      return 0;
    }
    return runSweep(plan);
  } catch (const InputError& e) {
    std::fprintf(stderr, "distopt-run: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "distopt-run: sweep: %s\n", e.what());
    return 1;
  }
}

}  // namespace distopt::app
