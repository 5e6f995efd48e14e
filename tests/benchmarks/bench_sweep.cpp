// A sweep's cost (issue "Tuning and fair comparisons"): the async E1 comparison (Ringmaster, Rennala,
// delay-adaptive ASGD; six step sizes each; three seeds: 54 simulated runs of 6174 workers) run by
// `distopt-run FILE --jobs 2`, against the same 54 runs one after another (`--jobs 1`, which is what a
// shell loop over distopt-run does: the same processes, one at a time). Prints wall time, bytes written
// and the largest run's peak memory for both, and the ratio.
//
// Targets: <= 60 s wall with --jobs 2 on a 2-core machine; <= 50 MB written in total.
//
//   build/bench/bench_sweep [--file SWEEP.json] [--dir FOLDER] [--skip-loop]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::uint64_t treeBytes(const fs::path& path) {
  std::error_code error;
  std::uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path, error))
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  return bytes;
}

struct Measured {
  int exitCode = -1;
  double wall = 0;
  double cpu = 0;           ///< user + system of the sweep and every run it started
  double peakChildMiB = 0;  ///< the largest run (RUSAGE_CHILDREN's maximum)
  std::uint64_t bytes = 0;
};

Measured runSweep(const std::string& file, const std::string& out, int jobs) {
  std::error_code error;
  fs::remove_all(out, error);
  const std::string program = DISTOPT_BIN_DIR "/distopt-run";
  const std::string jobText = std::to_string(jobs);
  std::vector<const char*> argv{program.c_str(), file.c_str(), "--out",         out.c_str(), "--no-store",
                                "--quiet",       "--jobs",     jobText.c_str(), nullptr};
  std::fflush(stdout);  // or the child's freopen writes what is buffered a second time
  const auto start = Clock::now();
  Measured m;
  const pid_t child = fork();
  if (child == 0) {
    if (!std::freopen("/dev/null", "w", stdout)) _exit(127);
    execv(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (child < 0 || wait4(child, &status, 0, &usage) != child) return m;
  m.wall = std::chrono::duration<double>(Clock::now() - start).count();
  m.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // wait4's usage is the sweep's own and its waited-for runs': on a shared machine the CPU time says what
  // the sweep costs, the wall time says as much about the other work.
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  m.cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  m.peakChildMiB = static_cast<double>(children.ru_maxrss) / 1024.0;
  m.bytes = treeBytes(out);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file = DISTOPT_SOURCE_DIR "/resources/sweeps/async-e1-comparison.json";
  std::string dir = (fs::temp_directory_path() / "distopt-bench-sweep").string();
  bool loop = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--file" && i + 1 < argc)
      file = argv[++i];
    else if (arg == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else if (arg == "--skip-loop")
      loop = false;
    else {
      std::fprintf(stderr, "usage: bench_sweep [--file SWEEP.json] [--dir FOLDER] [--skip-loop]\n");
      return 2;
    }
  }
  std::printf("sweep %s\n", file.c_str());
  const Measured parallel = runSweep(file, dir + "/jobs2", 2);
  std::printf(
      "  --jobs 2          : exit %d, wall %7.1f s, CPU %7.1f s, written %6.1f MB, largest run %6.1f MiB\n",
      parallel.exitCode, parallel.wall, parallel.cpu, parallel.bytes / 1e6, parallel.peakChildMiB);
  if (loop) {
    const Measured serial = runSweep(file, dir + "/jobs1", 1);
    std::printf(
        "  one at a time     : exit %d, wall %7.1f s, CPU %7.1f s, written %6.1f MB (a shell loop's "
        "processes)\n",
        serial.exitCode, serial.wall, serial.cpu, serial.bytes / 1e6);
    if (serial.wall > 0) std::printf("  speed-up of --jobs 2: %.2fx\n", serial.wall / parallel.wall);
  }
  std::printf("  targets: wall <= 60 s with --jobs 2 (%s), written <= 50 MB (%s)\n",
              parallel.wall <= 60 ? "met" : "NOT met", parallel.bytes <= 50'000'000 ? "met" : "NOT met");
  std::error_code error;
  fs::remove_all(dir, error);
  return parallel.exitCode == 0 ? 0 : 1;
}
