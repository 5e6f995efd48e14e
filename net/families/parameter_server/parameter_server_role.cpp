#include "net/families/parameter_server/parameter_server_role.hpp"

#include "net/protocol/message.hpp"

namespace distopt::net {
namespace {

// The gradient where it arrived: float64 coordinates are used in place in the received frame, and
// nothing is converted at all when the server discards the gradient (Ringmaster's stale ones).
class FrameGradient final : public GradientSource {
 public:
  FrameGradient(const DenseFrameView& frame, Vector& scratch) : m_frame(frame), m_scratch(scratch) {}
  Eigen::Ref<const Vector> value() override { return m_frame.view(m_scratch); }

 private:
  const DenseFrameView& m_frame;
  Vector& m_scratch;
};

}  // namespace

ParameterServerRole::ParameterServerRole(AsyncServer& server, std::int64_t dimension)
    : m_server(server),
      m_dimension(dimension),
      m_keepJobs(8.0 * static_cast<double>(dimension) * server.numWorkers() <= kKeptJobBytes),
      m_books(static_cast<std::size_t>(server.numWorkers())) {
  m_server.setModelMirror(this);
}

ParameterServerRole::~ParameterServerRole() {
  m_server.setModelMirror(nullptr);
  m_server.setStepHelper(nullptr);
}

void ParameterServerRole::useSpareCore() {
  // The step over a large model streams memory on the run's critical path; the local workers wait for
  // the next model meanwhile, so a free core makes it faster. (Without one, a helper would be preempted
  // inside its chunk and hold the step up.)
  if (m_dimension < AsyncServer::kHelpedStepMin || m_stepHelper) return;
  m_stepHelper = std::make_unique<ChunkHelper>();
  m_server.setStepHelper(m_stepHelper.get());
}

void ParameterServerRole::start(CoordinatorHost& host) {
  m_host = &host;
  m_server.start(*this);
}

void ParameterServerRole::onMessage(int worker, Message&& message, CoordinatorHost& host) {
  m_host = &host;
  if (message.kind == MessageKind::Grad)
    handleGrad(worker, message);
  else
    host.refuse(std::string(messageKindName(message.kind)) + " in a parameter-server run");
}

void ParameterServerRole::onWorkerLost(int worker, const std::string&, CoordinatorHost& host) {
  m_host = &host;
  m_server.removeWorker(worker, *this);
}

void ParameterServerRole::fillStatus(WorkerStatus& status) const {
  const JobBook& book = m_books[static_cast<std::size_t>(status.worker)];
  status.counters = m_server.counters(status.worker);
  status.meanDelay = book.delayCount ? book.delaySum / static_cast<double>(book.delayCount) : 0.0;
  status.meanJobSeconds = book.jobsAnswered ? book.jobSecondsSum / static_cast<double>(book.jobsAnswered) : 0.0;
}

void ParameterServerRole::fillControlStatus(nlohmann::json& status) const {
  std::uint64_t resent = 0;
  for (const JobBook& book : m_books) resent += book.jobsResent;
  status["jobs_resent"] = resent;
}

void ParameterServerRole::adoptStepFrame() {
  if (m_stepFrame && m_stepFrameVersion == m_server.version()) {
    m_modelFrame = std::move(m_stepFrame);
    m_modelFrameVersion = m_stepFrameVersion;
    m_stepFrameVersion = ~std::uint64_t{0};
  }
}

double* ParameterServerRole::mirrorStorage(std::uint64_t version) {
  // The current model, which this step reads, stays in m_modelFrame. Frames shared with JOBs in flight
  // are never written again; a fresh one comes from the heap (keepLargeFrameMemory), where the last
  // freed frame's pages are already mapped.
  adoptStepFrame();
  const auto count = static_cast<std::size_t>(m_dimension);
  m_stepFrame = std::make_unique<zmq::message_t>(denseFrameSize(count, VectorEncoding::DenseFloat64));
  m_stepFrameVersion = version;
  return beginFloat64Frame(count, m_stepFrame->data());
}

void ParameterServerRole::sendJob(const JobOrder& order) {
  // One frame per model version, shared by every worker that gets it (zmq copies by reference): the
  // one the step wrote, or else (the initial model) encoded here.
  adoptStepFrame();
  if (m_modelFrameVersion != order.version) {
    m_modelFrame = std::make_unique<zmq::message_t>(encodeVectorFrame(m_server.model()));
    m_modelFrameVersion = order.version;
  }
  zmq::message_t frame;
  frame.copy(*m_modelFrame);
  JobMeta meta;
  meta.jobId = order.jobId;
  meta.version = order.version;
  meta.startTime = m_host->now();
  meta.gradients = static_cast<std::uint32_t>(order.gradients);
  JobBook& book = m_books[static_cast<std::size_t>(order.worker)];
  book.jobSentAt = meta.startTime;
  book.jobGradients = order.gradients;
  if (m_keepJobs) {
    book.lastJob = meta;
    book.lastJobFrame.copy(frame);
  }
  m_host->send(order.worker, makeJob(meta, std::move(frame)));
}

bool ParameterServerRole::onWorkerResumed(int worker, CoordinatorHost& host) {
  m_host = &host;
  if (!m_server.busy(worker)) return true;  // nothing outstanding: its next job comes as usual
  JobBook& book = m_books[static_cast<std::size_t>(worker)];
  if (!book.lastJob || book.lastJob->jobId != m_server.currentJob(worker)) return false;
  zmq::message_t frame;
  frame.copy(book.lastJobFrame);
  host.send(worker, makeJob(*book.lastJob, std::move(frame)));
  return true;
}

void ParameterServerRole::cancelJob(int worker, std::uint64_t jobId) { m_host->send(worker, makeCancel(jobId)); }

void ParameterServerRole::record(const OutcomeRecord& record) {
  JobBook& book = m_books[static_cast<std::size_t>(record.worker)];
  const double t = m_host->now();
  // Bytes: the GRAD just received, or the CANCEL just sent. The engine's sink counts accepted delays.
  const UpdateEvent event = makeUpdateEvent(record, t, t - book.jobSentAt, m_host->lastMessageBytes());
  if (record.outcome == Outcome::Accepted) {
    book.delaySum += static_cast<double>(record.delay);
    ++book.delayCount;
  }
  m_host->sink().onUpdate(event);
}

void ParameterServerRole::handleGrad(int worker, const Message& message) {
  GradMeta meta;
  DenseFrameView frame;
  std::string why;
  if (!parseGradView(message, m_dimension, &meta, &frame, &why)) {
    // The worker holds one job and this was its answer, unless the meta names an older (cancelled) one.
    if (!parseGradMeta(message, &meta) || meta.jobId == m_server.currentJob(worker))
      refuseResult(worker, "GRAD " + why);
    else
      m_host->refuse("GRAD " + why);
    return;
  }
  m_host->noteSentAt(worker, meta.workerClock);
  // A GRAD that claims the current job but another version is a broken peer, not a late result:
  // refuse it here so the state machine's invariants hold.
  if (m_server.busy(worker) && meta.jobId == m_server.currentJob(worker) &&
      meta.version != m_server.currentVersion(worker)) {
    refuseResult(worker, "GRAD for job " + std::to_string(meta.jobId) + " echoes version " +
                             std::to_string(meta.version) + ", the job's is " +
                             std::to_string(m_server.currentVersion(worker)));
    return;
  }
  if (meta.jobId == m_server.currentJob(worker) && m_server.busy(worker)) {
    JobBook& book = m_books[static_cast<std::size_t>(worker)];
    book.jobSecondsSum += meta.elapsed;
    ++book.jobsAnswered;
    // As the simulator counts: an answered job's gradients, whatever the server makes of them; a late
    // answer to a cancelled job is not counted (the simulator's cancelled jobs never complete).
    m_gradients += static_cast<std::uint64_t>(book.jobGradients);
  }
  FrameGradient gradient(frame, m_gradient);
  GradientArrival arrival{.worker = worker, .jobId = meta.jobId, .version = meta.version, .gradient = &gradient};
  m_server.receive(arrival, *this);
}

void ParameterServerRole::refuseResult(int worker, const std::string& why) {
  // Counted first: past the malformed limit the worker is on its way out (its job is then lost with it).
  m_host->refuse(why);
  // Otherwise the job is given again, the same job on the same model: its answer is what the server
  // waits for (a synchronous round would stall, an asynchronous worker sit idle, until the time limit).
  // The worker draws the job's gradient and duration from the same keyed streams, so the run is the
  // one it would have been, later.
  JobBook& book = m_books[static_cast<std::size_t>(worker)];
  // (A job not kept, a model too large to keep one per worker, stays open: the worker's next answer
  // or its exclusion past the malformed limit settles it.)
  if (!m_host->alive(worker) || m_host->leaving(worker) || !m_server.busy(worker) || !book.lastJob ||
      book.lastJob->jobId != m_server.currentJob(worker))
    return;
  JobMeta meta = *book.lastJob;
  meta.startTime = m_host->now();
  book.jobSentAt = meta.startTime;
  zmq::message_t frame;
  frame.copy(book.lastJobFrame);
  ++book.jobsResent;
  m_host->send(worker, makeJob(meta, std::move(frame)));
}

}  // namespace distopt::net
