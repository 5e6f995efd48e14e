#pragma once
// distopt-run on a cluster (docs/cluster.md): a fixed coordinator identity (--server-key-file), a fixed
// join token ($DISTOPT_JOIN_TOKEN), fresh key files (--make-key-file), and the join file workers read
// (--join-file).

#include <string>

#include "net/coordinator/worker_pool.hpp"
#include "net/security/join_file.hpp"

namespace distopt::app {

/// --make-key-file PATH: writes a fresh key pair, prints its public key. Returns the exit status.
int makeKeyFileCommand(const std::string& path);

/// The coordinator's key pair from `serverKeyFile` (when not empty) and the join token from
/// $DISTOPT_JOIN_TOKEN (when set, for a secured run) into `security`. False with *why for a key file
/// others may read, a malformed one, or a malformed token (the token itself is never shown).
bool loadFixedIdentity(const std::string& serverKeyFile, net::SecurityOptions* security, std::string* why);

/// The join command as the log shows it: a join token fixed in advance (a cluster's secret, long-lived)
/// is shown as "$DISTOPT_JOIN_TOKEN", never in the clear; a fresh per-run token is shown as it is.
std::string joinCommandForLog(std::string command, const net::SecurityOptions& security);

/// The run's join file: written once the sockets are bound, removed when the run ends (a later worker
/// must not join a coordinator that is gone). Removed only if it still holds what this run wrote.
class JoinFile {
 public:
  JoinFile() = default;
  ~JoinFile();
  JoinFile(const JoinFile&) = delete;
  JoinFile& operator=(const JoinFile&) = delete;

  bool write(const std::string& path, const net::JoinInfo& info, std::string* why);

 private:
  std::string m_path;
  std::string m_text;
};

}  // namespace distopt::app
