#include "net/launcher/ssh_command.hpp"

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

std::vector<std::string> sshWorkerCommand(const RemoteHost& host, const std::string& endpoint, int workerId,
                                          const std::string& serverKey) {
  std::string remote =
      shellQuote(host.program) + " --connect " + shellQuote(endpoint) + " --id " + std::to_string(workerId);
  if (!serverKey.empty()) remote += " --server-key " + shellQuote(serverKey) + " --join-token -";
  // -T: no terminal (the worker's output is a log, not a session); "--" ends ssh's own options.
  return {sshProgram(), "-o", "BatchMode=yes", "-T", "--", host.host, remote};
}

}  // namespace distopt::net
