#pragma once
// Starting a worker on another machine through ssh: the user's own ssh (keys, agent, ~/.ssh/config,
// jump hosts), in batch mode so a missing key fails at once instead of prompting. Any other launcher
// (a cluster scheduler, a container runtime) needs only the worker's command line, which is the same.

#include <string>
#include <vector>

#include "core/config/experiment.hpp"

namespace distopt::net {

/// The ssh client to run: $DISTOPT_SSH when set (a wrapper, or a test double), else "ssh".
std::string sshProgram();

/// argv that starts worker `workerId` of `host` connecting to `endpoint`. With `serverKey`, the worker
/// reads its join token from standard input (`--join-token -`), so the token appears on neither
/// machine's command line.
std::vector<std::string> sshWorkerCommand(const RemoteHost& host, const std::string& endpoint, int workerId,
                                          const std::string& serverKey);

/// `text` in single quotes for a POSIX shell (the remote side of ssh runs its command through one).
std::string shellQuote(const std::string& text);

}  // namespace distopt::net
