#pragma once
// Starting a run's workers through Slurm (`"launcher": "slurm"`, core/config/slurm_launch.hpp): one srun
// step for all of them, executed with an argv (never a shell). Inside an allocation (SLURM_JOB_ID set) the
// step runs in it; outside one, srun asks for an allocation itself with the partition, nodes and time
// given, as it does for any user, and gives it back when the step ends. Each task becomes worker
// FIRST + its task number (distopt-worker --slurm-first-id); the join token travels in the environment,
// which srun passes to the tasks, never on a command line. The coordinator sees one process (srun) that
// stands for every worker: srun's own lines on its standard error report the tasks that failed, and its
// end ends the workers not reported by then.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/slurm_launch.hpp"
#include "net/launcher/local_launcher.hpp"

namespace distopt::net {

/// The srun to run: $DISTOPT_SRUN when set (a wrapper, or a test double), else "srun" from PATH.
std::string srunProgram();

/// True when this process runs inside a Slurm allocation (SLURM_JOB_ID is set).
bool insideSlurmAllocation();

/// What the step is made of.
struct SrunStep {
  SlurmLaunch launch;
  int workers = 1;                ///< tasks in the step, one worker each
  int firstId = 0;                ///< task T is worker firstId + T
  std::string workerProgram;      ///< the worker program on the nodes
  std::string endpoint;           ///< the coordinator as the nodes reach it
  double waitSeconds = 60.0;      ///< each worker's wait for the coordinator (distopt-worker --wait)
  std::string serverKey;          ///< secured runs: the coordinator's public key
  bool insideAllocation = false;  ///< run the step in the current allocation (no partition, no job)
};

/// argv of the step: srun's options from the fields, then the extra srun arguments, then the worker.
std::vector<std::string> srunCommand(const SrunStep& step);

/// The process that runs the step (srunCommand, the token in its environment, exits reported per worker),
/// labelled "slurm workers N-M" in the coordinator's log.
ProcessSpec srunStepSpec(const SrunStep& step, const std::string& joinToken);

/// Workers whose end srun reports on `line` ("srun: error: NODES: task(s) LIST: WHAT"), task T as worker
/// firstId + T, among `workers` tasks; empty for any other line (a task's own output included).
std::vector<WorkerExitInfo> parseSrunTaskExits(std::string_view line, int firstId, int workers);

/// The worker id of an srun task: `firstId` + its task number `procId` ($SLURM_PROCID, 0 to 10^6 - 1).
/// nullopt with *why when there is no task number (not started by srun) or the id would pass 10^9.
std::optional<int> slurmTaskWorkerId(int firstId, const char* procId, std::string* why);

}  // namespace distopt::net
