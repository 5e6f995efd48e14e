// distopt-worker: one worker process. Everything but where to connect arrives over the wire.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/option_parser.hpp"
#include "core/util/build_info.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/launcher/srun_command.hpp"
#include "net/protocol/frame_memory.hpp"
#include "net/security/join_file.hpp"
#include "net/worker/worker_runtime.hpp"
#include "worker_supervisor.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: distopt-worker (--connect ENDPOINT | --join-file FILE) [--id N | --slurm-first-id N]\n"
    "                      [--count K] [--wait SECONDS]\n"
    "                      [--server-key KEY (--join-token TOKEN | --key-file FILE)]\n"
    "\n"
    "Connects to a DistOpt coordinator and works for it until told to stop.\n"
    "\n"
    "  --connect ENDPOINT  coordinator endpoint, e.g. tcp://127.0.0.1:5555\n"
    "  --join-file FILE    the endpoint, server key and join token from the file distopt-run --join-file\n"
    "                      writes (waiting up to --wait for it to appear); refused when others may read it\n"
    "  --count K           start K workers here (ids N, N+1, ... with --id) and report each one's exit;\n"
    "                      exits when all have ended (0, or the first failure's status)\n"
    "  --id N              worker id to request (default: assigned by the coordinator)\n"
    "  --slurm-first-id N  worker id N + $SLURM_PROCID: every task of one srun step is a worker (the\n"
    "                      coordinator's \"launcher\": \"slurm\" starts them so)\n"
    "  --wait SECONDS      how long to wait for the coordinator's first answer (default 60; it may\n"
    "                      not be up yet); once it answered, its heartbeat decides\n"
    "  --server-key KEY    the coordinator's CURVE public key (a secured run prints it in its join\n"
    "                      command); the connection is then encrypted and authenticated\n"
    "  --join-token TOKEN  the run's join token (from the same command line); - reads it from stdin\n"
    "  --key-file FILE     this worker's own key pair instead, JSON {\"public\", \"secret\"} or a\n"
    "                      ZeroMQ certificate; its public key must be allowed by the coordinator\n"
    "  --help              show this text\n"
    "  --version           show the program version\n"
    "\n"
    "Environment: DISTOPT_JOIN_TOKEN  the join token, when none is given otherwise (never printed).\n"
    "\n"
    "Exit status: 0 stopped by the coordinator, 2 bad command line or join file, 3 coordinator lost\n"
    "(or no join file within --wait), 4 refused by the coordinator, 130 interrupted.\n";

/// What the command line said, before it becomes WorkerOptions (key material is read only once the
/// whole line parsed, so a bad option later on the line refuses before stdin is touched).
struct WorkerCommandLine {
  std::optional<std::string> endpoint;
  std::optional<int> workerId;
  std::optional<double> waitSeconds;
  std::optional<std::string> serverKey;
  std::optional<std::string> keyFile;
  std::optional<std::string> joinToken;
  std::optional<std::string> joinFile;
  std::optional<int> count;
  std::optional<int> slurmFirstId;
  bool help = false;
  bool version = false;
};

std::optional<WorkerCommandLine> parseWorkerCommandLine(int argc, const char* const* argv,
                                                        std::string* error) {
  using namespace distopt::app;
  WorkerCommandLine line;
  OptionParser parser;
  parser.flag("-h,--help", &line.help);
  parser.flag("--version", &line.version);
  parser.option("--connect", "--connect needs a value", takeText(&line.endpoint));
  parser.option("--id", "--id needs a value", takeInteger("--id", 0, 1'000'000'000, &line.workerId));
  parser.option("--wait", "--wait needs a value", takeSeconds("--wait", 86400.0, &line.waitSeconds));
  parser.option("--server-key", "--server-key needs a value", takeText(&line.serverKey));
  parser.option("--key-file", "--key-file needs a value", takeText(&line.keyFile));
  parser.option("--join-token", "--join-token needs a value", takeText(&line.joinToken));
  parser.option("--join-file", "--join-file needs a file name", takeText(&line.joinFile));
  parser.option("--count", "--count needs a value",
                takeInteger("--count", 1, distopt::app::kMaxSupervisedWorkers, &line.count));
  parser.option("--slurm-first-id", "--slurm-first-id needs a value",
                takeInteger("--slurm-first-id", 0, 1'000'000'000, &line.slurmFirstId));
  std::vector<std::string> words;
  parser.positionals(&words);
  if (!parser.parse(argc, argv, error)) return std::nullopt;
  if (!words.empty()) {
    if (error) *error = "unexpected argument '" + words.front() + "' (see --help)";
    return std::nullopt;
  }
  return line;
}

/// distopt-worker --count K: K workers with the same options, the token in their environment rather than
/// on their command line (one ssh connection per host starts them all).
int superviseWorkers(const WorkerCommandLine& line, const distopt::net::WorkerOptions& options,
                     const char* argv0) {
  distopt::app::SupervisorOptions supervisor;
  supervisor.program = distopt::net::runningProgram(argv0);
  supervisor.count = *line.count;
  supervisor.firstId = options.workerId;
  char wait[32];
  std::snprintf(wait, sizeof wait, "%g", options.connectWaitSeconds);
  supervisor.workerArguments = {"--connect", options.endpoint, "--wait", wait};
  if (!options.serverKey.empty())
    supervisor.workerArguments.insert(supervisor.workerArguments.end(), {"--server-key", options.serverKey});
  if (line.keyFile)
    supervisor.workerArguments.insert(supervisor.workerArguments.end(), {"--key-file", *line.keyFile});
  else if (options.clientKeys)
    supervisor.environment.push_back("DISTOPT_JOIN_TOKEN=" + options.clientKeys->secretKey);
  std::string why;
  if (!supervisor.isValid(&why)) {
    std::fprintf(stderr, "distopt-worker: %s\n", why.c_str());
    return 2;
  }
  return distopt::app::superviseWorkers(supervisor);
}

}  // namespace

int main(int argc, char** argv) {
  distopt::net::keepLargeFrameMemory();
  std::string error;
  const auto line = parseWorkerCommandLine(argc, argv, &error);
  if (!line) {
    std::fprintf(stderr, "distopt-worker: %s\n", error.c_str());
    return 2;
  }
  if (line->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (line->version) {
    std::printf("distopt-worker %s (commit %s)\n", distopt::programVersion(), distopt::programCommit());
    return 0;
  }
  distopt::net::WorkerOptions options;
  if (line->endpoint) options.endpoint = *line->endpoint;
  if (line->workerId) options.workerId = *line->workerId;
  if (line->slurmFirstId) {
    std::string why;
    const auto id = distopt::net::slurmTaskWorkerId(*line->slurmFirstId, std::getenv("SLURM_PROCID"), &why);
    if (!id || line->workerId || line->count) {
      std::fprintf(stderr, "distopt-worker: --slurm-first-id: %s\n",
                   id ? "not with --id or --count (each srun task is one worker)" : why.c_str());
      return 2;
    }
    options.workerId = *id;
  }
  if (line->waitSeconds) options.connectWaitSeconds = *line->waitSeconds;
  if (line->serverKey) options.serverKey = *line->serverKey;
  if (line->keyFile && line->joinToken) {
    std::fprintf(stderr, "distopt-worker: --key-file and --join-token exclude each other\n");
    return 2;
  }
  if (line->keyFile) {
    std::string why;
    options.clientKeys = distopt::net::readKeyFile(*line->keyFile, &why);
    if (!options.clientKeys) {
      std::fprintf(stderr, "distopt-worker: --key-file: %s\n", why.c_str());
      return 2;
    }
  }
  if (line->joinToken) {
    std::string token = *line->joinToken;
    if (token == "-") std::getline(std::cin, token);  // from a launcher, off the command line
    options.clientKeys = distopt::net::keyPairFromSecret(token);
    if (!options.clientKeys) {
      std::fprintf(stderr,
                   "distopt-worker: --join-token: not a join token (40 characters of Z85, as the "
                   "coordinator printed it)\n");
      return 2;
    }
  }
  if (line->joinFile) {
    if (line->endpoint || line->serverKey) {
      std::fprintf(stderr,
                   "distopt-worker: --join-file gives the endpoint and server key: not with --connect "
                   "or --server-key\n");
      return 2;
    }
    const auto started = std::chrono::steady_clock::now();
    std::string why;
    bool missing = false;
    const auto join =
        distopt::net::waitForJoinFile(*line->joinFile, options.connectWaitSeconds, &why, &missing);
    if (!join) {
      std::fprintf(stderr, "distopt-worker: --join-file: %s\n", why.c_str());
      return missing ? 3 : 2;  // no coordinator within the wait, as for one that never answers
    }
    options.endpoint = join->endpoint;
    options.serverKey = join->serverKey;
    if (!options.clientKeys && !join->joinToken.empty())
      options.clientKeys = distopt::net::keyPairFromSecret(join->joinToken);
    // --wait bounds the whole wait: for the file, then for the coordinator's first answer.
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    options.connectWaitSeconds = std::max(1.0, options.connectWaitSeconds - waited);
  }
  // A worker started by a secured coordinator finds the run's join token in its environment.
  if (!options.serverKey.empty() && !options.clientKeys) {
    if (const char* token = std::getenv("DISTOPT_JOIN_TOKEN"); token && *token) {
      options.clientKeys = distopt::net::keyPairFromSecret(token);
      if (!options.clientKeys) {
        std::fprintf(stderr, "distopt-worker: DISTOPT_JOIN_TOKEN is not a join token\n");
        return 2;
      }
    }
  }
  std::string why;
  if (!options.isValid(&why)) {
    std::fprintf(stderr, "distopt-worker: %s\n", why.c_str());
    return 2;
  }

  if (line->count) return superviseWorkers(*line, options, argv[0]);

  distopt::net::installWorkerSignalHandlers();
  distopt::net::WorkerRuntime runtime(options);
  const auto reason = runtime.run();
  if (reason != distopt::net::WorkerExit::Stopped) {
    const std::string& detail = runtime.lastError();
    // A worker refused before it was given an id (a wrong token, no free slot) has none to name.
    const std::string who =
        runtime.workerId() >= 0 ? "distopt-worker " + std::to_string(runtime.workerId()) : "distopt-worker";
    std::fprintf(stderr, "%s: %s%s%s\n", who.c_str(), distopt::net::workerExitName(reason),
                 detail.empty() ? "" : ": ", detail.c_str());
  }
  return distopt::net::exitStatus(reason);
}
