// distopt-run: the coordinator and headless front end. Everything the user gave is checked before
// anything starts; exit 0 done, 1 run failed, 2 bad input.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "cluster_identity.hpp"
#include "command_line.hpp"
#include "sbatch_script.hpp"
#include "core/config/experiment.hpp"
#include "core/problems/data_file_recorder.hpp"
#include "core/registry/registry.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/store/run_store.hpp"
#include "core/telemetry/provenance.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/build_info.hpp"
#include "core/util/input_error.hpp"
#include "distopt_version.hpp"
#include "interrupt.hpp"
#include "list_command.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/coordinator/run_directory.hpp"
#include "net/coordinator/sim_run_services.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/frame_memory.hpp"
#include "net/security/curve_keys.hpp"
#include "progress_printer.hpp"
#include "run_document.hpp"
#include "run_recording.hpp"
#include "runs_command.hpp"
#include "sweep_command.hpp"

namespace {

using namespace distopt;

std::string defaultOutDirectory(const std::string& name) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "distopt-runs/" + name + "-" + stamp;
}

std::string formatOptional(const std::optional<double>& value, const char* format = "%.6g") {
  if (!value) return "-";
  char text[64];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

void printSummaryTable(const RunSummary& s, const std::string& outDirectory) {
  std::printf("\n%-22s %s\n", "algorithm", s.algorithm.c_str());
  std::printf("%-22s %s, %d workers\n", "engine", s.engine.c_str(), s.workers);
  std::printf("%-22s %s%s%s\n", "termination", terminationName(s.termination),
              s.terminationDetail.empty() ? "" : ": ", s.terminationDetail.c_str());
  std::printf("%-22s %.6g\n", "time", s.time);
  std::printf("%-22s %llu\n", "updates applied", static_cast<unsigned long long>(s.updatesApplied));
  std::printf("%-22s %llu\n", "gradients computed", static_cast<unsigned long long>(s.gradientEvaluations));
  std::printf("%-22s sent %llu, accepted %llu, discarded %llu, cancelled %llu, late-cancelled %llu\n", "jobs",
              static_cast<unsigned long long>(s.counters.jobsSent), static_cast<unsigned long long>(s.counters.accepted),
              static_cast<unsigned long long>(s.counters.discarded), static_cast<unsigned long long>(s.counters.cancelled),
              static_cast<unsigned long long>(s.counters.lateCancelled));
  std::printf("%-22s %.6g\n", "final loss", s.finalLoss);
  std::printf("%-22s %s\n", "final f - f*", formatOptional(s.finalGap, "%.4e").c_str());
  std::printf("%-22s %s\n", "final ||grad f||^2", formatOptional(s.finalGradNormSq, "%.4e").c_str());
  if (s.finalTestAccuracy) std::printf("%-22s %s\n", "test accuracy", formatOptional(s.finalTestAccuracy, "%.4f").c_str());
  std::printf("%-22s %s\n", "time to target", formatOptional(s.timeToTarget).c_str());
  std::printf("%-22s mean %.4g, max %lld\n", "accepted delay", s.delayMean, static_cast<long long>(s.delayMax));
  std::printf("%-22s up %llu, down %llu\n", "bytes", static_cast<unsigned long long>(s.bytesUplink),
              static_cast<unsigned long long>(s.bytesDownlink));
  std::printf("%-22s %.3f s\n", "wall time", s.wallSeconds);
  std::printf("%-22s %s\n", "results", outDirectory.c_str());
}

int runMain(int argc, char** argv) {
  std::string error;
  auto line = app::parseRunCommandLine(argc, argv, &error);
  if (!line) {
    std::fprintf(stderr, "distopt-run: %s\n", error.c_str());
    return 2;
  }
  if (line->help) {
    std::fputs(app::kRunUsage, stdout);
    return 0;
  }
  if (line->version) {
    std::printf("distopt-run %s (commit %s)\n", programVersion(), programCommit());
    return 0;
  }
  if (line->list) {
    app::printList(line->json);
    return 0;
  }
  if (line->makeKeyFile) return app::makeKeyFileCommand(*line->makeKeyFile);

  Experiment experiment;
  BuiltRun run;
  std::string outDirectory;
  app::RunOutputs outputs;
  std::string storePath;
  app::InterruptAwareFanout sinks;
  nlohmann::json provenanceJson;
  std::function<void()> stopSimulation;
  std::unique_ptr<net::SimRunServices> services;
  try {
    experiment = parseExperiment(app::experimentDocument(*line), app::baseDirectoryOf(*line));
    if (line->printConfig) {
      std::printf("%s\n",
                  experiment.document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return 0;
    }
    if (line->sbatch) return app::printSbatchScript(*line, experiment, argc, argv);
    RunProvenance provenance = currentProvenance(std::vector<std::string>(argv, argv + argc));
    {
      const DataFileRecorder dataFiles;  // the files the problem reads, for their hashes
      run = buildRun(experiment);
      addDataFiles(provenance, dataFiles.files());
    }
    provenanceJson = provenanceToJson(provenance);
    outDirectory = line->outDirectory.value_or(defaultOutDirectory(experiment.name));
    if (!line->noStore) {
      storePath = line->storePath.value_or(defaultStorePath());
      RunStore::open(storePath);  // usable? (the run's record is added with the result files, below)
    }
    // A run's outputs (result files, then its record in the store) are created only once nothing else
    // can refuse it — for a live run, once its sockets are bound: an endpoint that cannot be bound is bad
    // input too, and bad input leaves nothing behind (docs/architecture.md, rule 7).
    if (experiment.engine == "sim") {
      if (line->dashboardEndpoint)
        throw InputError("--dashboard", "the dashboard feed is for live runs (a simulated run is watched "
                                        "through --telemetry on this machine)");
      for (const auto& [given, flag] : {std::pair{line->joinFile.has_value(), "--join-file"},
                                        std::pair{line->serverKeyFile.has_value(), "--server-key-file"}})
        if (given) throw InputError(flag, "is for live runs (a simulated run has no workers to join)");
      stopSimulation = [simRun = run.simRun.get()] { simRun->requestStop(); };
      // A dashboard watches a simulated run as it watches a live one: telemetry and control sockets.
      if (line->telemetryEndpoint || line->controlEndpoint) {
        net::SimRunServices::Options serviceOptions{
            .telemetryEndpoint = line->telemetryEndpoint.value_or(""),
            .controlEndpoint = line->controlEndpoint.value_or(""),
            .experimentName = experiment.name,
            .algorithm = experiment.algorithm.name,
            .workers = experiment.workers,
            .timeLimit = experiment.stopTime,
            .updateLimit = experiment.stopUpdates};
        services = std::make_unique<net::SimRunServices>(serviceOptions, stopSimulation);
        std::string why;
        if (!services->bind(&why)) {
          std::fprintf(stderr, "distopt-run: %s\n", why.c_str());
          return 2;
        }
      }
      app::catchStopSignals();
      outputs = app::openRunOutputs(outDirectory, storePath, experiment, provenanceJson);
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "distopt-run: %s\n", e.what());
    return 2;
  }

  outputs.addTo(sinks);
  app::ProgressPrinter progress(experiment.stopTime, experiment.stopUpdates, experiment.stopBytes);
  if (!line->quiet) sinks.add(&progress);
  if (services) {
    sinks.add(services.get());
    std::fprintf(stderr, "distopt-run: simulated run; telemetry %s; control %s\n", services->telemetryEndpoint().c_str(),
                 services->controlEndpoint().c_str());
  }

  RunSummary summary;
  if (experiment.engine == "sim") {
    app::stopOnSignals(stopSimulation);
    try {
      summary = run.simRun->run(sinks);
    } catch (const std::exception& e) {
      // A family's bug must still end the run on record (store row, summary.json), not kill the process.
      summary = RunSummary{};
      summary.algorithm = experiment.algorithm.name;
      summary.engine = "sim";
      summary.workers = experiment.workers;
      summary.termination = Termination::Failed;
      summary.terminationDetail = std::string("internal error: ") + e.what();
      sinks.onFinish(summary);
    }
  } else {
    net::LiveOptions options;
    options.bindEndpoint = line->bindEndpoint.value_or("tcp://127.0.0.1:*");
    options.localWorkers = line->localWorkers.value_or(-1);
    // Workers start one after another on the machines' cores: allow for that beyond a minute.
    options.setupTimeoutSeconds = line->setupTimeout.value_or(app::defaultSetupTimeout(experiment.workers));
    if (line->malformedLimit) options.malformedLimit = *line->malformedLimit;
    options.telemetryEndpoint = line->telemetryEndpoint.value_or("tcp://127.0.0.1:*");
    if (line->controlEndpoint) {
      options.controlEndpoint = *line->controlEndpoint;
    } else {
      std::string why;
      const auto control = net::newControlEndpoint(&why);
      if (!control) {
        std::fprintf(stderr, "distopt-run: %s\n", why.c_str());
        return 2;
      }
      options.controlEndpoint = *control;
    }
    options.dashboardEndpoint = line->dashboardEndpoint.value_or("");
    options.security.enabled = line->secure || !line->allowKeys.empty() || !line->allowKeyFiles.empty() ||
                               !line->dashboardKeys.empty() || !line->dashboardKeyFiles.empty();
    options.security.allowedKeys = line->allowKeys;
    options.security.dashboardKeys = line->dashboardKeys;
    {
      std::string why;
      if (!app::loadFixedIdentity(line->serverKeyFile.value_or(""), &options.security, &why)) {
        std::fprintf(stderr, "distopt-run: %s\n", why.c_str());
        return 2;
      }
    }
    for (const auto& [keyFiles, keys, flag] :
         {std::tuple{&line->allowKeyFiles, &options.security.allowedKeys, "--allow-key-file"},
          std::tuple{&line->dashboardKeyFiles, &options.security.dashboardKeys, "--allow-dashboard-key-file"}}) {
      for (const auto& path : *keyFiles) {
        std::string why;
        auto pair = net::readKeyFile(path, &why);
        if (!pair) {
          std::fprintf(stderr, "distopt-run: %s: %s\n", flag, why.c_str());
          return 2;
        }
        keys->push_back(pair->publicKey);
      }
    }
    app::JoinFile joinFile;  // removed once the run has ended
    // Bind (refusing nothing half-started), create the run's outputs,
    // then run with SIGINT/SIGTERM stopping it cleanly.
    auto runLive = [&](auto& engine) -> std::optional<int> {
      std::string why;
      app::catchStopSignals();
      if (!engine.bind(&why)) {
        std::fprintf(stderr, "distopt-run: %s\n", why.c_str());
        return 2;
      }
      if (line->joinFile) {
        const net::JoinInfo join{.endpoint = engine.pool().publicEndpoint(),
                                 .serverKey = options.security.enabled ? engine.pool().serverPublicKey() : "",
                                 .joinToken = engine.pool().joinToken()};
        if (!joinFile.write(*line->joinFile, join, &why)) {
          std::fprintf(stderr, "distopt-run: --join-file: %s\n", why.c_str());
          return 2;
        }
      }
      try {
        outputs = app::openRunOutputs(outDirectory, storePath, experiment, provenanceJson);
      } catch (const InputError& e) {
        std::fprintf(stderr, "distopt-run: %s\n", e.what());
        return 2;
      }
      outputs.addTo(sinks);
      std::fprintf(stderr, "distopt-run: workers connect to %s; telemetry %s; control %s\n",
                   engine.workerEndpoint().c_str(), engine.telemetryEndpoint().c_str(), engine.controlEndpoint().c_str());
      if (options.localWorkers >= 0 && options.localWorkers < experiment.workers)
        std::fprintf(stderr, "distopt-run: waiting for %d remote worker(s): %s\n",
                     experiment.workers - options.localWorkers,
                     app::joinCommandForLog(engine.joinCommand(), options.security).c_str());
      else if (options.security.enabled)
        std::fprintf(stderr, "distopt-run: secured with CURVE; a remote worker joins with: %s\n",
                     app::joinCommandForLog(engine.joinCommand(), options.security).c_str());
      if (!options.dashboardEndpoint.empty())
        std::fprintf(stderr, "distopt-run: dashboard feed %s; a dashboard attaches with: %s\n",
                     engine.pool().dashboardEndpoint().c_str(), engine.pool().attachCommand().c_str());
      app::stopOnSignals([&engine] { engine.requestStop(); });
      summary = engine.run();
      return std::nullopt;
    };
    std::unique_ptr<net::CoordinatorRole> role;
    try {
      role = net::makeLiveCoordinator(experiment, run);
    } catch (const InputError& e) {
      std::fprintf(stderr, "distopt-run: %s\n", e.what());
      return 2;
    }
    net::LiveEngine engine(experiment, *run.problem, *role, run.rules, options, sinks);
    const std::optional<int> refused = runLive(engine);
    if (refused) return *refused;
  }
  app::forgetStop();
  app::noteInterruption(summary);
  // A result that could not be written (a full disk) fails the run: what was written stays whole.
  std::string lost = outputs.files ? outputs.files->error() : std::string();
  try {
    nlohmann::json summaryJson = summaryToJson(summary, experiment.document);
    summaryJson["provenance"] = provenanceJson;
    writeJsonFile(outDirectory + "/summary.json", summaryJson);
  } catch (const InputError& e) {
    if (lost.empty()) lost = e.what();
  }
  printSummaryTable(summary, outDirectory);
  if (outputs.recording) {
    const std::string storeLost = app::finishRecording(std::move(outputs.recording));
    if (storeLost.empty()) std::printf("%-22s %s\n", "run store", storePath.c_str());
    else if (lost.empty()) lost = storeLost;
  }
  if (!lost.empty()) {
    std::fprintf(stderr, "distopt-run: %s\n", lost.c_str());
    return 1;
  }
  if (app::stopSignal() != 0) return app::signalExitStatus(app::stopSignal());
  const bool failed = summary.termination == Termination::Diverged || summary.termination == Termination::Failed;
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "runs") return distopt::app::runsMain(argc - 1, argv + 1);
  if (distopt::app::isSweepCommand(argc, argv)) return distopt::app::sweepMain(argc, argv);
  net::keepLargeFrameMemory();
  return runMain(argc, argv);
}
