// The Kronecker family's roles (core/kronecker/kron_family_coordinator, kron_family_worker) under hostile
// peers: the roles of a small run exchange their real messages, and between them the input injects
// messages any peer could send (every kron type, decoded from the fuzzer's bytes as the wire would
// decode them, from any worker, in any order), evaluation requests, the run's end and lost workers. A
// role refuses what its protocol does not allow (counted as malformed); nothing may crash or grow
// without bound.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/kronecker/kron_family_coordinator.hpp"
#include "core/kronecker/kron_family_worker.hpp"
#include "fuzz_input.hpp"
#include "fuzz_role_links.hpp"

namespace {

using namespace distopt;

class UnitTime final : public TimeModel {
 public:
  std::string name() const override { return "unit"; }
  int numWorkers() const override { return 3; }
  double duration(int, std::uint64_t, double) const override { return 1.0; }
  double nominalTime(int) const override { return 1.0; }
  bool isDeterministic() const override { return true; }
};

using Wires = fuzz::QueuedCoordinatorLink<KronDown, KronUp>;
using WorkerSide = fuzz::QueuedWorkerLink<KronDown, KronUp>;

/// A peer's message of kron type `type` decoded from `bytes` as the wire decodes it; false when they do
/// not decode (the wire would have refused them before any role saw them).
template <class Variant, class... Types>
bool decodeAs(int type, std::span<const std::uint8_t> bytes, Variant* out) {
  bool decoded = false;
  int index = 0;
  std::string why;
  (
      [&] {
        if (index++ != type) return;
        Types message;
        if (kron::decode(bytes, message, &why)) {
          *out = std::move(message);
          decoded = true;
        }
      }(),
      ...);
  return decoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const KronTwoLayerProblem problem(
      KronTwoLayerProblem::Options{.m = 12, .n = 6, .d1 = 2, .d2 = 2, .batch = 2, .dataSeed = 3, .modelSeed = 4});
  static const UnitTime timeModel;
  fuzz::FuzzInput input(data, size);
  const int workers = 1 + input.byte() % 3;
  KronRunSettings settings;
  settings.algorithm = input.byte() % 2 == 0 ? KronAlgorithm::Naive : KronAlgorithm::Fast;
  settings.staleness = input.byte() % 3;
  KronFamilyCoordinator coordinator(problem, settings, workers, 7, input.byte() % 12);
  Wires wires(workers, 64);
  std::vector<std::unique_ptr<KronFamilyWorker>> roles;
  std::vector<WorkerSide> sides;
  sides.reserve(static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    roles.push_back(std::make_unique<KronFamilyWorker>(problem, timeModel, w));
    sides.emplace_back(wires, w);
  }
  coordinator.start(wires);
  for (int step = 0; step < 512 && !input.empty(); ++step) {
    wires.time += 0.5;
    const int op = input.byte() % 8;
    const int worker = input.byte() % workers;
    const auto index = static_cast<std::size_t>(worker);
    switch (op) {
      case 0:
      case 1:
      case 2:  // the run's own traffic, mostly: it is what gets the roles into their deeper states
        if (!wires.down[index].empty() && !sides[index].failed) {
          KronDown message = std::move(wires.down[index].front());
          wires.down[index].pop_front();
          roles[index]->onMessage(std::move(message), sides[index]);
        }
        if (!wires.up.empty()) {
          auto [from, message] = std::move(wires.up.front());
          wires.up.pop_front();
          coordinator.onMessage(from, std::move(message), wires);
        }
        break;
      case 3: {  // a hostile worker's message
        KronUp message;
        if (decodeAs<KronUp, kron::ReadyMessage, kron::PartialMessage, kron::LossMessage, kron::CoFireMessage,
                     kron::StatsMessage>(input.byte() % 5, input.frame(), &message))
          coordinator.onMessage(worker, std::move(message), wires);
        break;
      }
      case 4: {  // a hostile coordinator's message
        KronDown message;
        if (decodeAs<KronDown, kron::InitMessage, kron::StartMessage, kron::BatchMessage, kron::ResidMessage,
                     kron::EvalMessage>(input.byte() % 5, input.frame(), &message) &&
            !sides[index].failed)
          roles[index]->onMessage(std::move(message), sides[index]);
        break;
      }
      case 5:
        coordinator.requestEvaluation(EvaluationRequest{.time = wires.time, .updates = coordinator.iterations()},
                                      input.byte() % 4 == 0, wires);
        break;
      case 6:
        coordinator.onWorkerLost(worker, "fuzz", wires);
        break;
      default:
        (void)coordinator.takeEvaluations();
        (void)coordinator.evaluationPending();
        (void)coordinator.counters(worker);
    }
  }
  return 0;
}
