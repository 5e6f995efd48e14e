#pragma once
// Which process wrote a run, so that a later reader can tell a run still going from one whose
// coordinator died without finishing it (a SIGKILL, a crash, a power cut). A pid alone is not enough:
// pids are reused, so the process's start time (from /proc) is kept with it.

#include <cstdint>
#include <string>

namespace distopt {

struct ProcessIdentity {
  std::string host;              ///< gethostname()
  int pid = 0;                   ///< 0 = unknown (runs recorded before schema 3)
  std::uint64_t startTicks = 0;  ///< /proc/PID/stat start time (clock ticks after boot); 0 = unknown

  /// This process.
  static ProcessIdentity current();
  /// The local host name (empty if it cannot be read).
  static std::string localHost();
  /// True when this process is known to be gone: it ran on this host and no process with its pid (and
  /// start time, when known) exists. False when it may still run, including on another host.
  bool knownGone() const;
};

}  // namespace distopt
