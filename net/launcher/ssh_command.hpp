#pragma once
// Starting a worker on another machine through ssh: the user's own ssh (keys, agent, ~/.ssh/config,
// jump hosts), in batch mode so a missing key fails at once instead of prompting. Any other launcher
// (a cluster scheduler, a container runtime) needs only the worker's command line, which is the same.

#include <string>
#include <vector>

#include "core/config/experiment.hpp"
#include "net/launcher/local_launcher.hpp"

namespace distopt::net {

/// The ssh client to run: $DISTOPT_SSH when set (a wrapper, or a test double), else "ssh".
std::string sshProgram();

/// argv that starts all of `host`'s workers, ids `firstId` to firstId + host.count - 1, over one ssh
/// connection (`distopt-worker --count`: a supervisor there starts them and reports each one's exit), so
/// a host with many workers costs one ssh session, not one per worker (sshd's MaxStartups). Each waits up
/// to `waitSeconds` for the coordinator. With `serverKey`, the supervisor reads the join token from
/// standard input (`--join-token -`), so the token appears on neither machine's command line.
std::vector<std::string> sshHostCommand(const RemoteHost& host, const std::string& endpoint, int firstId,
                                        double waitSeconds, const std::string& serverKey);

/// The process that starts `host`'s workers (sshHostCommand, the token on its standard input, exits
/// reported per worker), labelled "HOST worker N" or "HOST workers N-M" in the coordinator's log.
ProcessSpec sshHostSpec(const RemoteHost& host, const std::string& endpoint, int firstId, double waitSeconds,
                        const std::string& serverKey, const std::string& joinToken);

/// `text` in single quotes for a POSIX shell (the remote side of ssh runs its command through one).
std::string shellQuote(const std::string& text);

}  // namespace distopt::net
