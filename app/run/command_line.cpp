#include "command_line.hpp"

#include <cstdlib>
#include <string_view>

#include "net/protocol/endpoint.hpp"

namespace distopt::app {

const char* const kRunUsage =
    "Usage: distopt-run EXPERIMENT.json [options]\n"
    "       distopt-run --list\n"
    "       distopt-run runs list|show|export|delete|prune ...   (the run store; see runs --help)\n"
    "\n"
    "Runs an experiment file without the GUI and writes its results.\n"
    "\n"
    "  --engine sim|live   simulated (virtual time) or live worker processes (default: the file's engine)\n"
    "  --workers N         number of workers (overrides workers.count)\n"
    "  --set PATH=VALUE    override any field by its JSON path, e.g. --set algorithm.params.gamma=0.04\n"
    "                      (VALUE is JSON when it parses as JSON, else a string; repeatable)\n"
    "  --out DIR           write the result files (summary.json, evaluations.csv, delays.csv, ...) to DIR\n"
    "  --events aggregates|full  keep the exact aggregates and a sample of the update events (default), or\n"
    "                      also every event (events.csv.gz and the store); overrides the file's \"events\"\n"
    "  --store PATH        run store (SQLite) to record the run in\n"
    "                      (default $XDG_DATA_HOME/distopt-workbench/runs.sqlite)\n"
    "  --no-store          do not record the run in a store\n"
    "  --base-dir DIR      resolve relative data paths against DIR (default: the experiment file's folder)\n"
    "\n"
    "Live runs:\n"
    "  --bind ENDPOINT     where workers connect (default tcp://127.0.0.1:*, a free port)\n"
    "  --local-workers N   start N workers on this machine and wait for the rest to connect with\n"
    "                      distopt-worker --connect ENDPOINT (default: all workers local)\n"
    "  --setup-timeout S   seconds for every worker to connect and be ready before the run is given up\n"
    "                      (default 60 plus 0.2 per worker; local workers wait as long for the\n"
    "                      coordinator's first answer)\n"
    "  --telemetry ENDPOINT  publish live telemetry here (default tcp://127.0.0.1:*)\n"
    "  --control ENDPOINT  accept status/stop requests here: ipc:///FOLDER/NAME, FOLDER private (0700,\n"
    "                      yours; made when missing) (default: a new folder under $XDG_RUNTIME_DIR/distopt\n"
    "                      or /tmp/distopt-UID, removed at exit)\n"
    "  --secure            encrypt and authenticate the worker socket with CURVE (required when --bind\n"
    "                      is beyond loopback); prints the command line that lets a remote worker join\n"
    "  --allow-key KEY     also let in the worker with this CURVE public key (repeatable)\n"
    "  --allow-key-file F  the same, the public key of a key file (repeatable)\n"
    "  --dashboard ENDPOINT  publish a read-only dashboard feed here, e.g. tcp://0.0.0.0:5601 (beyond\n"
    "                      loopback it needs --secure); prints the command that attaches a workbench\n"
    "  --allow-dashboard-key KEY  let the dashboard with this CURVE public key attach (repeatable)\n"
    "  --allow-dashboard-key-file F  the same, the public key of a key file (repeatable)\n"
    "  --malformed-limit N  exclude a worker once N of its messages were refused as malformed\n"
    "                      (default 20; 0 = never)\n"
    "\n"
    "  --quiet             no progress output\n"
    "  --list              list algorithms, problems and time models with their options\n"
    "  --help              show this text\n"
    "  --version           show the program version\n"
    "\n"
    "Exit status: 0 done, 1 run failed (diverged or could not go on), 2 bad input.\n";

std::optional<RunCommandLine> parseRunCommandLine(int argc, const char* const* argv, std::string* error) {
  RunCommandLine line;
  auto fail = [error](const std::string& text) -> std::optional<RunCommandLine> {
    if (error) *error = text;
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto needValue = [&](std::string_view name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      line.help = true;
    } else if (arg == "--version") {
      line.version = true;
    } else if (arg == "--list") {
      line.list = true;
    } else if (arg == "--no-store") {
      line.noStore = true;
    } else if (arg == "--secure") {
      line.secure = true;
    } else if (arg == "--allow-key" || arg == "--allow-key-file" || arg == "--allow-dashboard-key" ||
               arg == "--allow-dashboard-key-file") {
      const char* value = needValue(arg);
      if (!value) return fail(std::string(arg) + " needs a value");
      auto& list = arg == "--allow-key"             ? line.allowKeys
                   : arg == "--allow-key-file"      ? line.allowKeyFiles
                   : arg == "--allow-dashboard-key" ? line.dashboardKeys
                                                    : line.dashboardKeyFiles;
      list.emplace_back(value);
    } else if (arg == "--quiet" || arg == "-q") {
      line.quiet = true;
    } else if (arg == "--engine") {
      const char* value = needValue(arg);
      if (!value) return fail("--engine needs a value: sim or live");
      if (std::string_view(value) != "sim" && std::string_view(value) != "live")
        return fail(std::string("--engine: '") + value + "' is not sim or live");
      line.engine = value;
    } else if (arg == "--events") {
      const char* value = needValue(arg);
      if (!value || (std::string_view(value) != "aggregates" && std::string_view(value) != "full"))
        return fail("--events needs a value: aggregates or full");
      line.events = value;
    } else if (arg == "--workers") {
      const char* value = needValue(arg);
      if (!value) return fail("--workers needs a value");
      char* end = nullptr;
      const long count = std::strtol(value, &end, 10);
      if (*value == '\0' || *end != '\0' || count < 1 || count > 1'000'000)
        return fail(std::string("--workers: '") + value + "' is not an integer from 1 to 1000000");
      line.workers = static_cast<int>(count);
    } else if (arg == "--set") {
      const char* value = needValue(arg);
      if (!value) return fail("--set needs PATH=VALUE");
      line.overrides.emplace_back(value);
    } else if (arg == "--bind" || arg == "--telemetry" || arg == "--control" || arg == "--dashboard") {
      const char* value = needValue(arg);
      if (!value) return fail(std::string(arg) + " needs a ZeroMQ endpoint such as tcp://127.0.0.1:5555");
      std::string why;
      if (!net::parseEndpoint(value, &why)) return fail(std::string(arg) + " " + value + ": " + why);
      if (arg == "--bind") line.bindEndpoint = value;
      else if (arg == "--telemetry") line.telemetryEndpoint = value;
      else if (arg == "--dashboard") line.dashboardEndpoint = value;
      else line.controlEndpoint = value;
    } else if (arg == "--local-workers") {
      const char* value = needValue(arg);
      if (!value) return fail("--local-workers needs a value");
      char* end = nullptr;
      const long count = std::strtol(value, &end, 10);
      if (*value == '\0' || *end != '\0' || count < 0 || count > 1'000'000)
        return fail(std::string("--local-workers: '") + value + "' is not an integer from 0 to 1000000");
      line.localWorkers = static_cast<int>(count);
    } else if (arg == "--setup-timeout") {
      const char* value = needValue(arg);
      if (!value) return fail("--setup-timeout needs a number of seconds");
      char* end = nullptr;
      const double seconds = std::strtod(value, &end);
      if (*value == '\0' || *end != '\0' || !(seconds > 0.0 && seconds <= 86400.0))
        return fail(std::string("--setup-timeout: '") + value +
                    "' is not a number of seconds from 0 to 86400");
      line.setupTimeout = seconds;
    } else if (arg == "--malformed-limit") {
      const char* value = needValue(arg);
      if (!value) return fail("--malformed-limit needs a value");
      char* end = nullptr;
      const long limit = std::strtol(value, &end, 10);
      if (*value == '\0' || *end != '\0' || limit < 0 || limit > 1'000'000'000)
        return fail(std::string("--malformed-limit: '") + value + "' is not an integer from 0 to 1000000000");
      line.malformedLimit = static_cast<int>(limit);
    } else if (arg == "--out") {
      const char* value = needValue(arg);
      if (!value) return fail("--out needs a folder");
      line.outDirectory = value;
    } else if (arg == "--base-dir") {
      const char* value = needValue(arg);
      if (!value) return fail("--base-dir needs a folder");
      line.baseDirectory = value;
    } else if (arg == "--store") {
      const char* value = needValue(arg);
      if (!value) return fail("--store needs a path");
      line.storePath = value;
    } else if (arg.starts_with("-") && arg != "-") {
      return fail("unknown option '" + std::string(arg) + "' (see --help)");
    } else if (!line.experimentPath.empty()) {
      return fail("only one experiment file may be given ('" + line.experimentPath + "' and '" + std::string(arg) + "')");
    } else {
      line.experimentPath = arg;
    }
  }
  if (!line.help && !line.version && !line.list && line.experimentPath.empty())
    return fail("no experiment file given (see --help)");
  return line;
}

}  // namespace distopt::app
