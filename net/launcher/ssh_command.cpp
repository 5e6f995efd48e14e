#include "net/launcher/ssh_command.hpp"

#include <cstdio>
#include <cstdlib>

namespace distopt::net {

std::string sshProgram() {
  const char* program = std::getenv("DISTOPT_SSH");
  return program && *program ? program : "ssh";
}

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::vector<std::string> sshHostCommand(const RemoteHost& host, const std::string& endpoint, int firstId,
                                        double waitSeconds, const std::string& serverKey) {
  char wait[32];
  std::snprintf(wait, sizeof wait, "%g", waitSeconds);
  std::string remote = shellQuote(host.program) + " --connect " + shellQuote(endpoint) + " --id " +
                       std::to_string(firstId) + " --count " + std::to_string(host.count) + " --wait " + wait;
  if (!serverKey.empty()) remote += " --server-key " + shellQuote(serverKey) + " --join-token -";
  // -T: no terminal (the workers' output is a log, not a session); "--" ends ssh's own options.
  return {sshProgram(), "-o", "BatchMode=yes", "-T", "--", host.host, remote};
}

ProcessSpec sshHostSpec(const RemoteHost& host, const std::string& endpoint, int firstId, double waitSeconds,
                        const std::string& serverKey, const std::string& joinToken) {
  std::vector<int> workers;
  for (int k = 0; k < host.count; ++k) workers.push_back(firstId + k);
  const std::string label = host.host + (host.count == 1 ? " worker " + std::to_string(firstId)
                                                         : " workers " + std::to_string(firstId) + "-" +
                                                               std::to_string(firstId + host.count - 1));
  return ProcessSpec{.workerId = firstId,
                     .argv = sshHostCommand(host, endpoint, firstId, waitSeconds, serverKey),
                     .environment = {},
                     .stdinText = serverKey.empty() ? std::string() : joinToken + "\n",
                     .label = label,
                     .supervisedWorkers = std::move(workers)};
}

}  // namespace distopt::net
