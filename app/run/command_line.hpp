#pragma once
// distopt-run's command line. Parsing never starts anything: errors come back as text for exit 2.

#include <optional>
#include <string>
#include <vector>

namespace distopt::app {

struct RunCommandLine {
  std::string experimentPath;
  std::optional<std::string> engine;     ///< --engine live|sim (overrides the file)
  std::optional<std::string> events;     ///< --events aggregates|full (overrides the file)
  std::optional<int> workers;            ///< --workers N (overrides workers.count)
  std::vector<std::string> overrides;    ///< --set PATH=VALUE, in order
  std::optional<std::string> outDirectory;
  std::optional<std::string> storePath;
  std::optional<std::string> bindEndpoint;       ///< --bind: where workers connect
  std::optional<int> localWorkers;               ///< --local-workers: spawn this many, wait for the rest
  std::optional<double> setupTimeout;            ///< --setup-timeout: seconds for every worker to be ready
  std::optional<std::string> telemetryEndpoint;  ///< --telemetry: PUB endpoint
  std::optional<std::string> controlEndpoint;    ///< --control: control endpoint
  std::optional<std::string> baseDirectory;      ///< --base-dir: resolve relative data paths here
  bool secure = false;                           ///< --secure: CURVE on the worker socket
  std::optional<std::string> joinFile;           ///< --join-file: write what a worker needs to join here
  std::optional<std::string> serverKeyFile;      ///< --server-key-file: a fixed coordinator key pair
  std::optional<std::string> makeKeyFile;        ///< --make-key-file: write a fresh key pair, nothing else
  bool sbatch = false;                           ///< --sbatch: print a Slurm batch script for the run
  std::vector<std::string> allowKeys;            ///< --allow-key KEY: worker public keys let in
  std::vector<std::string> allowKeyFiles;        ///< --allow-key-file FILE: the same, from key files
  std::optional<std::string> dashboardEndpoint;  ///< --dashboard: the read-only dashboard feed
  std::vector<std::string> dashboardKeys;        ///< --allow-dashboard-key KEY: dashboards let in
  std::vector<std::string> dashboardKeyFiles;    ///< --allow-dashboard-key-file FILE: the same, from key files
  std::optional<int> malformedLimit;             ///< --malformed-limit: refused messages before exclusion
  bool noStore = false;                          ///< --no-store: do not record the run
  bool quiet = false;
  bool list = false;
  bool json = false;         ///< --json: --list as one JSON document
  bool printConfig = false;  ///< --print-config: the validated, normalised experiment, then exit
  bool help = false;
  bool version = false;
};

/// The set-up wait when --setup-timeout is not given: local workers start a few at a time on the
/// machine's cores, and on a loaded 2-core machine 1024 of them took up to 230 s (bench_many_workers),
/// so the wait grows with the count.
inline double defaultSetupTimeout(int workers) { return 60.0 + 0.4 * workers; }

/// Parses argv; on error returns nullopt and sets *error to a one-line message.
std::optional<RunCommandLine> parseRunCommandLine(int argc, const char* const* argv, std::string* error);

extern const char* const kRunUsage;

}  // namespace distopt::app
