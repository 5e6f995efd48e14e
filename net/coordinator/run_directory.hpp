#pragma once
// The private folder a run's control socket lives in (net/PROTOCOL.md §4.6). Whoever reaches the control
// socket can stop the run and read its join token, and an IPC socket is reachable by whoever can enter
// its folder, so the folder is this user's alone: created 0700, checked for owner and mode (a folder of
// someone else's, a symlink or one open to others is refused, never "fixed"), locked by the run that uses
// it, and removed when that run ends. Folders of runs that died without removing theirs are swept by the
// next run that makes one.
//
//   BASE = $XDG_RUNTIME_DIR/distopt   (when XDG_RUNTIME_DIR is a private folder of this user)
//        = ${TMPDIR:-/tmp}/distopt-UID  (else)
//   a run's folder = BASE/NAME, its control socket ipc://BASE/NAME/control
//
// No ZeroMQ here: the GUI names a run's folder with runDirectoryBase() before starting distopt-run.

#include <memory>
#include <optional>
#include <string>

namespace distopt::net {

/// True when `path` is a directory (not a symlink to one) owned by this user with no permission for group
/// or others; false with *why otherwise.
bool isPrivateDirectory(const std::string& path, std::string* why = nullptr);

/// BASE (above), created 0700 when missing; nullopt with *why when it exists but is not private.
std::optional<std::string> runDirectoryBase(std::string* why = nullptr);

/// A fresh folder name under BASE: "run-PID-RANDOM".
std::string newRunDirectoryName();

/// The folder of a run's private sockets, held for the run: the lock on it tells other runs it is in use.
class RunDirectory {
 public:
  /// Takes `path` for this run: creates it 0700 when it is missing and its parent is private (and then
  /// removes it at the end), or takes an existing private folder that no live run holds (and then removes
  /// only what it put there). Sweeps stale run folders under BASE first. nullptr with *why otherwise.
  static std::unique_ptr<RunDirectory> claim(const std::string& path, std::string* why);
  /// A new folder under BASE.
  static std::unique_ptr<RunDirectory> create(std::string* why);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& path() const { return m_path; }

 private:
  RunDirectory(std::string path, int lockFd, bool created)
      : m_path(std::move(path)), m_lockFd(lockFd), m_created(created) {}
  std::string m_path;
  int m_lockFd = -1;
  bool m_created = false;
};

/// Removes the run folders under `base` whose run is gone (no lock held; or, without a lock file, older
/// than a minute); returns how many. Only folders of this user; never follows a symlink.
int sweepStaleRunDirectories(const std::string& base);

/// The folder of an ipc:// endpoint's socket file ("ipc:///a/b/control" → "/a/b"); nullopt with *why for
/// anything else (tcp, an abstract-namespace or wildcard ipc path, a relative path).
std::optional<std::string> ipcSocketDirectory(const std::string& endpoint, std::string* why = nullptr);

/// Takes the folder of a control endpoint (ipcSocketDirectory, then RunDirectory::claim) for the run,
/// before any of its sockets is bound (the run's telemetry socket may live there too). False with *why.
bool claimControlDirectory(const std::string& endpoint, std::unique_ptr<RunDirectory>* directory,
                           std::string* why);

/// A control endpoint in a new run folder under BASE: ipc://BASE/run-PID-RANDOM/control.
std::optional<std::string> newControlEndpoint(std::string* why = nullptr);

}  // namespace distopt::net
