#include "net/launcher/local_launcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <thread>

namespace distopt::net {

std::string describeExitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = strsignal(signal);
    return "killed by signal " + std::to_string(signal) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(status);
}

std::string LocalLauncher::defaultWorkerBinary() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "distopt-worker";
  return (self.parent_path() / "distopt-worker").string();
}

LocalLauncher::LocalLauncher(std::string workerBinary)
    : m_binary(workerBinary.empty() ? defaultWorkerBinary() : std::move(workerBinary)) {}

LocalLauncher::~LocalLauncher() { stopAll(std::chrono::milliseconds(500)); }

bool LocalLauncher::launch(int firstId, int count, const std::string& endpoint, std::string* why,
                           const std::string& serverKey, const std::string& joinToken) {
  if (access(m_binary.c_str(), X_OK) != 0) {
    if (why) *why = "worker program not found or not executable: " + m_binary;
    return false;
  }
  const pid_t parent = getpid();
  // The environment, plus the join token of a secured run.
  const std::string tokenVariable = "DISTOPT_JOIN_TOKEN=" + joinToken;
  std::vector<const char*> environment;
  for (char** variable = environ; *variable; ++variable)
    if (std::strncmp(*variable, "DISTOPT_JOIN_TOKEN=", 19) != 0) environment.push_back(*variable);
  if (!joinToken.empty()) environment.push_back(tokenVariable.c_str());
  environment.push_back(nullptr);
  for (int id = firstId; id < firstId + count; ++id) {
    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    const std::string idText = std::to_string(id);
    std::vector<const char*> argv = {m_binary.c_str(), "--connect", endpoint.c_str(), "--id", idText.c_str()};
    if (!serverKey.empty()) {
      argv.push_back("--server-key");
      argv.push_back(serverKey.c_str());
    }
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
      if (why) *why = std::string("fork failed: ") + std::strerror(errno);
      stopAll(std::chrono::milliseconds(200));
      return false;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
      const int devNull = open("/dev/null", O_RDONLY);
      if (devNull >= 0) dup2(devNull, STDIN_FILENO);
      // The coordinator's own signal dispositions must not leak into the worker.
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      execve(argv[0], const_cast<char* const*>(argv.data()), const_cast<char* const*>(environment.data()));
      _exit(127);
    }
    m_children.push_back({id, pid, true});
  }
  return true;
}

std::vector<WorkerExitInfo> LocalLauncher::reap() {
  std::vector<WorkerExitInfo> exited;
  for (auto& child : m_children) {
    if (!child.alive) continue;
    int status = 0;
    const pid_t result = waitpid(child.pid, &status, WNOHANG);
    if (result == child.pid) {
      child.alive = false;
      exited.push_back({child.workerId, child.pid, describeExitStatus(status)});
    }
  }
  return exited;
}

bool LocalLauncher::waitAll(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running() > 0 && std::chrono::steady_clock::now() < deadline) {
    reap();
    if (running() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return running() == 0;
}

void LocalLauncher::stopAll(std::chrono::milliseconds grace) {
  for (auto& child : m_children)
    if (child.alive) kill(child.pid, SIGTERM);
  waitAll(grace);
  for (auto& child : m_children) {
    if (!child.alive) continue;
    kill(child.pid, SIGKILL);
    int status = 0;
    waitpid(child.pid, &status, 0);
    child.alive = false;
  }
}

pid_t LocalLauncher::pidOf(int workerId) const {
  for (const auto& child : m_children)
    if (child.workerId == workerId) return child.pid;
  return -1;
}

int LocalLauncher::running() const {
  int count = 0;
  for (const auto& child : m_children) count += child.alive ? 1 : 0;
  return count;
}

}  // namespace distopt::net
