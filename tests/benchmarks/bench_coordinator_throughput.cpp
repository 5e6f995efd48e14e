// Coordinator throughput: updates per second of the live engine (in this process, with real
// distopt-worker processes on loopback) for d = 1e3, 1e5, 1e6 and 1, 4, 16 workers, against a bare
// ZeroMQ DEALER/ROUTER request-reply loop in the same run that moves the same bytes: requests the size
// of a JOB (header, 40-byte meta, 8 + 8d vector), replies the size of a GRAD (header, 48-byte meta,
// 8 + 8d vector), one outstanding request per peer, the same number of peers, each with its own
// ZeroMQ context as each worker process has. The peers run twice: as processes of their own,
// as the workers are (the like-for-like baseline), and as threads of this process (cheaper to switch
// between, so a stricter baseline); both ratios are printed. A third loop, for reference, adds the
// live run's arithmetic to the process loop (the peers compute λ ⊙ x into the reply, the router takes
// an ASGD step into a fresh model frame per reply): its ratio is what is left of the gap once the
// algorithm's own arithmetic, which the bare loops skip, is counted on both sides.
//
// The live runs inject no delay: time model "natural" (a live worker sleeps 0 extra), problem
// "diagonal-quadratic" without noise (gradient O(d)), vanilla ASGD, stopped by an update count. The
// rate is updates / engine time, which starts when every worker is ready (set-up is not counted).
// Target: coordinator rate >= 0.8 x bare loop. Each repeat runs the four kinds back to back; the
// figures are medians over the repeats, the ratios medians of each repeat's ratio.
//
//   build/bench/bench_coordinator_throughput [--scale X] [--repeat N]
//     X multiplies every update count (default 1); N repeats (default 5)
//   [--d D] [--workers W] [--only live|bare|bare-processes|bare-threads|bare-arithmetic]
//     one dimension / worker count only, and only one kind of run (for profiling one side)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bench_support.hpp"
#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/frame_memory.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"

extern char** environ;

namespace {

using namespace distopt;
using Clock = std::chrono::steady_clock;

struct LiveFigure {
  double updatesPerSecond = 0.0;
  std::uint64_t updates = 0;
  double seconds = 0.0;
  std::string failure;
};

LiveFigure runCoordinator(int d, int workers, std::uint64_t updates) {
  const double unitMs = 1.0;
  nlohmann::json document = {
      {"name", "throughput"},
      {"seed", 1},
      {"engine", "live"},
      {"problem",
       {{"name", "diagonal-quadratic"},
        {"params", {{"d", d}, {"lambda_min", 1.0}, {"lambda_max", 10.0}, {"noise_std", 0.0}}}}},
      {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.01}}}}},
      {"workers", {{"count", workers}, {"time_model", {{"name", "natural"}, {"params", nlohmann::json::object()}}},
                   {"unit_ms", unitMs}}},
      {"stop", {{"updates", updates}}},
      {"eval", {{"every_updates", updates}, {"grad_norm", false}, {"accuracy", false}}}};
  LiveFigure figure;
  try {
    Experiment experiment = parseExperiment(document, ".");
    BuiltRun run = buildRun(experiment);
    net::LiveOptions options;
    options.workerBinary = bench::workerBinary();
    options.telemetryEndpoint.clear();
    options.controlEndpoint.clear();
    TelemetrySink sink;
    const auto role = net::makeLiveCoordinator(experiment, run);
    net::LiveEngine engine(experiment, *run.problem, *role, run.rules, options, sink);
    std::string why;
    if (!engine.bind(&why)) {
      figure.failure = why;
      return figure;
    }
    const RunSummary summary = engine.run();
    if (summary.termination != Termination::UpdateLimit) {
      figure.failure = std::string(terminationName(summary.termination)) + ": " + summary.terminationDetail;
      return figure;
    }
    figure.updates = summary.updatesApplied;
    figure.seconds = summary.time * unitMs / 1000.0;
    figure.updatesPerSecond = static_cast<double>(figure.updates) / figure.seconds;
  } catch (const InputError& e) {
    figure.failure = e.what();
  }
  return figure;
}

/// One peer of the bare loop: answers every request with a GRAD-sized reply until "stop". With
/// `arithmetic`, the reply is the live worker's gradient of the request's vector (λ ⊙ x, written into
/// the reply frame as the worker writes into its GRAD frame); without, a fixed buffer copied by zmq.
void runBarePeer(const std::string& endpoint, std::size_t vectorBytes, bool arithmetic) {
  zmq::context_t peerContext(1);
  zmq::socket_t dealer(peerContext, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  const std::string header(net::kHeaderSize, 'h');
  const std::string meta(net::kGradMetaSize, 'm');
  const std::string vector(vectorBytes, 'g');
  const auto d = static_cast<Eigen::Index>((vectorBytes - 8) / 8);
  const Vector curvature = Vector::LinSpaced(d, 1.0, 10.0);
  dealer.send(zmq::buffer(header));  // "ready"
  while (true) {
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(dealer, std::back_inserter(request))) break;
    if (request.size() == 1) break;  // stop
    dealer.send(zmq::buffer(header), zmq::send_flags::sndmore);
    dealer.send(zmq::buffer(meta), zmq::send_flags::sndmore);
    if (!arithmetic) {
      dealer.send(zmq::buffer(vector));
      continue;
    }
    zmq::message_t reply(vectorBytes);
    std::memcpy(reply.data(), request.back().data(), 8);
    Eigen::Map<Vector>(static_cast<double*>(reply.data()) + 1, d) =
        curvature.array() * Eigen::Map<const Vector>(static_cast<const double*>(request.back().data()) + 1, d).array();
    dealer.send(reply, zmq::send_flags::none);
  }
}

enum class PeerKind { Thread, Process };

/// The median; 0 for none.
double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

/// Bare request-reply loop with the same frame sizes; returns round trips per second. With
/// `arithmetic` (process peers only) the loop also does the live run's arithmetic: the peers compute
/// the gradient, and the router takes an ASGD step into a fresh model frame per reply.
double runBareLoop(int d, int peers, std::uint64_t roundTrips, PeerKind peerKind, const std::string& self,
                   bool arithmetic = false) {
  const std::size_t vectorBytes = 8 + 8 * static_cast<std::size_t>(d);
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::router_mandatory, 1);
  router.set(zmq::sockopt::sndhwm, 0);
  router.set(zmq::sockopt::rcvhwm, 0);
  router.set(zmq::sockopt::rcvtimeo, 60000);  // a peer that died must not hang the benchmark
  router.bind("tcp://127.0.0.1:*");
  const std::string endpoint = router.get(zmq::sockopt::last_endpoint);

  // Peers as threads of this process, or as processes of their own (this program again, with
  // --bare-peer), which is what the live run's workers are: a switch between processes also changes
  // the address space, one between threads does not.
  std::vector<std::thread> threads;
  std::vector<pid_t> children;
  for (int p = 0; p < peers; ++p) {
    if (peerKind == PeerKind::Thread) {
      threads.emplace_back([&endpoint, vectorBytes] { runBarePeer(endpoint, vectorBytes, false); });
      continue;
    }
    const std::string bytes = std::to_string(vectorBytes);
    const char* argv[] = {self.c_str(), "--bare-peer", endpoint.c_str(), bytes.c_str(),
                          arithmetic ? "arithmetic" : "plain", nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) {
      std::perror("posix_spawn");
      std::exit(1);
    }
    children.push_back(pid);
  }

  std::vector<zmq::message_t> identities;
  while (static_cast<int>(identities.size()) < peers) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(router, std::back_inserter(frames))) {
      std::fprintf(stderr, "bare loop: a peer did not start within 60 s\n");
      std::exit(1);
    }
    identities.push_back(std::move(frames.front()));
  }
  const std::string header(net::kHeaderSize, 'H');
  const std::string meta(net::kJobMetaSize, 'M');
  auto model = std::make_unique<zmq::message_t>(vectorBytes);
  std::memset(model->data(), 0, vectorBytes);
  auto sendJob = [&](const zmq::message_t& identity) {
    zmq::message_t id(identity.data(), identity.size());
    zmq::message_t body;
    body.copy(*model);  // shared, as the coordinator shares one encoded model
    router.send(id, zmq::send_flags::sndmore);
    router.send(zmq::buffer(header), zmq::send_flags::sndmore);
    router.send(zmq::buffer(meta), zmq::send_flags::sndmore);
    router.send(body, zmq::send_flags::none);
  };

  const auto start = Clock::now();
  for (const auto& identity : identities) sendJob(identity);
  std::uint64_t done = 0;
  while (done < roundTrips) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(router, std::back_inserter(frames))) {
      std::fprintf(stderr, "bare loop: no reply for 60 s (a peer died?)\n");
      std::exit(1);
    }
    ++done;
    if (arithmetic) {
      auto next = std::make_unique<zmq::message_t>(vectorBytes);
      std::memcpy(next->data(), model->data(), 8);
      Eigen::Map<Vector>(static_cast<double*>(next->data()) + 1, d) =
          Eigen::Map<const Vector>(static_cast<const double*>(model->data()) + 1, d) -
          0.01 * Eigen::Map<const Vector>(static_cast<const double*>(frames.back().data()) + 1, d);
      model = std::move(next);
    }
    if (done + static_cast<std::uint64_t>(peers) <= roundTrips) sendJob(frames.front());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& identity : identities) {
    zmq::message_t id(identity.data(), identity.size());
    router.send(id, zmq::send_flags::sndmore);
    router.send(zmq::buffer(std::string("stop")), zmq::send_flags::none);
  }
  for (auto& thread : threads) thread.join();
  for (const pid_t pid : children) waitpid(pid, nullptr, 0);
  return static_cast<double>(roundTrips) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--bare-peer") == 0) {
    runBarePeer(argv[2], static_cast<std::size_t>(std::strtoull(argv[3], nullptr, 10)),
                std::strcmp(argv[4], "arithmetic") == 0);
    return 0;
  }
  // As distopt-run does: the coordinator below runs in this process (and so does the bare loop, which
  // gets the same allocator).
  net::keepLargeFrameMemory();
  std::error_code error;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
  double scale = 1.0;
  int repeat = 5;
  int onlyD = 0;
  int onlyWorkers = 0;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--scale") == 0) scale = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--d") == 0)
      onlyD = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--workers") == 0)
      onlyWorkers = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--only") == 0)
      only = argv[i + 1];
  }
  const bool runLive = only.empty() || only == "live";
  const bool runProcesses = only.empty() || only == "bare" || only == "bare-processes";
  const bool runThreads = only.empty() || only == "bare" || only == "bare-threads";
  const bool runArithmetic = only.empty() || only == "bare" || only == "bare-arithmetic";

  struct Size {
    int d;
    std::uint64_t updates;
  };
  // Long enough that 16 workers each answer about 20 jobs at d = 1e6 (start-up is then a small part).
  const Size sizes[] = {{1000, 6000}, {100000, 2400}, {1000000, 300}};
  const int workerCounts[] = {1, 4, 16};
  constexpr double kTarget = 0.8;

  std::printf("Coordinator throughput (asgd, diagonal-quadratic, natural time, loopback TCP), medians of %d repeats; worker: %s\n",
              repeat, bench::workerBinary().c_str());
  std::printf("Bare loops: peers as processes (as the workers are), as threads of this process, and as processes\n"
              "doing the live run's arithmetic (gradient on the peer, step on the router; for reference, not the target).\n\n");
  std::printf("%9s %8s %9s %14s %16s %7s %16s %7s %16s %7s   %s\n", "d", "workers", "updates", "coordinator/s",
              "bare, processes", "ratio", "bare, threads", "ratio", "bare+arithmetic", "ratio",
              "target >= 0.8 (processes / threads)");
  const auto benchStart = Clock::now();
  int metProcesses = 0;
  int metThreads = 0;
  int total = 0;
  auto ratioText = [](double ratio) {
    char text[16];
    if (ratio > 0.0) std::snprintf(text, sizeof text, "%7.2f", ratio);
    else std::snprintf(text, sizeof text, "%7s", "-");
    return std::string(text);
  };
  for (const auto& size : sizes) {
    if (onlyD > 0 && size.d != onlyD) continue;
    for (const int workers : workerCounts) {
      if (onlyWorkers > 0 && workers != onlyWorkers) continue;
      const auto updates = std::max<std::uint64_t>(static_cast<std::uint64_t>(workers) * 4,
                                                   static_cast<std::uint64_t>(static_cast<double>(size.updates) * scale));
      // Each repeat runs the four kinds back to back and takes the ratios of that repeat; the figures
      // printed are medians over the repeats. On a shared (virtual) machine the rate of any one run
      // drifts by +-30 %; a ratio of neighbouring runs drifts much less, and a median ignores the odd
      // lucky or unlucky run that a best-of would pick.
      std::vector<double> liveRates, processRates, threadRates, arithmeticRates, processRatios, threadRatios,
          arithmeticRatios;
      std::string failure;
      for (int r = 0; r < repeat && failure.empty(); ++r) {
        double liveRate = 0.0;
        if (runLive) {
          const LiveFigure attempt = runCoordinator(size.d, workers, updates);
          failure = attempt.failure;
          liveRate = attempt.updatesPerSecond;
          liveRates.push_back(liveRate);
        }
        if (runProcesses) {
          processRates.push_back(runBareLoop(size.d, workers, updates, PeerKind::Process, self));
          if (runLive) processRatios.push_back(liveRate / processRates.back());
        }
        if (runThreads) {
          threadRates.push_back(runBareLoop(size.d, workers, updates, PeerKind::Thread, self));
          if (runLive) threadRatios.push_back(liveRate / threadRates.back());
        }
        if (runArithmetic) {
          arithmeticRates.push_back(runBareLoop(size.d, workers, updates, PeerKind::Process, self, true));
          if (runLive) arithmeticRatios.push_back(liveRate / arithmeticRates.back());
        }
      }
      ++total;
      if (!failure.empty()) {
        std::printf("%9d %8d %9llu  live run failed: %s\n", size.d, workers, static_cast<unsigned long long>(updates),
                    failure.c_str());
        continue;
      }
      const double processRatio = median(processRatios);
      const double threadRatio = median(threadRatios);
      const bool processesMet = processRatio >= kTarget;
      const bool threadsMet = threadRatio >= kTarget;
      metProcesses += processesMet ? 1 : 0;
      metThreads += threadsMet ? 1 : 0;
      const char* processVerdict = processRatio > 0.0 ? (processesMet ? "met" : "NOT met") : "-";
      const char* threadVerdict = threadRatio > 0.0 ? (threadsMet ? "met" : "NOT met") : "-";
      std::printf("%9d %8d %9llu %14.1f %16.1f %s %16.1f %s %16.1f %s   %s / %s\n", size.d, workers,
                  static_cast<unsigned long long>(updates), median(liveRates), median(processRates),
                  ratioText(processRatio).c_str(), median(threadRates), ratioText(threadRatio).c_str(),
                  median(arithmeticRates), ratioText(median(arithmeticRatios)).c_str(),
                  processVerdict, threadVerdict);
      std::fflush(stdout);
    }
  }
  std::printf("\nratio >= %.1f met in %d of %d configurations against peer processes, %d of %d against peer threads; "
              "total %.1f s\n",
              kTarget, metProcesses, total, metThreads, total,
              std::chrono::duration<double>(Clock::now() - benchStart).count());
  return 0;
}
