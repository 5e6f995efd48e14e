#include "core/async_sgd/parameter_server_coordinator.hpp"

#include <nlohmann/json.hpp>

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
      m_books(static_cast<std::size_t>(server.numWorkers())) {
  m_server.setModelMirror(this);
}

ParameterServerCoordinator::~ParameterServerCoordinator() {
  m_server.setModelMirror(nullptr);
  m_server.setStepHelper(nullptr);
}

void ParameterServerCoordinator::useSpareCore() {
  // The step over a large model streams memory on the run's critical path; the local workers wait for
  // the next model meanwhile, so a free core makes it faster. (Without one, a helper would be preempted
  // inside its chunk and hold the step up.)
  if (m_dimension < AsyncServer::kHelpedStepMin || m_stepHelper) return;
  m_stepHelper = std::make_unique<ChunkHelper>();
  m_server.setStepHelper(m_stepHelper.get());
}

void ParameterServerCoordinator::start(CoordinatorLink<PsDown>& link) {
  m_link = &link;
  m_keepJobs = link.losesMessages() &&
               8.0 * static_cast<double>(m_dimension) * m_server.numWorkers() <= kKeptJobBytes;
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
  if (message.gradient.size() != m_dimension) {
    onRefused(worker, "GRAD of " + std::to_string(message.gradient.size()) + " coordinates, the model has " +
                          std::to_string(m_dimension), &message, link);
    return;
  }
  if (current && message.version != m_server.currentVersion(worker)) {
    refuseAnswer(worker, "GRAD for job " + std::to_string(message.jobId) + " echoes version " +
                             std::to_string(message.version) + ", the job's is " +
                             std::to_string(m_server.currentVersion(worker)));
    return;
  }
  if (current) {
    JobBook& mine = book(worker);
    mine.jobSecondsSum += message.elapsed;
    ++mine.jobsAnswered;
    // As the fast path counts: an answered job's gradients, whatever the server makes of them; a late
    // answer to a cancelled job is not counted (the fast path's cancelled jobs never complete).
    m_gradients += static_cast<std::uint64_t>(mine.jobGradients);
  }
  MessageGradient gradient(message.gradient);
  m_server.receive({.worker = worker, .jobId = message.jobId, .version = message.version, .gradient = &gradient},
                   *this);
}

void ParameterServerCoordinator::onRefused(int worker, const std::string& why, const PsUp* header,
                                           CoordinatorLink<PsDown>& link) {
  m_link = &link;
  // The worker holds one job and this was its answer, unless what could be read of it names another
  // (an older, cancelled) job.
  if (worker < 0 || worker >= m_server.numWorkers() || (header && header->jobId != m_server.currentJob(worker))) {
    link.refuse(why);
    return;
  }
  refuseAnswer(worker, why);
}

void ParameterServerCoordinator::refuseAnswer(int worker, const std::string& why) {
  // Counted first: past the malformed limit the worker is on its way out (its job is then lost with it).
  m_link->refuse(why);
  // Otherwise the job is given again, the same job on the same model: its answer is what the server
  // waits for (a synchronous round would stall, an asynchronous worker sit idle, until the time limit).
  // The worker draws the job's gradient and duration from the same keyed streams, so the run is the one
  // it would have been, later. (A job not kept, a model too large to keep one per worker, stays open:
  // the worker's next answer or its exclusion past the malformed limit settles it.)
  JobBook& mine = book(worker);
  if (!m_link->alive(worker) || m_link->leaving(worker) || !m_server.busy(worker) || !mine.lastJob ||
      mine.lastJob->jobId != m_server.currentJob(worker))
    return;
  PsJob job = *mine.lastJob;
  job.startTime = m_link->now();
  mine.jobSentAt = job.startTime;
  ++mine.jobsResent;
  m_link->send(worker, std::move(job));
}

bool ParameterServerCoordinator::onWorkerResumed(int worker, CoordinatorLink<PsDown>& link) {
  m_link = &link;
  if (!m_server.busy(worker)) return true;  // nothing outstanding: its next job comes as usual
  const JobBook& mine = book(worker);
  if (!mine.lastJob || mine.lastJob->jobId != m_server.currentJob(worker)) return false;
  PsJob job = *mine.lastJob;
  link.send(worker, std::move(job));
  return true;
}

void ParameterServerCoordinator::onWorkerLost(int worker, const std::string&, CoordinatorLink<PsDown>& link) {
  m_link = &link;
  book(worker).lastJob.reset();  // its model need not stay alive for a worker that gets nothing more
  m_server.removeWorker(worker, *this);
}

void ParameterServerCoordinator::fillStatus(WorkerStatus& status) const {
  const JobBook& mine = m_books[static_cast<std::size_t>(status.worker)];
  status.counters = m_server.counters(status.worker);
  status.meanDelay = mine.delayCount ? mine.delaySum / static_cast<double>(mine.delayCount) : 0.0;
  status.meanJobSeconds = mine.jobsAnswered ? mine.jobSecondsSum / static_cast<double>(mine.jobsAnswered) : 0.0;
}

void ParameterServerCoordinator::fillControlStatus(nlohmann::json& status) const {
  std::uint64_t resent = 0;
  for (const JobBook& mine : m_books) resent += mine.jobsResent;
  status["jobs_resent"] = resent;
}

void ParameterServerCoordinator::adoptStepModel() {
  if (!m_stepModel.empty() && m_stepModelVersion == m_server.version()) {
    m_model = std::move(m_stepModel);
    m_modelVersion = m_stepModelVersion;
    m_stepModel = VectorPayload();
    m_stepModelVersion = ~std::uint64_t{0};
  }
}

double* ParameterServerCoordinator::mirrorStorage(std::uint64_t version) {
  // The current model, which this step reads, stays in m_model. Vectors shared with JOBs in flight are
  // never written again: each step gets a fresh one (live, a frame from the heap, where the last freed
  // frame's pages are already mapped).
  adoptStepModel();
  m_stepModel = m_link->outgoingVector(m_dimension);
  m_stepModelVersion = version;
  return m_stepModel.writable().data();
}

void ParameterServerCoordinator::sendJob(const JobOrder& order) {
  // One vector per model version, shared by every worker that gets it: the one the step wrote, or else
  // (the initial model) written here once.
  adoptStepModel();
  if (m_modelVersion != order.version) {
    // Read before the old vector goes: it may be where the server's model lies.
    VectorPayload fresh = m_link->outgoingVector(m_dimension);
    fresh.writable() = m_server.model();
    m_model = std::move(fresh);
    m_modelVersion = order.version;
  }
  JobBook& mine = book(order.worker);
  mine.jobSentAt = m_link->now();
  mine.jobGradients = order.gradients;
  PsJob job{.jobId = order.jobId,
            .version = order.version,
            .gradients = order.gradients,
            .startTime = mine.jobSentAt,
            .model = m_model};
  if (m_keepJobs) mine.lastJob = job;
  m_link->send(order.worker, std::move(job));
}

void ParameterServerCoordinator::cancelJob(int worker, std::uint64_t jobId) {
  m_link->send(worker, PsCancel{.jobId = jobId});
}

void ParameterServerCoordinator::record(const OutcomeRecord& record) {
  JobBook& mine = book(record.worker);
  const double now = m_link->now();
  // A cancellation is counted at the CANCEL's size (just sent), an arrival at its GRAD's (the message
  // being handled). The engine's sink counts accepted delays; the status row keeps its own mean.
  const std::size_t bytes =
      record.outcome == Outcome::Cancelled ? m_link->lastSentBytes() : m_link->lastMessageBytes();
  if (record.outcome == Outcome::Accepted) {
    mine.delaySum += static_cast<double>(record.delay);
    ++mine.delayCount;
  }
  m_link->sink().onUpdate(makeUpdateEvent(record, now, now - mine.jobSentAt, bytes));
}

}  // namespace distopt
