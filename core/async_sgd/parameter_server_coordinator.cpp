#include "core/async_sgd/parameter_server_coordinator.hpp"

#include "core/telemetry/telemetry.hpp"

namespace distopt {
namespace {

class MessageGradient final : public GradientSource {
 public:
  explicit MessageGradient(const VectorPayload& gradient) : m_gradient(gradient) {}
  Eigen::Ref<const Vector> value() override { return m_gradient.view(); }

 private:
  const VectorPayload& m_gradient;
};

}  // namespace

ParameterServerCoordinator::ParameterServerCoordinator(AsyncServer& server, Eigen::Index dimension)
    : m_server(server),
      m_dimension(dimension),
      m_jobSentAt(static_cast<std::size_t>(server.numWorkers()), 0.0),
      m_jobGradients(static_cast<std::size_t>(server.numWorkers()), 1) {}

void ParameterServerCoordinator::start(CoordinatorLink<PsDown>& link) {
  m_link = &link;
  m_server.start(*this);
}

void ParameterServerCoordinator::onMessage(int worker, PsUp&& message, CoordinatorLink<PsDown>& link) {
  m_link = &link;
  if (worker < 0 || worker >= m_server.numWorkers()) {  // a transport names its workers; never trusted
    link.countMalformed();
    return;
  }
  const bool current = m_server.busy(worker) && message.jobId == m_server.currentJob(worker);
  // The answer to the current job must echo its version and have the model's size; anything else from a
  // worker that holds one job at a time is a broken peer (a late answer to a cancelled job is fine: the
  // server counts it as late-cancelled).
  if (message.gradient.size() != m_dimension ||
      (current && message.version != m_server.currentVersion(worker))) {
    link.countMalformed();
    return;
  }
  // As the fast path counts: an answered job's gradients, whatever the server makes of them.
  if (current) m_gradients += static_cast<std::uint64_t>(m_jobGradients[static_cast<std::size_t>(worker)]);
  MessageGradient gradient(message.gradient);
  m_server.receive({.worker = worker, .jobId = message.jobId, .version = message.version, .gradient = &gradient},
                   *this);
}

void ParameterServerCoordinator::onWorkerLost(int worker, const std::string&, CoordinatorLink<PsDown>& link) {
  m_link = &link;
  m_server.removeWorker(worker, *this);
}

void ParameterServerCoordinator::sendJob(const JobOrder& order) {
  if (m_sentModelVersion != order.version) {
    m_sentModel = VectorPayload(m_server.model());
    m_sentModelVersion = order.version;
  }
  const auto index = static_cast<std::size_t>(order.worker);
  m_jobSentAt[index] = m_link->now();
  m_jobGradients[index] = order.gradients;
  m_link->send(order.worker, PsJob{.jobId = order.jobId,
                                   .version = order.version,
                                   .gradients = order.gradients,
                                   .startTime = m_jobSentAt[index],
                                   .model = m_sentModel});
}

void ParameterServerCoordinator::cancelJob(int worker, std::uint64_t jobId) {
  m_link->send(worker, PsCancel{.jobId = jobId});
}

void ParameterServerCoordinator::record(const OutcomeRecord& record) {
  const double now = m_link->now();
  const double age = now - m_jobSentAt[static_cast<std::size_t>(record.worker)];
  // A cancellation is counted at the CANCEL's size, an arrival at its GRAD's (the message being handled).
  const std::uint64_t bytes = record.outcome == Outcome::Cancelled ? psDownWireSize(PsCancel{}).bytes
                                                                   : m_link->lastMessageBytes();
  m_link->sink().onUpdate(makeUpdateEvent(record, now, age, bytes));
}

}  // namespace distopt
