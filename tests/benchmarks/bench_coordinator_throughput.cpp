// Coordinator throughput: updates per second of the live engine (LiveEngine in this process, with real
// distopt-worker processes on loopback) for d = 1e3, 1e5, 1e6 and 1, 4, 16 workers, against a bare
// ZeroMQ DEALER/ROUTER request-reply loop in the same run that moves the same bytes: requests the size
// of a JOB (header, 40-byte meta, 8 + 8d vector), replies the size of a GRAD (header, 48-byte meta,
// 8 + 8d vector), one outstanding request per peer, the same number of peers (threads here, each with
// its own ZeroMQ context, as each worker process has).
//
// The live runs inject no delay: time model "natural" (a live worker sleeps 0 extra), problem
// "diagonal-quadratic" without noise (gradient O(d)), vanilla ASGD, stopped by an update count. The
// rate is updates / engine time, which starts when every worker is ready (set-up is not counted).
// Target: coordinator rate >= 0.8 x bare loop. Each figure is the best of --repeat measurements (the
// two kinds alternate), which filters out other load on a shared machine.
//
//   build/bench/bench_coordinator_throughput [--scale X] [--repeat N]
//     X multiplies every update count (default 1); N measurements per figure (default 2)
//   [--d D] [--workers W] [--only live|bare]
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
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bench_support.hpp"
#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/protocol/frame_memory.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"

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
    net::LiveEngine engine(experiment, *run.problem, *run.server, run.simOptions, options, sink);
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

/// Bare request-reply loop with the same frame sizes; returns round trips per second.
double runBareLoop(int d, int peers, std::uint64_t roundTrips) {
  const std::size_t vectorBytes = 8 + 8 * static_cast<std::size_t>(d);
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::router_mandatory, 1);
  router.set(zmq::sockopt::sndhwm, 0);
  router.set(zmq::sockopt::rcvhwm, 0);
  router.bind("tcp://127.0.0.1:*");
  const std::string endpoint = router.get(zmq::sockopt::last_endpoint);

  std::vector<std::thread> threads;
  for (int p = 0; p < peers; ++p) {
    threads.emplace_back([&endpoint, vectorBytes] {
      zmq::context_t peerContext(1);
      zmq::socket_t dealer(peerContext, zmq::socket_type::dealer);
      dealer.set(zmq::sockopt::linger, 0);
      dealer.connect(endpoint);
      const std::string header(net::kHeaderSize, 'h');
      const std::string meta(net::kGradMetaSize, 'm');
      const std::string vector(vectorBytes, 'g');
      dealer.send(zmq::buffer(header));  // "ready"
      while (true) {
        std::vector<zmq::message_t> request;
        if (!zmq::recv_multipart(dealer, std::back_inserter(request))) break;
        if (request.size() == 1) break;  // stop
        dealer.send(zmq::buffer(header), zmq::send_flags::sndmore);
        dealer.send(zmq::buffer(meta), zmq::send_flags::sndmore);
        dealer.send(zmq::buffer(vector));
      }
    });
  }

  std::vector<zmq::message_t> identities;
  while (static_cast<int>(identities.size()) < peers) {
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(router, std::back_inserter(frames));
    identities.push_back(std::move(frames.front()));
  }
  const std::string header(net::kHeaderSize, 'H');
  const std::string meta(net::kJobMetaSize, 'M');
  zmq::message_t model(vectorBytes);
  std::memset(model.data(), 'x', vectorBytes);
  auto sendJob = [&](const zmq::message_t& identity) {
    zmq::message_t id(identity.data(), identity.size());
    zmq::message_t body;
    body.copy(model);  // shared, as the coordinator shares one encoded model
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
    (void)zmq::recv_multipart(router, std::back_inserter(frames));
    ++done;
    if (done + static_cast<std::uint64_t>(peers) <= roundTrips) sendJob(frames.front());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& identity : identities) {
    zmq::message_t id(identity.data(), identity.size());
    router.send(id, zmq::send_flags::sndmore);
    router.send(zmq::buffer(std::string("stop")), zmq::send_flags::none);
  }
  for (auto& thread : threads) thread.join();
  return static_cast<double>(roundTrips) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  // As distopt-run does: the coordinator below runs in this process (and so does the bare loop, which
  // gets the same allocator).
  net::keepLargeFrameMemory();
  double scale = 1.0;
  int repeat = 2;
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
  const bool runLive = only != "bare";
  const bool runBare = only != "live";

  struct Size {
    int d;
    std::uint64_t updates;
  };
  const Size sizes[] = {{1000, 6000}, {100000, 1200}, {1000000, 150}};
  const int workerCounts[] = {1, 4, 16};
  constexpr double kTarget = 0.8;

  std::printf("Coordinator throughput (asgd, diagonal-quadratic, natural time, loopback TCP), best of %d; worker: %s\n\n",
              repeat, bench::workerBinary().c_str());
  std::printf("%9s %8s %9s %16s %16s %7s %s\n", "d", "workers", "updates", "coordinator/s", "bare loop/s", "ratio",
              "target >= 0.8");
  const auto benchStart = Clock::now();
  int met = 0;
  int total = 0;
  for (const auto& size : sizes) {
    if (onlyD > 0 && size.d != onlyD) continue;
    for (const int workers : workerCounts) {
      if (onlyWorkers > 0 && workers != onlyWorkers) continue;
      const auto updates = std::max<std::uint64_t>(static_cast<std::uint64_t>(workers) * 4,
                                                   static_cast<std::uint64_t>(static_cast<double>(size.updates) * scale));
      LiveFigure live;
      double bare = 0.0;
      for (int r = 0; r < repeat && live.failure.empty(); ++r) {
        if (runLive) {
          const LiveFigure attempt = runCoordinator(size.d, workers, updates);
          if (!attempt.failure.empty() || attempt.updatesPerSecond > live.updatesPerSecond) live = attempt;
        }
        if (runBare) bare = std::max(bare, runBareLoop(size.d, workers, updates));
      }
      if (!live.failure.empty()) {
        std::printf("%9d %8d %9llu  live run failed: %s\n", size.d, workers, static_cast<unsigned long long>(updates),
                    live.failure.c_str());
        ++total;
        continue;
      }
      const double ratio = live.updatesPerSecond / bare;
      ++total;
      met += ratio >= kTarget ? 1 : 0;
      std::printf("%9d %8d %9llu %16.1f %16.1f %7.2f %s\n", size.d, workers,
                  static_cast<unsigned long long>(live.updates), live.updatesPerSecond, bare, ratio,
                  ratio >= kTarget ? "met" : "NOT met");
      std::fflush(stdout);
    }
  }
  std::printf("\nratio >= %.1f met in %d of %d configurations; total %.1f s\n", kTarget, met, total,
              std::chrono::duration<double>(Clock::now() - benchStart).count());
  return 0;
}
