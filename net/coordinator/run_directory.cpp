#include "net/coordinator/run_directory.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/protocol/endpoint.hpp"

namespace distopt::net {
namespace {

constexpr const char* kLockName = "lock";

bool fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

std::string parentOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// mkdir 0700, or an existing private folder; false with *why for anything else.
bool ensurePrivateDirectory(const std::string& path, std::string* why) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(why, "cannot create " + path + ": " + std::strerror(errno));
  return isPrivateDirectory(path, why);
}

/// Removes the entries of the folder `fd` that are not folders (sockets, the lock file), never following
/// a symlink, then the folder itself when `removeSelf`.
void removeContents(int fd, const std::string& path, bool removeSelf) {
  const int listing = dup(fd);
  DIR* dir = listing >= 0 ? fdopendir(listing) : nullptr;
  if (dir) {
    while (const dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      unlinkat(fd, name.c_str(), 0);  // a folder inside is left alone (then so is this one)
    }
    closedir(dir);
  } else if (listing >= 0) {
    close(listing);
  }
  if (removeSelf) rmdir(path.c_str());
}

std::optional<std::string> homeForRuns() {
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR");
      runtime && *runtime == '/' && isPrivateDirectory(runtime))
    return std::string(runtime) + "/distopt";
  return std::nullopt;
}

}  // namespace

bool isPrivateDirectory(const std::string& path, std::string* why) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) return fail(why, path + ": " + std::strerror(errno));
  if (S_ISLNK(info.st_mode)) return fail(why, path + " is a symbolic link, not a private folder");
  if (!S_ISDIR(info.st_mode)) return fail(why, path + " is not a folder");
  if (info.st_uid != geteuid())
    return fail(why, path + " belongs to user " + std::to_string(info.st_uid) + ", not to this user (" +
                         std::to_string(geteuid()) + ")");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "0%03o", static_cast<unsigned>(info.st_mode & 0777));
    return fail(why, path + " has mode " + mode + ": others may enter it (it must be 0700)");
  }
  return true;
}

std::optional<std::string> runDirectoryBase(std::string* why) {
  std::string base;
  if (auto home = homeForRuns()) {
    base = *home;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    base = std::string(tmp && *tmp == '/' ? tmp : "/tmp") + "/distopt-" + std::to_string(geteuid());
  }
  if (!ensurePrivateDirectory(base, why)) {
    if (why) *why = "the folder for runs' control sockets: " + *why;
    return std::nullopt;
  }
  return base;
}

std::string newRunDirectoryName() {
  std::random_device device;
  char name[64];
  std::snprintf(name, sizeof name, "run-%d-%08x", static_cast<int>(getpid()), device());
  return name;
}

std::unique_ptr<RunDirectory> RunDirectory::create(std::string* why) {
  const auto base = runDirectoryBase(why);
  if (!base) return nullptr;
  return claim(*base + "/" + newRunDirectoryName(), why);
}

std::unique_ptr<RunDirectory> RunDirectory::claim(const std::string& path, std::string* why) {
  if (path.empty() || path.front() != '/') {
    fail(why, "'" + path + "' is not an absolute path");
    return nullptr;
  }
  const std::string parent = parentOf(path);
  if (const auto base = runDirectoryBase(nullptr); base && *base == parent) sweepStaleRunDirectories(*base);
  bool created = false;
  if (mkdir(path.c_str(), 0700) == 0) {
    created = true;
    // Made where others may have a say (a parent open to them) it could be renamed away under us.
    std::string parentWhy;
    if (!isPrivateDirectory(parent, &parentWhy)) {
      rmdir(path.c_str());
      fail(why, "the control socket's folder must be in a private folder: " + parentWhy);
      return nullptr;
    }
  } else if (errno != EEXIST) {
    fail(why, "cannot create " + path + ": " + std::strerror(errno));
    return nullptr;
  }
  if (!isPrivateDirectory(path, why)) {
    if (created) rmdir(path.c_str());
    return nullptr;
  }
  const int dirFd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const int lockFd =
      dirFd >= 0 ? openat(dirFd, kLockName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
  if (dirFd >= 0) close(dirFd);
  if (lockFd < 0) {
    if (created) rmdir(path.c_str());
    fail(why, "cannot lock " + path + ": " + std::strerror(errno));
    return nullptr;
  }
  if (flock(lockFd, LOCK_EX | LOCK_NB) != 0) {
    close(lockFd);
    fail(why, path + " is in use by another run");
    return nullptr;
  }
  return std::unique_ptr<RunDirectory>(new RunDirectory(path, lockFd, created));
}

RunDirectory::~RunDirectory() {
  const int dirFd = open(m_path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirFd >= 0) {
    if (m_created) {
      removeContents(dirFd, m_path, true);
    } else {
      unlinkat(dirFd, kLockName, 0);  // a folder the user gave: only what this run put there
    }
    close(dirFd);
  }
  if (m_lockFd >= 0) close(m_lockFd);  // after the removal: no other run sweeps it meanwhile
}

int sweepStaleRunDirectories(const std::string& base) {
  const int baseFd = open(base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (baseFd < 0) return 0;
  DIR* dir = fdopendir(baseFd);
  if (!dir) {
    close(baseFd);
    return 0;
  }
  int swept = 0;
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind("run-", 0) != 0) continue;  // run folders only (newRunDirectoryName)
    struct stat info {};
    if (fstatat(baseFd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(info.st_mode) ||
        info.st_uid != geteuid())
      continue;
    const int runFd = openat(baseFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (runFd < 0) continue;
    bool stale = false;
    const int lockFd = openat(runFd, kLockName, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (lockFd >= 0) {
      stale = flock(lockFd, LOCK_EX | LOCK_NB) == 0;  // held until the folder is gone
    } else {
      // Made by a run that died before it locked it, or named by a GUI whose run never started.
      stale = now - info.st_mtime > 60;
    }
    if (stale) {
      removeContents(runFd, base + "/" + name, true);
      ++swept;
    }
    if (lockFd >= 0) close(lockFd);
    close(runFd);
  }
  closedir(dir);
  return swept;
}

std::optional<std::string> ipcSocketDirectory(const std::string& endpoint, std::string* why) {
  const auto parsed = parseEndpoint(endpoint, why);
  if (!parsed) return std::nullopt;
  if (parsed->transport != "ipc") {
    fail(why, "'" + endpoint + "' is not an ipc:// endpoint");
    return std::nullopt;
  }
  const std::string& path = parsed->path;
  if (path.front() != '/') {
    fail(why, "'" + endpoint +
                  "' is not an absolute path (ipc:///FOLDER/NAME; the abstract namespace (@) and * "
                  "have no owner and no mode)");
    return std::nullopt;
  }
  const std::string folder = parentOf(path);
  if (folder == path || path.back() == '/') {
    fail(why, "'" + endpoint + "' names no socket file");
    return std::nullopt;
  }
  return folder;
}

bool claimControlDirectory(const std::string& endpoint, std::unique_ptr<RunDirectory>* directory,
                           std::string* why) {
  std::string reason;
  const auto folder = ipcSocketDirectory(endpoint, &reason);
  if (folder) *directory = RunDirectory::claim(*folder, &reason);
  if (folder && *directory) return true;
  return fail(why,
              "control " + endpoint + ": " + reason +
                  ". The control socket answers with the run's join token and stops the run: it must be an "
                  "ipc:// socket in a folder only you can enter (by default distopt-run makes one; see "
                  "net/PROTOCOL.md §4.6)");
}

std::optional<std::string> newControlEndpoint(std::string* why) {
  const auto base = runDirectoryBase(why);
  if (!base) return std::nullopt;
  return "ipc://" + *base + "/" + newRunDirectoryName() + "/control";
}

}  // namespace distopt::net
