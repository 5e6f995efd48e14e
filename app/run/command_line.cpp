#include "command_line.hpp"

#include <utility>

#include "app/cli/option_parser.hpp"
#include "net/protocol/endpoint.hpp"

namespace distopt::app {

const char* const kRunUsage =
    "Usage: distopt-run EXPERIMENT.json [options]\n"
    "       distopt-run --list [--json]\n"
    "       distopt-run runs list|show|export|delete|prune ...   (the run store; see runs --help)\n"
    "       distopt-run EXPERIMENT.json --sweep PATH=VALUES --seeds 1..3 ...   (see --sweep --help)\n"
    "       distopt-run SWEEP.json                     (a sweep or comparison file, e.g. resources/sweeps/)\n"
    "\n"
    "Runs an experiment file without the GUI and writes its results.\n"
    "\n"
    "  --engine sim|live   simulated (virtual time) or live worker processes (default: the file's engine)\n"
    "  --workers N         number of workers (overrides workers.count)\n"
    "  --set PATH=VALUE    override any field by its JSON path, e.g. --set algorithm.params.gamma=0.04\n"
    "                      (VALUE is JSON when it parses as JSON, else a string; repeatable)\n"
    "  --out DIR           write the result files (summary.json, evaluations.csv, delays.csv.gz, ...) to DIR\n"
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
    "                      (default 60 plus 0.4 per worker; local workers wait as long for the\n"
    "                      coordinator's first answer)\n"
    "  --telemetry ENDPOINT  publish live telemetry here (default tcp://127.0.0.1:*)\n"
    "  --control ENDPOINT  accept status/stop requests here: ipc:///FOLDER/NAME, FOLDER private (0700,\n"
    "                      yours; made when missing) (default: a new folder under $XDG_RUNTIME_DIR/distopt\n"
    "                      or /tmp/distopt-UID, removed at exit)\n"
    "  --secure            encrypt and authenticate the worker socket with CURVE (required when --bind\n"
    "                      is beyond loopback); prints the command line that lets a remote worker join\n"
    "  --server-key-file F  the coordinator's key pair from F (JSON or ZeroMQ certificate, not readable by\n"
    "                      others) instead of a fresh one: a fixed identity; implies --secure.\n"
    "                      A secured run's join token is $DISTOPT_JOIN_TOKEN when set, else a fresh one\n"
    "  --join-file PATH    write what a worker needs to join (endpoint, server key, join token) to PATH,\n"
    "                      0600, once the sockets are bound (distopt-worker --join-file); removed at the end\n"
    "  --make-key-file PATH  write a fresh key pair to PATH (0600), print its public key, and exit\n"
    "  --sbatch            print a Slurm batch script that runs this run in one allocation (coordinator\n"
    "                      in the batch step, every worker in one srun step; docs/cluster.md), and exit\n"
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
    "  --json              with --list: the same as one JSON document\n"
    "  --print-config      print the experiment as it would run (validated, --set applied, defaults\n"
    "                      filled) as JSON and exit; nothing is read beyond the file, nothing is written\n"
    "  --help              show this text\n"
    "  --version           show the program version\n"
    "\n"
    "Options take their value as the next word or after '=' (--out DIR, --out=DIR).\n"
    "Ctrl-C (SIGINT) or SIGTERM stops the run cleanly: results and the run's record are closed and say\n"
    "it was interrupted; a second Ctrl-C ends the program at once.\n"
    "\n"
    "Exit status: 0 done, 1 run failed (diverged or could not go on), 2 bad input,\n"
    "130 interrupted by Ctrl-C (143 by SIGTERM).\n";

namespace {

TakeValue takeEndpoint(const std::string& option, std::optional<std::string>* target) {
  return [=](const std::string& value) {
    std::string why;
    if (!net::parseEndpoint(value, &why)) return option + " " + value + ": " + why;
    *target = value;
    return std::string();
  };
}

}  // namespace

std::optional<RunCommandLine> parseRunCommandLine(int argc, const char* const* argv, std::string* error) {
  RunCommandLine line;
  auto fail = [error](const std::string& text) -> std::optional<RunCommandLine> {
    if (error) *error = text;
    return std::nullopt;
  };
  OptionParser parser;
  parser.flag("-h,--help", &line.help);
  parser.flag("--version", &line.version);
  parser.flag("--list", &line.list);
  parser.flag("--json", &line.json);
  parser.flag("--print-config", &line.printConfig);
  parser.flag("--no-store", &line.noStore);
  parser.flag("--secure", &line.secure);
  parser.flag("--sbatch", &line.sbatch);
  parser.flag("-q,--quiet", &line.quiet);
  parser.option("--allow-key", "--allow-key needs a value", appendText(&line.allowKeys));
  parser.option("--allow-key-file", "--allow-key-file needs a value", appendText(&line.allowKeyFiles));
  parser.option("--allow-dashboard-key", "--allow-dashboard-key needs a value",
                appendText(&line.dashboardKeys));
  parser.option("--allow-dashboard-key-file", "--allow-dashboard-key-file needs a value",
                appendText(&line.dashboardKeyFiles));
  parser.option("--engine", "--engine needs a value: sim or live",
                takeChoice("--engine", {"sim", "live"}, &line.engine));
  parser.option("--events", "--events needs a value: aggregates or full",
                takeChoice("--events", {"aggregates", "full"}, &line.events));
  parser.option("--workers", "--workers needs a value",
                takeInteger("--workers", 1, 1'000'000, &line.workers));
  parser.option("--set", "--set needs PATH=VALUE", appendText(&line.overrides));
  for (auto [name, target] :
       {std::pair{"--bind", &line.bindEndpoint}, std::pair{"--telemetry", &line.telemetryEndpoint},
        std::pair{"--control", &line.controlEndpoint}, std::pair{"--dashboard", &line.dashboardEndpoint}})
    parser.option(name, std::string(name) + " needs a ZeroMQ endpoint such as tcp://127.0.0.1:5555",
                  takeEndpoint(name, target));
  parser.option("--local-workers", "--local-workers needs a value",
                takeInteger("--local-workers", 0, 1'000'000, &line.localWorkers));
  parser.option("--setup-timeout", "--setup-timeout needs a number of seconds",
                takeSeconds("--setup-timeout", 86400.0, &line.setupTimeout));
  parser.option("--malformed-limit", "--malformed-limit needs a value",
                takeInteger("--malformed-limit", 0, 1'000'000'000, &line.malformedLimit));
  parser.option("--join-file", "--join-file needs a file name", takeText(&line.joinFile));
  parser.option("--server-key-file", "--server-key-file needs a file name", takeText(&line.serverKeyFile));
  parser.option("--make-key-file", "--make-key-file needs a file name", takeText(&line.makeKeyFile));
  parser.option("--out", "--out needs a folder", takeText(&line.outDirectory));
  parser.option("--base-dir", "--base-dir needs a folder", takeText(&line.baseDirectory));
  parser.option("--store", "--store needs a path", takeText(&line.storePath));
  std::vector<std::string> files;
  parser.positionals(&files);

  std::string why;
  if (!parser.parse(argc, argv, &why)) return fail(why);
  if (files.size() > 1)
    return fail("only one experiment file may be given ('" + files[0] + "' and '" + files[1] + "')");
  if (!files.empty()) line.experimentPath = files[0];
  if (line.json && !line.list) return fail("--json goes with --list");
  if (line.printConfig && line.list) return fail("--print-config and --list exclude each other");
  if (!line.help && !line.version && !line.list && !line.makeKeyFile && line.experimentPath.empty())
    return fail("no experiment file given (see --help)");
  return line;
}

}  // namespace distopt::app
