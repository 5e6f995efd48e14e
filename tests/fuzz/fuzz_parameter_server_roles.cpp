// The parameter-server family's roles (core/async_sgd/parameter_server_coordinator, _worker) under hostile
// peers: the coordinator (an AsyncServer behind JOB/CANCEL/GRAD) and three workers of a small run exchange
// their real messages, with cancellable computes held by the harness until the input lets them finish or
// a CANCEL calls them off; between them the input injects what any peer could send: GRADs from any
// worker naming any job (the current one with a wrong version, a cancelled one, a future one) with a
// gradient of the wrong size or with NaN/Inf; JOBs with no model, a model of the wrong size, zero or
// negative gradients, a stale or repeated job id; CANCELs for any job; lost workers; time jumps. A role
// refuses what its protocol does not allow (counted as malformed); nothing may crash, trip a check or an
// Eigen assertion, or grow without bound.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/async_sgd/parameter_server_coordinator.hpp"
#include "core/async_sgd/parameter_server_worker.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/random_stream.hpp"
#include "fuzz_input.hpp"
#include "fuzz_role_links.hpp"

namespace {

using namespace distopt;

constexpr int kWorkers = 3;
constexpr Eigen::Index kDimension = 3;
// Beyond this a link drops what its role sends: a role that floods cannot make the harness grow.
constexpr std::size_t kQueueBound = 64;
// Injected JOBs ask for at most this many stochastic gradients. The worker puts no upper bound on a JOB's
// count (its coordinator sizes the jobs): a huge one only makes the worker compute for long, which the
// fuzzer would report as a timeout, not as a protocol fault.
constexpr int kMaxInjectedGradients = 4;
constexpr std::uint64_t kSeed = 7;

/// A refusal the protocol demands did not happen: the fuzzer records it as a crash.
void require(bool condition) {
  if (!condition) std::abort();
}

class UnitTime final : public TimeModel {
 public:
  std::string name() const override { return "unit"; }
  int numWorkers() const override { return kWorkers; }
  double duration(int, std::uint64_t, double) const override { return 1.0; }
  double nominalTime(int) const override { return 1.0; }
  bool isDeterministic() const override { return true; }
};

nlohmann::json filled(const std::vector<OptionSpec>& specs, nlohmann::json params) {
  std::string why;
  if (!validateAndFillOptions(specs, params, "params", &why)) std::abort();  // the harness's own mistake
  return params;
}

/// The run's fixed parts, built once through the registry as an experiment file builds them.
struct Fixture {
  std::unique_ptr<Problem> problem;
  UnitTime timeModel;
  std::vector<Shard> shards;
  Vector x0;
  /// Each method the first byte chooses: a registry entry with make() and its validated params.
  std::vector<std::pair<const AlgorithmEntry*, nlohmann::json>> methods;
};

const Fixture& fixture() {
  static const Fixture built = [] {
    Fixture f;
    const ProblemEntry* problemEntry = findProblem("diagonal-quadratic");
    if (!problemEntry) std::abort();
    f.problem = problemEntry->make(
        filled(problemEntry->options,
               {{"eigenvalues", {1.0, 2.0, 5.0}}, {"x0", {1.0, -1.0, 0.5}}, {"noise_std", 0.1}}),
        ProblemBuildContext{.baseDirectory = ".", .seed = kSeed});
    RandomStream init(StreamKey{.runSeed = kSeed, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker});
    f.x0 = f.problem->initialPoint(init);
    f.shards = makeShards(*f.problem, kWorkers, ShardRule::Iid, kSeed);
    // Every parameter-server method of the registry (a new one is fuzzed without a line here) with a small
    // step, plus the settings that make the roles cancel and discard: Ringmaster A and B with a small R,
    // Rennala and minibatch waiting for two gradients.
    for (const AlgorithmEntry& entry : algorithmEntries()) {
      if (!entry.make) continue;
      std::vector<nlohmann::json> variants = {{{"gamma", 0.1}}};
      if (entry.name == "ringmaster")
        variants = {{{"gamma", 0.1}, {"R", 1}, {"variant", "A"}}, {{"gamma", 0.1}, {"R", 2}, {"variant", "B"}}};
      else if (entry.name == "rennala")
        variants = {{{"gamma", 0.1}, {"B", 2}}, {{"gamma", 0.1}, {"B", 2}, {"rennala_mode", "ignore"}}};
      else if (entry.name == "minibatch")
        variants = {{{"gamma", 0.1}, {"b", 2}}};
      for (auto& params : variants) f.methods.emplace_back(&entry, filled(entry.options, std::move(params)));
    }
    if (f.methods.size() < 6) std::abort();
    return f;
  }();
  return built;
}

/// The coordinator's link: what it sends is queued per worker until a step delivers it.
struct Wires final : fuzz::QueuedCoordinatorLink<PsDown, PsUp> {
  Wires() : QueuedCoordinatorLink(kWorkers, kQueueBound) {}
  bool send(int worker, PsDown&& message) override {
    require(worker >= 0 && worker < kWorkers);  // the role names only the run's workers
    return QueuedCoordinatorLink::send(worker, std::move(message));
  }
};

/// A worker's link: a cancellable compute's result waits here until a step lets it finish (it then
/// joins the coordinator's queue) or the worker calls it off.
struct WorkerSide final : fuzz::QueuedWorkerLink<PsDown, PsUp> {
  using QueuedWorkerLink::QueuedWorkerLink;
  void sendAfterCancellableCompute(double tauUnits, PsUp&& message) override {
    require(std::isfinite(tauUnits) && tauUnits >= 0.0);
    if (computing.size() < kQueueBound) computing.emplace_back(wires.time + tauUnits, std::move(message));
  }
  void cancelCompute() override { computing.clear(); }

  std::deque<std::pair<double, PsUp>> computing;
};

/// A value for a hostile vector's coordinate: mostly ordinary, sometimes not finite or huge.
double hostileValue(fuzz::FuzzInput& input) {
  switch (input.byte() % 8) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return -std::numeric_limits<double>::infinity();
    case 3: return std::numeric_limits<double>::max();
    default: return (static_cast<double>(input.byte()) - 128.0) / 16.0;
  }
}

Vector hostileVector(fuzz::FuzzInput& input, Eigen::Index size) {
  Vector v(size);
  for (Eigen::Index i = 0; i < size; ++i) v[i] = hostileValue(input);
  return v;
}

/// A job id near what the worker was last given: the same, an older (cancelled, answered), a future one,
/// or any.
std::uint64_t jobIdNear(fuzz::FuzzInput& input, std::uint64_t current) {
  switch (input.byte() % 4) {
    case 0: return current;
    case 1: return current - (1 + input.byte() % 3);  // wraps below 0 to a huge id: also a future one
    case 2: return current + 1 + input.byte() % 3;
    default: return input.unsignedOf(8);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  fuzz::FuzzInput input(data, size);
  const auto& [entry, params] = f.methods[input.byte() % f.methods.size()];
  AlgorithmBuildContext context;
  context.numWorkers = kWorkers;
  context.x0 = f.x0;
  context.smoothness = f.problem->smoothness();
  context.nominalTimes = nominalTimes(f.timeModel);
  const std::unique_ptr<AsyncServer> server = entry->make(params, context);
  ParameterServerCoordinator coordinator(*server, kDimension);
  Wires wires;
  std::vector<std::unique_ptr<ParameterServerWorker>> roles;
  std::vector<WorkerSide> sides;
  sides.reserve(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    roles.push_back(std::make_unique<ParameterServerWorker>(*f.problem, f.shards[static_cast<std::size_t>(w)],
                                                             f.timeModel, kSeed));
    sides.emplace_back(wires, w);
  }
  // The last job id each worker was sent, so hostile messages can name it and its neighbours.
  std::vector<std::uint64_t> lastJob(kWorkers, 0);
  auto deliverDown = [&](int worker, PsDown&& message) {
    const auto index = static_cast<std::size_t>(worker);
    if (sides[index].failed) return;
    if (const auto* job = std::get_if<PsJob>(&message)) lastJob[index] = job->jobId;
    roles[index]->onMessage(std::move(message), sides[index]);
  };
  auto deliverUp = [&](int worker, PsUp&& message) {
    const std::uint64_t before = wires.malformed;
    const bool wrongSize = message.gradient.size() != kDimension;
    const bool current = server->busy(worker) && message.jobId == server->currentJob(worker);
    const bool wrongVersion = current && message.version != server->currentVersion(worker);
    coordinator.onMessage(worker, std::move(message), wires);
    // A GRAD of the wrong size, or one answering the current job under another version, is refused.
    if (wrongSize || wrongVersion) require(wires.malformed == before + 1);
  };

  coordinator.start(wires);
  for (int step = 0; step < 512 && !input.empty(); ++step) {
    wires.time += 0.25;
    const int op = input.byte() % 12;
    const int worker = input.byte() % kWorkers;
    const auto index = static_cast<std::size_t>(worker);
    switch (op) {
      case 0:
      case 1:  // the run's own traffic, mostly: it gets the roles into their deeper states
        if (!wires.down[index].empty()) {
          PsDown message = std::move(wires.down[index].front());
          wires.down[index].pop_front();
          deliverDown(worker, std::move(message));
        }
        break;
      case 2:
      case 3:
        if (!wires.up.empty()) {
          auto [from, message] = std::move(wires.up.front());
          wires.up.pop_front();
          deliverUp(from, std::move(message));
        }
        break;
      case 4:  // a compute under way lasts its time and its GRAD leaves
        if (!sides[index].computing.empty()) {
          auto [due, message] = std::move(sides[index].computing.front());
          sides[index].computing.pop_front();
          if (due > wires.time) wires.time = due;
          sides[index].send(std::move(message));
        }
        break;
      case 5: {  // a hostile GRAD from `worker`
        PsGrad grad;
        const std::uint64_t current = server->currentJob(worker);
        grad.jobId = jobIdNear(input, current);
        const std::uint64_t version = server->currentVersion(worker);
        grad.version = input.byte() % 2 == 0 ? version : jobIdNear(input, version);
        const int shape = input.byte() % 4;
        const Eigen::Index length = shape == 0 ? static_cast<Eigen::Index>(input.byte() % 7) : kDimension;
        grad.gradient = VectorPayload(shape == 1 ? hostileVector(input, length) : Vector(Vector::Constant(length, 0.5)));
        deliverUp(worker, std::move(grad));
        break;
      }
      case 6: {  // a hostile JOB to `worker`
        PsJob job;
        job.jobId = jobIdNear(input, lastJob[index]);
        job.version = input.unsignedOf(1);
        job.gradients = static_cast<int>(input.byte() % (kMaxInjectedGradients + 3)) - 2;  // -2 .. 4
        const int shape = input.byte() % 4;
        if (shape == 1)
          job.model = VectorPayload(hostileVector(input, static_cast<Eigen::Index>(input.byte() % 7)));
        else if (shape >= 2)
          job.model = VectorPayload(shape == 2 ? hostileVector(input, kDimension) : f.x0);
        // The start time and the duration the coordinator may set: what the role must refuse (not a
        // number, negative) or take as given.
        const int timing = input.byte() % 5;
        job.startTime = timing == 1 ? std::numeric_limits<double>::quiet_NaN() : timing == 2 ? -1.0 : wires.time;
        if (timing == 3) job.tau = -0.5;
        if (timing == 4) job.tau = static_cast<double>(input.byte() % 8) / 2.0;
        const bool refused = job.model.size() != kDimension || job.gradients < 1 || timing == 1 || timing == 2 ||
                             timing == 3;
        const std::uint64_t before = wires.malformed;
        if (!sides[index].failed) {
          deliverDown(worker, PsDown{std::move(job)});
          // No model, a model of another size, no gradients to compute, a start time that is not a
          // number >= 0 or a negative duration: the worker refuses the JOB.
          if (refused) require(wires.malformed == before + 1);
        }
        break;
      }
      case 7:  // a CANCEL for any job
        deliverDown(worker, PsDown{PsCancel{.jobId = jobIdNear(input, lastJob[index])}});
        break;
      case 8:
        wires.lost[index] = true;
        coordinator.onWorkerLost(worker, "fuzz: lost", wires);
        break;
      case 9:  // time jumps ahead (never back: both transports' clocks are monotonic)
        wires.time += static_cast<double>(input.unsignedOf(2));
        break;
      case 11: {
        const int what = input.byte() % 3;
        if (what == 1) {  // a message the transport could not decode, with or without a readable header
          const std::uint64_t before = wires.malformed;
          const std::size_t queued = wires.down[index].size();
          const bool busy = server->busy(worker);
          const std::uint64_t current = server->currentJob(worker);
          PsGrad header;
          header.jobId = jobIdNear(input, current);
          const bool readable = input.byte() % 2 == 0;
          coordinator.onRefused(worker, "fuzz: refused", readable ? &header : nullptr, wires);
          require(wires.malformed == before + 1);
          // The answer to the current job (or one that says nothing) gets that job again, to a worker
          // still there; anything else nothing at all.
          const bool answer = busy && (!readable || header.jobId == current) && wires.alive(worker);
          require(wires.down[index].size() <= queued + 1);
          if (!answer) require(wires.down[index].size() == queued);
          if (wires.down[index].size() == queued + 1) {
            const auto* job = std::get_if<PsJob>(&wires.down[index].back());
            require(job != nullptr && job->jobId == current && job->model.size() == kDimension);
          }
          break;
        }
        if (what == 2) {  // its link was cut and made again: the job it holds comes again, or it is dead
          const std::size_t queued = wires.down[index].size();
          const bool resumed = coordinator.onWorkerResumed(worker, wires);
          if (!server->busy(worker)) require(resumed && wires.down[index].size() == queued);
          break;
        }
      }
        [[fallthrough]];
      default: {  // what the engine reads between messages
        const Vector* model = coordinator.model();
        require(model != nullptr && model->size() == kDimension);
        (void)coordinator.iterations();
        (void)coordinator.gradientEvaluations();
        (void)coordinator.diverged();
        (void)coordinator.failure();
        (void)coordinator.name();
        WorkerStatus status;
        status.worker = worker;
        coordinator.fillStatus(status);
        require(status.meanDelay >= 0.0 && status.meanJobSeconds == 0.0);  // no worker clock here
        const WorkCounters counters = coordinator.counters(worker);
        require(counters.accepted + counters.discarded <= counters.arrivals);
        require(server->inFlight() >= 0 && server->inFlight() <= kWorkers);
      }
    }
  }
  return 0;
}
