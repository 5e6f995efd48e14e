#pragma once
// The parameter-server family's coordinator on ZeroMQ: an AsyncServer (core/async_sgd/server.hpp) whose
// JOB, CANCEL and GRAD are the job frames of net/PROTOCOL.md §5-§7, run by the live engine like every
// other family's coordinator role. The workers run the core ParameterServerWorker on sockets
// (parameter_server_live).
//
// What makes it the fast path it has to be (bench_coordinator_throughput): a model version is encoded
// once, into the frame every JOB of that version shares by reference, and the server's step writes the
// new model straight into the next version's frame (ModelMirror), so shipping a model costs no copy; an
// arriving gradient is read in place in its frame, and not read at all when the server discards it.
//
// Faults (PROTOCOL.md §4.4, §8): a refused GRAD for the worker's current job gets the same JOB again
// (same id, version, model and start: the same gradient and duration, later), and so does a worker whose
// link was cut and made again; a model too large to keep one per worker (kKeptJobBytes) is not kept, and
// such a worker's job then stays open (the cut worker is declared dead).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "core/async_sgd/server.hpp"
#include "core/util/chunk_helper.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/protocol/job_messages.hpp"

namespace distopt::net {

class ParameterServerRole final : public CoordinatorRole, private ActionSink, private ModelMirror {
 public:
  /// `server` must outlive the role; `dimension` is the problem's.
  ParameterServerRole(AsyncServer& server, std::int64_t dimension);
  ~ParameterServerRole() override;

  // CoordinatorRole
  void start(CoordinatorHost& host) override;
  void onMessage(int worker, Message&& message, CoordinatorHost& host) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override;
  bool onWorkerResumed(int worker, CoordinatorHost& host) override;
  void fillStatus(WorkerStatus& status) const override;
  void fillControlStatus(nlohmann::json& status) const override;
  void useSpareCore() override;

  // CoordinatorState
  std::string name() const override { return m_server.name(); }
  std::uint64_t iterations() const override { return m_server.version(); }
  std::uint64_t gradientEvaluations() const override { return m_gradients; }
  const Vector* model() const override { return &m_server.model(); }
  bool diverged() const override { return m_server.diverged(); }
  WorkCounters counters(int worker) const override { return m_server.counters(worker); }

  /// At most this many bytes of models kept for re-sending (one per worker, at worst all different).
  static constexpr double kKeptJobBytes = 1024.0 * 1024.0 * 1024.0;

 private:
  /// What the role keeps per worker beyond the server's state.
  struct JobBook {
    double jobSentAt = 0.0;  // engine units
    double delaySum = 0.0;
    std::uint64_t delayCount = 0;
    double jobSecondsSum = 0.0;
    std::uint64_t jobsAnswered = 0;
    std::uint64_t jobsResent = 0;  // given again after a refused answer
    int jobGradients = 1;          // of the job outstanding: what its answer counts for the gradient budget
    // The last JOB sent (its model frame shared, not copied), sent again when its answer is refused or
    // the worker's link was cut before it answered. Not kept when one model per worker would not fit
    // kKeptJobBytes.
    std::optional<JobMeta> lastJob;
    zmq::message_t lastJobFrame;
  };

  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;
  // ModelMirror: each step writes its model straight into the frame of the next JOB, and the next step
  // reads it from there.
  double* mirrorStorage(std::uint64_t version) override;

  void handleGrad(int worker, const Message& message);
  /// `worker`'s answer to its current job was refused: counted as malformed, and the job sent again.
  void refuseResult(int worker, const std::string& why);
  /// The last step's frame becomes the model frame once that step has succeeded.
  void adoptStepFrame();

  AsyncServer& m_server;
  std::int64_t m_dimension;
  bool m_keepJobs;
  CoordinatorHost* m_host = nullptr;  ///< the engine's, set on every call into the role
  std::vector<JobBook> m_books;
  std::uint64_t m_gradients = 0;

  // Model frames, shared by reference with every JOB that carries them (zmq::message_t::copy). Held by
  // pointer because the server reads the current model inside its frame, and a message_t moved keeps a
  // small frame's bytes inside itself.
  std::unique_ptr<zmq::message_t> m_modelFrame;  // the server's current version, or an older one
  std::uint64_t m_modelFrameVersion = ~std::uint64_t{0};
  std::unique_ptr<zmq::message_t> m_stepFrame;  // written by the step under way, or by a refused one
  std::uint64_t m_stepFrameVersion = ~std::uint64_t{0};
  Vector m_gradient;

  std::unique_ptr<ChunkHelper> m_stepHelper;
};

}  // namespace distopt::net
