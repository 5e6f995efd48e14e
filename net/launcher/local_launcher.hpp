#pragma once
// Starts distopt-worker processes on this machine for a run. Workers never outlive the coordinator:
// each child asks the kernel for SIGKILL when its parent dies (PR_SET_PDEATHSIG), and the launcher's
// destructor stops and reaps whatever is still running. Thread: the coordinator's.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace distopt::net {

struct WorkerExitInfo {
  int workerId = -1;
  pid_t pid = -1;
  std::string description;  ///< e.g. "exited with status 3" or "killed by signal 9 (Killed)"
  int exitCode = -1;        ///< its exit status; -1 when killed by a signal, or not known (reported)
};

/// One process to start: a worker (locally, or through ssh on another machine).
struct ProcessSpec {
  int workerId = -1;
  std::vector<std::string> argv;         ///< argv[0] without a '/' is looked up in PATH
  std::vector<std::string> environment;  ///< "NAME=value" added to (or replacing in) ours
  std::string stdinText;                 ///< written to its standard input, which is then closed
  std::string label;                     ///< non-empty: capture its stderr as lines "[label] ..."
  /// Non-empty: the process stands for these workers (a per-host supervisor over ssh, with a label).
  /// Each one's exit report on its stderr (worker_exit_report.hpp) ends that worker; the process's own
  /// exit ends those not reported by then. workerId is then the first of them.
  std::vector<int> supervisedWorkers;
  /// For such a process: the workers' exits reported on one line of its stderr; empty = the per-host
  /// supervisor's report lines (worker_exit_report.hpp). srun reports its tasks in its own words.
  std::function<std::vector<WorkerExitInfo>(std::string_view line)> exitReports;
};

class LocalLauncher {
 public:
  /// `workerBinary`: path of distopt-worker; empty = next to the running program.
  explicit LocalLauncher(std::string workerBinary = {});
  ~LocalLauncher();
  LocalLauncher(const LocalLauncher&) = delete;
  LocalLauncher& operator=(const LocalLauncher&) = delete;

  /// The process of local worker `id` connecting to `endpoint`, waiting up to `waitSeconds` for the
  /// coordinator's first answer (distopt-worker --wait). For a secured run, `serverKey` and `joinToken`:
  /// the token travels in the child's environment (DISTOPT_JOIN_TOKEN), not on its command line, where
  /// every user of the machine could read it.
  ProcessSpec workerSpec(int id, const std::string& endpoint, double waitSeconds,
                         const std::string& serverKey = {}, const std::string& joinToken = {}) const;
  /// The worker program's path.
  const std::string& workerBinary() const { return m_binary; }
  /// False with *why when the worker program is missing or not executable.
  bool checkWorkerBinary(std::string* why) const;
  /// Starts one process that dies with this one (PR_SET_PDEATHSIG). False with *why if it cannot.
  bool spawn(const ProcessSpec& spec, std::string* why);
  /// Complete stderr lines of the processes started with a label, since the last call (non-blocking).
  std::vector<std::string> takeOutput();
  /// Workers that exited since the last call (non-blocking): children, and the workers of supervisors
  /// (ProcessSpec::supervisedWorkers) that reported an exit or ended.
  std::vector<WorkerExitInfo> reap();
  /// Sends `signal` to every running child.
  void signalAll(int signal);
  /// Waits up to `timeout` for every worker to exit by itself (after a STOP); true if they all did.
  bool waitAll(std::chrono::milliseconds timeout);
  /// Asks every running worker to stop (SIGTERM), waits up to `grace`, then SIGKILLs and reaps.
  void stopAll(std::chrono::milliseconds grace);
  /// pid of worker `workerId`, or -1.
  pid_t pidOf(int workerId) const;
  /// Number of children still running.
  int running() const;
  /// True when a process stands for workers elsewhere (ProcessSpec::supervisedWorkers: ssh, srun).
  bool hasSupervisors() const;

  /// The default worker binary: distopt-worker beside this executable.
  static std::string defaultWorkerBinary();

 private:
  struct Child {
    int workerId;
    pid_t pid;
    bool alive;
    int stderrFd;  // -1 when not captured
    std::string label;
    std::string pending;          // a partial stderr line
    bool supervisor;              // stands for supervisedWorkers
    std::vector<int> unreported;  // supervised workers whose exit was not reported yet
    std::function<std::vector<WorkerExitInfo>(std::string_view)> exitReports;
    std::string lastLine;  // its last line that was not an exit report: why it ended, often
  };
  /// Reads what `child` wrote on its stderr into m_lines (complete lines), taking exit reports.
  void readOutput(Child& child);

  std::string m_binary;
  std::vector<Child> m_children;
  std::vector<std::string> m_lines;        // read, not taken yet
  std::vector<WorkerExitInfo> m_reported;  // supervised workers' exits, not reaped yet
};

/// The path of the running program (/proc/self/exe), else `fallback`.
std::string runningProgram(const std::string& fallback);

/// "exited with status N" / "killed by signal N (NAME)" for a waitpid status.
std::string describeExitStatus(int status);

}  // namespace distopt::net
