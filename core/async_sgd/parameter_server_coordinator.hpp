#pragma once
// The parameter-server family's coordinator as a role (core/transport/role_links.hpp): an AsyncServer
// whose JOB and CANCEL actions become PsDown messages and whose arrivals are the workers' PsGrad. On the
// virtual network this is the family's simulator of record (ParameterServerRolesRun); on ZeroMQ it is the
// live coordinator (net/families/parameter_server); the SimEngine (core/sim) is the same method's fast
// path for thousands of workers — lazy gradients, cancellation without a message — and
// test_parameter_server_roles holds the two equal on runs both can do.
//
// What makes it the live fast path it has to be (bench_coordinator_throughput): the server's step writes
// each new model straight into the vector the link will send it from (ModelMirror over
// CoordinatorLink::outgoingVector: live, the frame every JOB of that version shares by reference), so
// shipping a model costs no copy; an arriving gradient is read where the transport put it (live, in its
// frame), and not read at all when the server discards it.
//
// Faults (net/PROTOCOL.md §4.4, §8): a refused answer to the worker's current job gets the same JOB again
// (same id, version and model: the same gradient and duration, later), and so does a worker whose link
// was cut and made again; a model too large to keep one per worker (kKeptJobBytes) is not kept, and such
// a worker's job then stays open (the cut worker is declared dead).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/async_sgd/parameter_server_messages.hpp"
#include "core/async_sgd/server.hpp"
#include "core/transport/role_links.hpp"
#include "core/util/chunk_helper.hpp"

namespace distopt {

class ParameterServerCoordinator final : public FamilyCoordinator<PsDown, PsUp>,
                                         private ActionSink,
                                         private ModelMirror {
 public:
  /// `server` must outlive the role; `dimension` is the model's size (a GRAD of another is refused).
  ParameterServerCoordinator(AsyncServer& server, Eigen::Index dimension);
  ~ParameterServerCoordinator() override;

  void start(CoordinatorLink<PsDown>& link) override;
  void onMessage(int worker, PsUp&& message, CoordinatorLink<PsDown>& link) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<PsDown>& link) override;
  void onRefused(int worker, const std::string& why, const PsUp* header, CoordinatorLink<PsDown>& link) override;
  bool onWorkerResumed(int worker, CoordinatorLink<PsDown>& link) override;
  void fillStatus(WorkerStatus& status) const override;
  void fillControlStatus(nlohmann::json& status) const override;
  void useSpareCore() override;

  std::string name() const override { return m_server.name(); }
  std::uint64_t iterations() const override { return m_server.version(); }
  std::uint64_t gradientEvaluations() const override { return m_gradients; }
  const Vector* model() const override { return &m_server.model(); }
  bool diverged() const override { return m_server.diverged(); }
  WorkCounters counters(int worker) const override { return m_server.counters(worker); }

  /// At most this many bytes of models kept for re-sending (one per worker, at worst all different), on
  /// a transport that loses messages (CoordinatorLink::losesMessages).
  static constexpr double kKeptJobBytes = 1024.0 * 1024.0 * 1024.0;

 private:
  /// What the role keeps per worker beyond the server's state.
  struct JobBook {
    double jobSentAt = 0.0;  // the link's units
    int jobGradients = 1;    // of the job outstanding: what its answer counts for the gradient budget
    double delaySum = 0.0;
    std::uint64_t delayCount = 0;
    double jobSecondsSum = 0.0;
    std::uint64_t jobsAnswered = 0;
    std::uint64_t jobsResent = 0;  // given again after a refused answer
    // The last JOB sent (its model shared, not copied), sent again when its answer is refused or the
    // worker's link was cut before it answered. Not kept when one model per worker would not fit
    // kKeptJobBytes.
    std::optional<PsJob> lastJob;
  };

  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;
  // ModelMirror: each step writes its model straight into the vector the next JOBs carry, and the next
  // step reads it from there.
  double* mirrorStorage(std::uint64_t version) override;

  /// `worker`'s answer to its current job was refused: counted, and the job sent again.
  void refuseAnswer(int worker, const std::string& why);
  /// The last step's vector becomes the model's once that step has succeeded.
  void adoptStepModel();
  JobBook& book(int worker) { return m_books[static_cast<std::size_t>(worker)]; }

  AsyncServer& m_server;
  Eigen::Index m_dimension;
  bool m_keepJobs = false;  ///< decided at start(), from the link and the model's size
  CoordinatorLink<PsDown>* m_link = nullptr;  ///< the transport's, set on every call into the role
  std::vector<JobBook> m_books;
  std::uint64_t m_gradients = 0;
  // The model of the version last sent, shared by every JOB of that version, and the one the step under
  // way (or a refused one) wrote. The server reads its current model inside m_model: never written again.
  VectorPayload m_model;
  std::uint64_t m_modelVersion = ~std::uint64_t{0};
  VectorPayload m_stepModel;
  std::uint64_t m_stepModelVersion = ~std::uint64_t{0};
  std::unique_ptr<ChunkHelper> m_stepHelper;
};

}  // namespace distopt
