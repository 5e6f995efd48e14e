#include "sweep_runner.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"
#include "sweep_report.hpp"
#include "sweep_table.hpp"

extern char** environ;

namespace distopt::app {
namespace {

std::atomic<int> g_signals{0};
void onSignal(int) { g_signals.fetch_add(1); }

// Installed without SA_RESTART, so a signal wakes waitpid (EINTR) and the loop can pass it on.
struct SignalScope {
  struct sigaction oldInt {
  }, oldTerm{};
  SignalScope() {
    g_signals = 0;
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &oldInt);
    sigaction(SIGTERM, &action, &oldTerm);
  }
  ~SignalScope() {
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
  }
};

std::string formatSeconds(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  char text[48];
  if (s < 60)
    std::snprintf(text, sizeof text, "%lld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%lld min %02lld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld h %02lld min", s / 3600, (s / 60) % 60);
  return text;
}

// The last non-empty line a failed run wrote: usually its reason ("distopt-run: ...").
std::string lastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last.substr(0, 300);
}

std::string exitText(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "ended abnormally";
}

nlohmann::json pointParams(const SweepRun& run) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [path, value] : run.assignments) params[path] = value;
  return params;
}

class Progress {
 public:
  Progress(bool quiet, int total) : m_quiet(quiet), m_total(total), m_terminal(isatty(STDERR_FILENO) != 0) {}

  void show(int done, int failed, int diverged, int running, int finishedHere) {
    if (m_quiet) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    // Runs finished in this process per second of it, so a resumed sweep does not count the old ones.
    const int left = m_total - done - failed;
    std::string eta = "-";
    if (left == 0)
      eta = "0 s";
    else if (finishedHere > 0)
      eta = formatSeconds(elapsed * left / finishedHere);
    char text[256];
    std::snprintf(text, sizeof text, "sweep: %d/%d done, %d running, %d failed, %d diverged; %s, ETA %s",
                  done, m_total, running, failed, diverged, formatSeconds(elapsed).c_str(), eta.c_str());
    if (m_terminal)
      std::fprintf(stderr, "\r%-100s", text);
    else
      std::fprintf(stderr, "%s\n", text);
    std::fflush(stderr);
  }
  void end() {
    if (!m_quiet && m_terminal) std::fprintf(stderr, "\n");
  }

 private:
  bool m_quiet;
  int m_total;
  bool m_terminal;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// sweep.json: the plan of the sweep in this folder. A folder holding another plan is refused, so two
// sweeps never mix their runs (and a resumed sweep runs exactly what was planned).
void claimFolder(const SweepPlan& plan) {
  std::error_code error;
  std::filesystem::create_directories(plan.outDirectory, error);
  if (error) throw InputError(plan.outDirectory, "cannot create the sweep folder: " + error.message());
  const std::string path = plan.outDirectory + "/sweep.json";
  const nlohmann::json described = plan.describe();
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const auto existing = nlohmann::json::parse(text.str(), nullptr, false);
    if (existing != described)
      throw InputError(plan.outDirectory,
                       "holds another sweep (its sweep.json differs from this command's); "
                       "give the same command to resume it, or choose another --out");
    return;
  }
  writeJsonFile(path, described);
}

}  // namespace

nlohmann::json SweepPlan::describe() const {
  // Not the jobs: running more or fewer at a time is the same sweep.
  nlohmann::json sweep = sweepToJson(spec);
  sweep.erase("jobs");
  return {{"experiment", experimentPath}, {"arguments", arguments}, {"sweep", sweep}, {"runs", runs.size()}};
}

int runSweep(const SweepPlan& plan) {
  claimFolder(plan);
  const int pointCount = plan.runs.empty() ? 0 : plan.runs.back().point + 1;

  std::unique_ptr<RunStore> store;
  std::int64_t sweepId = 0;
  std::string storeLost;
  if (plan.storePath) {
    store = RunStore::open(*plan.storePath);
    if (const auto found = store->findSweep(plan.outDirectory))
      sweepId = *found;
    else
      sweepId = store->createSweep({plan.name, plan.outDirectory, plan.describe().dump()});
  }
  // Linking a finished run into its sweep: a store that fails here loses the grouping, not the run.
  auto link = [&](const SweepResult& result) {
    if (!store) return;
    const auto location = readStoreLocation(result.folder);
    if (!location) return;
    try {
      store->addSweepRun(sweepId, location->runId, result.run.point, result.run.seed,
                         pointParams(result.run).dump());
    } catch (const std::exception& e) {
      if (storeLost.empty()) storeLost = std::string("the run store: ") + e.what();
    }
  };

  std::vector<SweepResult> results;
  std::vector<std::size_t> queue;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const std::string folder = plan.outDirectory + "/" + plan.runs[i].folderName(pointCount);
    results.push_back(readSweepResult(plan.runs[i], folder));
    if (results.back().state == SweepRunState::Done)
      link(results.back());
    else
      queue.push_back(i);
  }

  auto count = [&](SweepRunState state) {
    int n = 0;
    for (const auto& r : results) n += r.state == state;
    return n;
  };
  auto diverged = [&] {
    int n = 0;
    for (const auto& r : results)
      n += r.state == SweepRunState::Done && r.summary.value("termination", "") == "diverged";
    return n;
  };
  const int total = static_cast<int>(plan.runs.size());
  const int doneBefore = count(SweepRunState::Done);
  if (!plan.quiet && doneBefore > 0)
    std::fprintf(stderr, "sweep: resuming in %s: %d of %d runs already done\n", plan.outDirectory.c_str(),
                 doneBefore, total);
  Progress progress(plan.quiet, total);
  std::string tableLost;
  auto writeTable = [&] {
    try {
      writeSweepTable(plan.outDirectory + "/sweep.csv", plan.spec, results);
    } catch (const InputError& e) {
      tableLost = e.what();
    }
  };

  SignalScope signals;
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  int finishedHere = 0;
  int forwarded = 0;
  for (auto& r : results)
    if (r.state != SweepRunState::Done) {
      r.state = SweepRunState::Pending;
      r.why.clear();
    }
  progress.show(count(SweepRunState::Done), 0, diverged(), 0, 0);

  while (true) {
    const bool stopping = g_signals.load() > 0;
    while (!stopping && next < queue.size() && static_cast<int>(running.size()) < plan.spec.jobs) {
      const std::size_t index = queue[next++];
      SweepResult& result = results[index];
      // A stopped or failed run of an earlier attempt starts again from an empty folder.
      std::error_code error;
      std::filesystem::remove_all(result.folder, error);
      std::filesystem::create_directories(result.folder, error);
      std::vector<std::string> args{plan.program, plan.experimentPath};
      args.insert(args.end(), plan.arguments.begin(), plan.arguments.end());
      for (const auto& assignment : result.run.overrides()) {
        args.push_back("--set");
        args.push_back(assignment);
      }
      args.insert(args.end(), {"--out", result.folder, "--quiet"});
      if (plan.storePath)
        args.insert(args.end(), {"--store", *plan.storePath});
      else
        args.push_back("--no-store");
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);

      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      const std::string log = result.folder + "/run.log";
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0644);
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
      posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
      // Its own process group: a terminal's Ctrl-C reaches the sweep only, which passes one SIGINT on.
      posix_spawnattr_t attributes;
      posix_spawnattr_init(&attributes);
      posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
      posix_spawnattr_setpgroup(&attributes, 0);
      pid_t pid = 0;
      const int rc = posix_spawn(&pid, plan.program.c_str(), &actions, &attributes, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attributes);
      if (rc != 0) {
        result.state = SweepRunState::Failed;
        result.why = std::string("cannot start ") + plan.program + ": " + std::strerror(rc);
        ++finishedHere;
        continue;
      }
      running[pid] = index;
    }
    if (running.empty()) break;
    progress.show(count(SweepRunState::Done), count(SweepRunState::Failed), diverged(),
                  static_cast<int>(running.size()), finishedHere);

    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) break;
      const int signalsSeen = g_signals.load();
      if (signalsSeen > forwarded) {
        // First: each run stops cleanly and writes its results; again: they are killed.
        for (const auto& [child, index] : running) kill(child, signalsSeen == 1 ? SIGINT : SIGKILL);
        forwarded = signalsSeen;
        if (!plan.quiet) {
          progress.end();
          std::fprintf(stderr, "sweep: %s %zu running run(s)...\n", signalsSeen == 1 ? "stopping" : "killing",
                       running.size());
        }
      }
      continue;
    }
    const auto found = running.find(pid);
    if (found == running.end()) continue;
    SweepResult& result = results[found->second];
    running.erase(found);
    ++finishedHere;
    const SweepRun run = result.run;
    const std::string folder = result.folder;
    result = readSweepResult(run, folder);
    if (result.state == SweepRunState::Pending) {
      result.state = SweepRunState::Failed;
      result.why = exitText(status);
      const std::string reason = lastLine(folder + "/run.log");
      if (!reason.empty()) result.why += ": " + reason;
    }
    if (result.state == SweepRunState::Done) link(result);
    writeTable();
  }
  writeTable();
  if (const std::string lost = writeSweepReport(plan.outDirectory, plan.name, plan.spec, results);
      !lost.empty() && tableLost.empty())
    tableLost = lost;
  progress.end();

  const bool stopped = g_signals.load() > 0;
  const int done = count(SweepRunState::Done);
  const int failed = count(SweepRunState::Failed);
  if (store) {
    try {
      store->endSweep(sweepId, stopped ? "stopped" : failed > 0 ? "failed" : "finished");
    } catch (const std::exception& e) {
      if (storeLost.empty()) storeLost = std::string("the run store: ") + e.what();
    }
  }
  std::printf("sweep: %d of %d runs done (%d diverged), %d failed%s", done, total, diverged(), failed,
              stopped ? ", stopped" : "");
  if (doneBefore > 0) std::printf("; resumed, %d already done before", doneBefore);
  std::printf("\n");
  for (const auto& r : results)
    if (r.state == SweepRunState::Failed)
      std::printf("  failed %s: %s\n", std::filesystem::path(r.folder).filename().c_str(), r.why.c_str());
  std::printf("sweep table %s/sweep.csv (sweep.md, sweep.svg)\n", plan.outDirectory.c_str());
  if (plan.storePath)
    std::printf("run store %s (sweep %lld)\n", plan.storePath->c_str(), static_cast<long long>(sweepId));
  for (const auto* lost : {&tableLost, &storeLost})
    if (!lost->empty()) std::fprintf(stderr, "distopt-run: %s\n", lost->c_str());
  if (stopped) return 130;
  return failed > 0 || !tableLost.empty() || !storeLost.empty() ? 1 : 0;
}

}  // namespace distopt::app
