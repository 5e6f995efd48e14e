// Many local workers: set-up of the quickstart experiment (resources/experiments/quickstart.json, ringmaster
// ASGD on a d = 256 quadratic) with 256, 512 and 1024 local worker processes, each run by the real
// distopt-run. For each run: how many workers were set up, the set-up time (the coordinator's own line
// "N workers ready after S s of set-up"), the coordinator's peak resident memory (VmHWM, read from
// /proc every 50 ms until it exits) and its exit status. The baseline, measured in the same session, is
// the same experiment with 16 workers: the ratio is set-up seconds per worker against the baseline's.
//
//   build/bench/bench_many_workers [--counts 256,512,1024] [--repeat N] [--units U]
//     counts: worker counts to run (default 256,512,1024); N runs of each (default 1); U: run length in
//     time units after set-up (default 20)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

struct RunFigures {
  int workers = 0;
  int ready = -1;  // workers set up; -1 when the run said nothing
  double setupSeconds = -1.0;
  long peakKb = 0;
  int exitStatus = -1;
  std::string failure;
};

std::string runProgram() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "distopt-run";
  return (self.parent_path().parent_path() / "bin" / "distopt-run").string();
}

long vmHwmKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

RunFigures runOnce(int workers, int units) {
  RunFigures figures;
  figures.workers = workers;
  const auto out = std::filesystem::temp_directory_path() /
                   ("bench-many-workers-" + std::to_string(getpid()) + "-" + std::to_string(workers));
  const std::string experiment = std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments/quickstart.json";
  std::vector<std::string> words = {runProgram(), experiment,
                                    "--workers",  std::to_string(workers),
                                    "--set",      "stop.time=" + std::to_string(units),
                                    "--set",      "eval.interval=" + std::to_string(units),
                                    "--out",      out.string(),
                                    "--no-store", "--quiet"};
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  int errors[2];
  if (pipe2(errors, O_CLOEXEC) != 0) return figures;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, errors[1], STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errors[1], STDOUT_FILENO);  // the summary names a failure
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(errors[1]);
  if (spawned != 0) {
    close(errors[0]);
    figures.failure = std::string("cannot start ") + argv[0] + ": " + std::strerror(spawned);
    return figures;
  }
  fcntl(errors[0], F_SETFL, O_NONBLOCK);
  std::string text;
  int status = 0;
  while (true) {
    figures.peakKb = std::max(figures.peakKb, vmHwmKb(pid));
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(errors[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ssize_t n = 0;
  char buffer[4096];
  while ((n = read(errors[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  close(errors[0]);
  figures.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::smatch match;
  static const std::regex ready("(\\d+) workers ready after ([0-9.]+) s of set-up");
  static const std::regex partial("(\\d+) of (\\d+) workers ready");
  static const std::regex failed("(termination +failed[^\\n]*|distopt-run: [^\\n]*(set-up|failed)[^\\n]*)");
  if (std::regex_search(text, match, ready)) {
    figures.ready = std::stoi(match[1]);
    figures.setupSeconds = std::stod(match[2]);
  } else if (std::regex_search(text, match, partial)) {
    figures.ready = std::stoi(match[1]);
  }
  if (figures.exitStatus != 0 || figures.ready != workers) {
    if (std::regex_search(text, match, failed))
      figures.failure = match[0];
    else
      figures.failure = text.substr(text.size() > 300 ? text.size() - 300 : 0);
  }
  std::error_code error;
  std::filesystem::remove_all(out, error);
  return figures;
}

void print(const RunFigures& f, double baselinePerWorker) {
  const double perWorker = f.setupSeconds > 0 ? f.setupSeconds / f.workers : -1.0;
  std::printf("%8d %8d %10.2f %14.3f %8.2f %10.1f %5d  %s\n", f.workers, f.ready, f.setupSeconds,
              perWorker * 1000.0,
              baselinePerWorker > 0 && perWorker > 0 ? perWorker / baselinePerWorker : 0.0,
              static_cast<double>(f.peakKb) / 1024.0, f.exitStatus, f.failure.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts = {256, 512, 1024};
  int repeat = 1;
  int units = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--counts" && i + 1 < argc) {
      counts.clear();
      std::stringstream list(argv[++i]);
      std::string item;
      while (std::getline(list, item, ',')) counts.push_back(std::atoi(item.c_str()));
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--units" && i + 1 < argc) {
      units = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench_many_workers [--counts 256,512,1024] [--repeat N] [--units U]\n");
      return 2;
    }
  }
  std::printf("quickstart set-up with many local workers (%u cores); baseline: 16 workers\n",
              std::thread::hardware_concurrency());
  std::printf("%8s %8s %10s %14s %8s %10s %5s\n", "workers", "set up", "set-up s", "ms per worker", "ratio",
              "peak MiB", "exit");
  const RunFigures baseline = runOnce(16, units);
  const double baselinePerWorker = baseline.setupSeconds > 0 ? baseline.setupSeconds / 16.0 : -1.0;
  print(baseline, baselinePerWorker);
  int failures = 0;
  for (const int count : counts) {
    for (int r = 0; r < repeat; ++r) {
      const RunFigures figures = runOnce(count, units);
      print(figures, baselinePerWorker);
      failures += figures.ready == count && figures.exitStatus == 0 ? 0 : 1;
    }
  }
  std::printf("runs that did not set up every worker: %d\n", failures);
  return failures == 0 ? 0 : 1;
}
