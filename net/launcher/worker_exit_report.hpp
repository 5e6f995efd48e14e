#pragma once
// The line a per-host supervisor (distopt-worker --count K, started over one ssh connection) writes on
// its standard error when one of its workers exits, and the coordinator's reading of it: the coordinator
// sees one ssh process per host, and learns each worker's end from these lines.
//
//   distopt-worker-exit worker=ID pid=PID DESCRIPTION
//
// The coordinator reads it from another machine's output: anything that is not exactly this shape is an
// ordinary log line.

#include <optional>
#include <string>
#include <string_view>

#include "net/launcher/local_launcher.hpp"

namespace distopt::net {

/// The report line (without a newline) for worker `workerId`, process `pid`, ended as `description`
/// (describeExitStatus).
std::string formatWorkerExitReport(int workerId, pid_t pid, const std::string& description);

/// The report in `line`; nullopt for any other line.
std::optional<WorkerExitInfo> parseWorkerExitReport(std::string_view line);

}  // namespace distopt::net
