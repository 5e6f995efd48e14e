// distopt-worker: one worker process. Everything but where to connect arrives over the wire.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "core/util/build_info.hpp"
#include "net/protocol/frame_memory.hpp"
#include "net/worker/worker_runtime.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: distopt-worker --connect ENDPOINT [--id N] [--wait SECONDS]\n"
    "                      [--server-key KEY (--join-token TOKEN | --key-file FILE)]\n"
    "\n"
    "Connects to a DistOpt coordinator and works for it until told to stop.\n"
    "\n"
    "  --connect ENDPOINT  coordinator endpoint, e.g. tcp://127.0.0.1:5555\n"
    "  --id N              worker id to request (default: assigned by the coordinator)\n"
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
    "Exit status: 0 stopped by the coordinator, 2 bad command line, 3 coordinator lost,\n"
    "4 refused by the coordinator, 130 interrupted.\n";

bool parseInt(std::string_view text, int* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  const std::string copy(text);
  const long value = std::strtol(copy.c_str(), &end, 10);
  if (*end != '\0' || value < 0 || value > 1'000'000'000) return false;
  *out = static_cast<int>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  distopt::net::keepLargeFrameMemory();
  distopt::net::WorkerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "distopt-worker: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("distopt-worker %s (commit %s)\n", distopt::programVersion(), distopt::programCommit());
      return 0;
    } else if (arg == "--connect") {
      options.endpoint = value("--connect");
    } else if (arg == "--id") {
      int id = 0;
      const char* text = value("--id");
      if (!parseInt(text, &id)) {
        std::fprintf(stderr, "distopt-worker: --id: '%s' is not a non-negative integer\n", text);
        return 2;
      }
      options.workerId = id;
    } else if (arg == "--wait") {
      const char* text = value("--wait");
      char* end = nullptr;
      const double seconds = std::strtod(text, &end);
      if (*text == '\0' || *end != '\0' || !(seconds > 0.0 && seconds <= 86400.0)) {
        std::fprintf(stderr, "distopt-worker: --wait: '%s' is not a number of seconds from 0 to 86400\n",
                     text);
        return 2;
      }
      options.connectWaitSeconds = seconds;
    } else if (arg == "--server-key") {
      options.serverKey = value("--server-key");
    } else if (arg == "--key-file") {
      const char* path = value("--key-file");
      std::string why;
      options.clientKeys = distopt::net::readKeyFile(path, &why);
      if (!options.clientKeys) {
        std::fprintf(stderr, "distopt-worker: --key-file: %s\n", why.c_str());
        return 2;
      }
    } else if (arg == "--join-token") {
      std::string token = value("--join-token");
      if (token == "-") std::getline(std::cin, token);  // from a launcher, off the command line
      options.clientKeys = distopt::net::keyPairFromSecret(token);
      if (!options.clientKeys) {
        std::fprintf(stderr, "distopt-worker: --join-token: not a join token (40 characters of Z85, as the "
                             "coordinator printed it)\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "distopt-worker: unknown option '%s' (see --help)\n", argv[i]);
      return 2;
    }
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

  distopt::net::installWorkerSignalHandlers();
  distopt::net::WorkerRuntime runtime(options);
  const auto reason = runtime.run();
  if (reason != distopt::net::WorkerExit::Stopped) {
    const std::string& detail = runtime.lastError();
    std::fprintf(stderr, "distopt-worker %d: %s%s%s\n", runtime.workerId(), distopt::net::workerExitName(reason),
                 detail.empty() ? "" : ": ", detail.c_str());
  }
  return distopt::net::exitStatus(reason);
}
