#pragma once
// The parameter-server family's coordinator as a role (core/transport/role_links.hpp): an AsyncServer
// whose JOB and CANCEL actions become PsDown messages and whose arrivals are the workers' PsGrad. On the
// virtual network this is the family's simulator of record (ParameterServerRolesRun); the SimEngine
// (core/sim) is the same method's fast path for thousands of workers — lazy gradients, cancellation
// without a message — and test_parameter_server_roles holds the two equal on runs both can do.
// (Live, net/families/parameter_server drives the same AsyncServer with zero-copy model frames.)

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/async_sgd/parameter_server_messages.hpp"
#include "core/async_sgd/server.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class ParameterServerCoordinator final : public FamilyCoordinator<PsDown, PsUp>, private ActionSink {
 public:
  /// `server` must outlive the role; `dimension` is the model's size (a GRAD of another is refused).
  ParameterServerCoordinator(AsyncServer& server, Eigen::Index dimension);

  void start(CoordinatorLink<PsDown>& link) override;
  void onMessage(int worker, PsUp&& message, CoordinatorLink<PsDown>& link) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<PsDown>& link) override;

  std::string name() const override { return m_server.name(); }
  std::uint64_t iterations() const override { return m_server.version(); }
  std::uint64_t gradientEvaluations() const override { return m_gradients; }
  const Vector* model() const override { return &m_server.model(); }
  bool diverged() const override { return m_server.diverged(); }
  WorkCounters counters(int worker) const override { return m_server.counters(worker); }

 private:
  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;

  AsyncServer& m_server;
  Eigen::Index m_dimension;
  CoordinatorLink<PsDown>* m_link = nullptr;  ///< the transport's, set on every call into the role
  std::vector<double> m_jobSentAt;
  std::vector<int> m_jobGradients;
  std::uint64_t m_gradients = 0;
  // The model of the version last sent, shared by every JOB of that version.
  VectorPayload m_sentModel;
  std::uint64_t m_sentModelVersion = ~std::uint64_t{0};
};

}  // namespace distopt
