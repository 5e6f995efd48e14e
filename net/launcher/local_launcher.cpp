#include "net/launcher/local_launcher.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/launcher/worker_exit_report.hpp"

namespace distopt::net {

std::string describeExitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = strsignal(signal);
    return "killed by signal " + std::to_string(signal) +
           (name ? std::string(" (") + name + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(status);
}

std::string runningProgram(const std::string& fallback) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? fallback : self.string();
}

std::string LocalLauncher::defaultWorkerBinary() {
  const std::string self = runningProgram({});
  if (self.empty()) return "distopt-worker";
  return (std::filesystem::path(self).parent_path() / "distopt-worker").string();
}

LocalLauncher::LocalLauncher(std::string workerBinary)
    : m_binary(workerBinary.empty() ? defaultWorkerBinary() : std::move(workerBinary)) {}

LocalLauncher::~LocalLauncher() { stopAll(std::chrono::milliseconds(500)); }

bool LocalLauncher::checkWorkerBinary(std::string* why) const {
  if (access(m_binary.c_str(), X_OK) == 0) return true;
  if (why) *why = "worker program not found or not executable: " + m_binary;
  return false;
}

ProcessSpec LocalLauncher::workerSpec(int id, const std::string& endpoint, double waitSeconds,
                                      const std::string& serverKey, const std::string& joinToken) const {
  char wait[32];
  std::snprintf(wait, sizeof wait, "%g", waitSeconds);
  std::vector<std::string> argv = {m_binary,           "--connect", endpoint, "--id",
                                   std::to_string(id), "--wait",    wait};
  if (!serverKey.empty()) argv.insert(argv.end(), {"--server-key", serverKey});
  ProcessSpec spec{.workerId = id,
                   .argv = std::move(argv),
                   .environment = {},
                   .stdinText = {},
                   .label = {},
                   .supervisedWorkers = {}};
  if (!joinToken.empty()) spec.environment.push_back("DISTOPT_JOIN_TOKEN=" + joinToken);
  return spec;
}

bool LocalLauncher::spawn(const ProcessSpec& spec, std::string* why) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  const pid_t parent = getpid();
  std::vector<const char*> argv;
  for (const auto& word : spec.argv) argv.push_back(word.c_str());
  argv.push_back(nullptr);
  std::vector<const char*> environment;
  for (char** variable = environ; *variable; ++variable) {
    const std::string_view entry(*variable);
    bool replaced = false;
    for (const auto& extra : spec.environment)
      replaced = replaced || entry.substr(0, entry.find('=') + 1) ==
                                 std::string_view(extra).substr(0, extra.find('=') + 1);
    if (!replaced) environment.push_back(*variable);
  }
  for (const auto& extra : spec.environment) environment.push_back(extra.c_str());
  environment.push_back(nullptr);
  int input[2] = {-1, -1};
  int errors[2] = {-1, -1};
  if (!spec.stdinText.empty() && pipe2(input, O_CLOEXEC) != 0) input[0] = input[1] = -1;
  if (!spec.label.empty() && pipe2(errors, O_CLOEXEC) != 0) errors[0] = errors[1] = -1;
  const bool searchPath = spec.argv.front().find('/') == std::string::npos;

  const pid_t pid = fork();
  if (pid < 0) {
    if (why) *why = std::string("fork failed: ") + std::strerror(errno);
    for (int fd : {input[0], input[1], errors[0], errors[1]})
      if (fd >= 0) close(fd);
    return false;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    const int in = input[0] >= 0 ? input[0] : open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (errors[1] >= 0) dup2(errors[1], STDERR_FILENO);
    // The coordinator's own signal dispositions must not leak into the worker.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (searchPath)
      execvpe(argv[0], const_cast<char* const*>(argv.data()), const_cast<char* const*>(environment.data()));
    else
      execve(argv[0], const_cast<char* const*>(argv.data()), const_cast<char* const*>(environment.data()));
    _exit(127);
  }
  Child child{spec.workerId,
              pid,
              true,
              -1,
              spec.label,
              {},
              !spec.supervisedWorkers.empty(),
              spec.supervisedWorkers,
              spec.exitReports,
              {}};
  if (input[0] >= 0) {
    close(input[0]);
    // Small (a key), so the pipe buffer holds it: the write never blocks. The child may already be gone
    // (ssh failing at once): that must be EPIPE for us, not a SIGPIPE that kills the coordinator.
    sigset_t pipeSignal;
    sigset_t previous;
    sigemptyset(&pipeSignal);
    sigaddset(&pipeSignal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous);
    [[maybe_unused]] const auto written = write(input[1], spec.stdinText.data(), spec.stdinText.size());
    const timespec noWait{0, 0};
    sigtimedwait(&pipeSignal, nullptr, &noWait);  // drop the SIGPIPE this write may have raised
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    close(input[1]);
  }
  if (errors[1] >= 0) {
    close(errors[1]);
    fcntl(errors[0], F_SETFL, O_NONBLOCK);
    child.stderrFd = errors[0];
  }
  m_children.push_back(std::move(child));
  return true;
}

void LocalLauncher::readOutput(Child& child) {
  if (child.stderrFd < 0) return;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(child.stderrFd, buffer, sizeof buffer);
    if (n > 0) {
      child.pending.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      close(child.stderrFd);
      child.stderrFd = -1;
      if (!child.pending.empty()) child.pending += '\n';
    }
    break;
  }
  std::size_t newline = 0;
  while ((newline = child.pending.find('\n')) != std::string::npos) {
    const std::string line = child.pending.substr(0, newline);
    child.pending.erase(0, newline + 1);
    // Only a report for a worker this process stands for, once: another machine's output cannot end
    // workers of another host, nor one twice.
    std::vector<WorkerExitInfo> reports;
    if (child.exitReports)
      reports = child.exitReports(line);
    else if (auto report = parseWorkerExitReport(line))
      reports.push_back(std::move(*report));
    for (const auto& report : reports) {
      if (const auto it = std::find(child.unreported.begin(), child.unreported.end(), report.workerId);
          it != child.unreported.end()) {
        child.unreported.erase(it);
        m_reported.push_back({report.workerId, report.pid, report.description + " on " + child.label, -1});
      }
    }
    if (reports.empty() && !line.empty()) child.lastLine = line.substr(0, 400);
    m_lines.push_back("[" + child.label + "] " + line);
  }
}

std::vector<std::string> LocalLauncher::takeOutput() {
  for (auto& child : m_children) readOutput(child);
  return std::exchange(m_lines, {});
}

std::vector<WorkerExitInfo> LocalLauncher::reap() {
  std::vector<WorkerExitInfo> exited = std::exchange(m_reported, {});
  // One look, without reaping, for any child that ended: with a thousand workers, a waitpid per child
  // every 10 ms was most of what a coordinator on a busy machine could do.
  siginfo_t info{};
  if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0) return exited;
  for (auto& child : m_children) {
    if (!child.alive) continue;
    int status = 0;
    const pid_t result = waitpid(child.pid, &status, WNOHANG);
    if (result != child.pid) continue;
    child.alive = false;
    if (!child.supervisor) {
      exited.push_back({child.workerId, child.pid, describeExitStatus(status),
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1});
      continue;
    }
    // A supervisor: what it wrote before it ended (its last reports) first, then its end is the end of
    // every worker it did not report.
    readOutput(child);
    for (auto& report : std::exchange(m_reported, {})) exited.push_back(std::move(report));
    for (const int worker : std::exchange(child.unreported, {}))
      exited.push_back({worker, child.pid,
                        "gone with the process that started it (" + child.label + "), which " +
                            describeExitStatus(status) +
                            (child.lastLine.empty() ? std::string() : "; it said: " + child.lastLine),
                        -1});
  }
  return exited;
}

void LocalLauncher::signalAll(int signal) {
  for (const auto& child : m_children)
    if (child.alive) kill(child.pid, signal);
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

bool LocalLauncher::hasSupervisors() const {
  return std::any_of(m_children.begin(), m_children.end(),
                     [](const Child& child) { return child.supervisor; });
}

int LocalLauncher::running() const {
  int count = 0;
  for (const auto& child : m_children) count += child.alive ? 1 : 0;
  return count;
}

}  // namespace distopt::net
