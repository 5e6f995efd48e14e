// Run store ingest rate: update events written (a) directly with RunStore::appendEvents in batches of
// 10k and through StoreWriter, as the coordinator does, (b) keeping every event and (c) keeping the
// aggregates (the default), timed from the first event pushed to the last one committed. Also prints what the
// producer pays per pushed event. Target: >= 200k events/s for both.
//
//   build/bench/bench_store_ingest [--events N] [--dir FOLDER]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/store/run_store.hpp"
#include "core/store/store_writer.hpp"
#include "core/util/input_error.hpp"

namespace {

using namespace distopt;
using Clock = std::chrono::steady_clock;

constexpr double kTarget = 200'000.0;

UpdateEvent makeEvent(std::uint64_t i) {
  // Shaped like a real run: times increase, a few dozen workers, delays in the tens, gradient-sized bytes.
  return UpdateEvent{.time = static_cast<double>(i) * 1e-4,
                     .worker = static_cast<int>(i % 64),
                     .jobId = i / 64,
                     .jobVersion = i > 40 ? i - 40 : 0,
                     .delay = static_cast<std::int64_t>(i % 41),
                     .outcome = (i % 10 == 0) ? Outcome::Discarded : Outcome::Accepted,
                     .versionAfter = i + 1,
                     .age = 0.01 + static_cast<double>(i % 17) * 1e-3,
                     .bytes = 8048};
}

RunRecord record(const char* name) {
  return RunRecord{
      .name = name, .algorithm = "ringmaster", .problem = "quadratic", .engine = "sim", .workers = 64};
}

double seconds(Clock::time_point from) { return std::chrono::duration<double>(Clock::now() - from).count(); }

/// CPU seconds used by the whole process (every thread): the rate per CPU second does not depend on
/// what else the machine is running, the wall-clock rate does.
double cpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double loadAverage() {
  double load = 0.0;
  if (std::FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = 0.0;
    std::fclose(file);
  }
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t total = 2'000'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0)
      total = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  const std::filesystem::path folder = dir / ("bench_store_ingest_" + std::to_string(getpid()));
  const std::string path = (folder / "runs.sqlite").string();
  int failed = 0;
  try {
    std::printf("Run store ingest: %llu update events per method into %s (load average %.1f, %u cores)\n",
                static_cast<unsigned long long>(total), path.c_str(), loadAverage(),
                std::thread::hardware_concurrency());

    // (a) Direct, 10k events per transaction.
    double directRate = 0.0;
    {
      auto store = RunStore::open(path);
      const auto id = store->createRun(record("direct"));
      constexpr std::size_t kBatch = 10'000;
      std::vector<UpdateEvent> batch;
      batch.reserve(kBatch);
      const auto start = Clock::now();
      const double cpuStart = cpuSeconds();
      for (std::uint64_t i = 0; i < total;) {
        batch.clear();
        for (; i < total && batch.size() < kBatch; ++i) batch.push_back(makeEvent(i));
        store->appendEvents(id, batch);
      }
      const double elapsed = seconds(start);
      const double cpu = cpuSeconds() - cpuStart;
      directRate = static_cast<double>(total) / elapsed;
      std::printf(
          "  appendEvents, batches of 10k : %7.2f s  %8.0f events/s   (%.2f CPU s, %.0f events per CPU s)\n",
          elapsed, directRate, cpu, static_cast<double>(total) / cpu);
    }

    // (b) Through StoreWriter with every event kept (--events full), and (c) with its default options
    // (aggregates and a sample), flushed at the end as onFinish does.
    double writerRate = 0.0;
    double aggregateRate = 0.0;
    for (const EventLog log : {EventLog::Full, EventLog::Aggregates}) {
      auto store = RunStore::open(path);
      const auto id = store->createRun(record("writer"));
      StoreWriter writer(std::move(store), id, StoreWriter::Options{.eventLog = log});
      const auto start = Clock::now();
      const double cpuStart = cpuSeconds();
      for (std::uint64_t i = 0; i < total; ++i) writer.onUpdate(makeEvent(i));
      const double pushed = seconds(start);
      if (!writer.flush()) throw std::runtime_error(writer.error());
      const double elapsed = seconds(start);
      const double cpu = cpuSeconds() - cpuStart;
      (log == EventLog::Full ? writerRate : aggregateRate) = static_cast<double>(total) / elapsed;
      std::printf(
          "  StoreWriter, %-10s events  : %7.2f s  %8.0f events/s   (%.2f CPU s, %.0f events per CPU s)\n",
          eventLogName(log), elapsed, static_cast<double>(total) / elapsed, cpu,
          static_cast<double>(total) / cpu);
      std::printf("    producer side: %.0f ns per onUpdate while the writer runs beside it\n",
                  pushed / static_cast<double>(total) * 1e9);
      if (writer.committedEvents() != total) {
        std::printf("  StoreWriter committed %llu of %llu events\n",
                    static_cast<unsigned long long>(writer.committedEvents()),
                    static_cast<unsigned long long>(total));
        ++failed;
      }
    }

    std::printf("  store file: %.1f MB\n",
                static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));
    std::printf("\nTarget >= %.0f events/s:\n", kTarget);
    for (const auto& [label, rate] :
         {std::pair{"appendEvents", directRate}, std::pair{"StoreWriter full", writerRate},
          std::pair{"StoreWriter aggregates", aggregateRate}}) {
      const bool ok = rate >= kTarget;
      std::printf("  [%s] %s: %.0f events/s\n", ok ? "ok" : "MISSED", label, rate);
      if (!ok) ++failed;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_store_ingest: %s\n", error.what());
    failed = 1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  std::printf("\n%s\n",
              failed
                  ? "Target missed (a loaded machine lowers the wall-clock rates; see the CPU-second rates)."
                  : "Target met.");
  return failed ? 1 : 0;
}
