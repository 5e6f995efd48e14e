#pragma once
// Parameter-server algorithms as transport-free state machines (docs/architecture.md, rule 3; docs/papers.md,
// async-sgd §2.0). An engine feeds a server gradients as they arrive and executes the actions the server
// emits through an ActionSink; the server knows no clock and no socket. The simulator and the live
// coordinator drive the same code.
//
// Contract with engines:
//  * Every JOB order means "send the server's current model": engines must execute a sendJob before
//    calling the server again (the model may change on the next call). In return a JOB's version is
//    always the server's version at the time of the order.
//  * Per-worker FIFO: a CANCEL is delivered before the JOB that follows it.
// Thread affinity: a server is used from one thread.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace distopt {

class ChunkHelper;

using Vector = Eigen::VectorXd;

/// What happened to one piece of work (async-sgd §2.0 counters). Never mix them in one histogram series.
enum class Outcome : std::uint8_t {
  Accepted,       ///< gradient applied to the model
  Discarded,      ///< arrived too stale and was thrown away (Ringmaster A, Rennala "ignore")
  Cancelled,      ///< stopped in flight by the server
  LateCancelled,  ///< arrived for a job the server had already cancelled (dropped, not in histograms)
};
const char* outcomeName(Outcome outcome);

struct JobOrder {
  int worker = 0;               ///< 0-based
  std::uint64_t jobId = 0;      ///< per-worker counter, strictly increasing from 0
  std::uint64_t version = 0;    ///< model version sent (= server version at the order)
  int gradients = 1;            ///< stochastic gradients to average in this job (minibatch's local b)
};

struct OutcomeRecord {
  int worker = 0;
  std::uint64_t jobId = 0;
  std::uint64_t jobVersion = 0;     ///< version the job was computed on
  std::int64_t delay = 0;           ///< k_now - jobVersion at the time of the outcome (async-sgd §2.0)
  Outcome outcome = Outcome::Accepted;
  std::uint64_t versionAfter = 0;   ///< server version after the outcome
};

class ActionSink {
 public:
  virtual ~ActionSink() = default;
  /// Send the server's current model to a worker as a new job.
  virtual void sendJob(const JobOrder& order) = 0;
  /// Stop the worker's job `jobId`; always followed by a sendJob to that worker in these methods.
  virtual void cancelJob(int worker, std::uint64_t jobId) = 0;
  /// An outcome for telemetry and histograms.
  virtual void record(const OutcomeRecord& record) = 0;
};

/// The gradient carried by an arriving GRAD. Engines may compute it lazily: servers call value()
/// only for gradients they apply, so discarded work costs nothing in the simulator.
class GradientSource {
 public:
  virtual ~GradientSource() = default;
  /// A view, so an engine can hand over a gradient where it already lies (the live coordinator: the
  /// received frame itself) instead of copying it into a Vector first.
  virtual Eigen::Ref<const Vector> value() = 0;
};

struct GradientArrival {
  int worker = 0;
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;  ///< echoed from the JOB
  GradientSource* gradient = nullptr;
};

/// Where an engine that ships every new model (the live coordinator: in the next JOB's frame) wants it
/// kept. With a mirror, a step writes the new model only there, in the pass that computes it, and
/// reads the next step's input from there too; the server's own Vector catches up only when model() is
/// asked for (evaluations), so shipping a model costs no copy at all.
class ModelMirror {
 public:
  virtual ~ModelMirror() = default;
  /// Storage for the model of version `version`, which the step under way is about to write:
  /// model-size doubles, any alignment, not overlapping the storage handed out before. A step can fail
  /// (a non-finite result is refused); then the server's version stays below `version`. The storage of
  /// the server's current version must stay valid and unchanged until a newer version exists, or until
  /// the mirror is removed (setModelMirror).
  virtual double* mirrorStorage(std::uint64_t version) = 0;
};

struct WorkCounters {
  std::uint64_t jobsSent = 0;
  std::uint64_t arrivals = 0;      ///< valid GRADs (matching the current job)
  std::uint64_t accepted = 0;
  std::uint64_t discarded = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t lateCancelled = 0;
  std::uint64_t lost = 0;          ///< in flight on a worker that died

  WorkCounters& operator+=(const WorkCounters& other);
};

class AsyncServer {
 public:
  AsyncServer(int numWorkers, Vector x0);
  virtual ~AsyncServer() = default;
  AsyncServer(const AsyncServer&) = delete;
  AsyncServer& operator=(const AsyncServer&) = delete;

  /// Registry name, e.g. "ringmaster".
  virtual std::string name() const = 0;

  /// Hands out the first jobs.
  void start(ActionSink& sink);
  /// Processes one arriving gradient: drops it as late-cancelled when it is not the worker's current
  /// job, otherwise lets the method decide.
  void receive(const GradientArrival& arrival, ActionSink& sink);
  /// The worker is gone for good (crashed, cut off): its job in flight is counted as lost, it gets no
  /// more jobs, and the method adapts (a synchronous round stops waiting for it).
  void removeWorker(int worker, ActionSink& sink);

  /// The model x^k (with a mirror, copied back from the mirror's storage the first time it is asked for
  /// after a step).
  const Vector& model() const;
  /// Number of updates applied so far (k).
  std::uint64_t version() const { return m_version; }
  int numWorkers() const { return static_cast<int>(m_workers.size()); }
  bool busy(int worker) const { return m_workers[worker].busy; }
  bool alive(int worker) const { return m_workers[worker].alive; }
  int aliveWorkers() const { return m_aliveWorkers; }
  std::uint64_t currentJob(int worker) const { return m_workers[worker].jobId; }
  std::uint64_t currentVersion(int worker) const { return m_workers[worker].version; }
  /// Jobs handed out and not yet answered or cancelled.
  int inFlight() const { return m_inFlight; }
  const WorkCounters& counters(int worker) const { return m_workers[worker].counters; }
  WorkCounters totals() const;
  /// True once an update produced a non-finite model; the model is then left as it was before.
  bool diverged() const { return m_diverged; }
  /// Later steps keep the model in `mirror` (nullptr: in the server again). It must outlive its use.
  void setModelMirror(ModelMirror* mirror);
  /// Steps over models of at least kHelpedStepMin coordinates share their pass with `helper`'s thread
  /// when it gets a core (nullptr: one thread). Same values either way: the step is coordinate-wise.
  /// It must outlive its use.
  void setStepHelper(ChunkHelper* helper) { m_stepHelper = helper; }
  static constexpr Eigen::Index kHelpedStepMin = 1 << 16;

 protected:
  virtual void onStart(ActionSink& sink) = 0;
  /// A valid arrival (its job is the worker's current one; the worker is now idle). `delay` = k - version.
  virtual void onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) = 0;
  /// After `worker` was removed; default: nothing to do.
  virtual void onWorkerRemoved(int worker, ActionSink& sink) { (void)worker; (void)sink; }

  /// Gives `worker` (which must be idle) a job on the current model; a removed worker gets none.
  void issueJob(int worker, ActionSink& sink, int gradients = 1);
  /// Cancels `worker`'s running job and records it with its delay at this moment.
  void cancelJob(int worker, ActionSink& sink);
  /// x <- x - step * direction; k <- k + 1. A non-finite result is refused and flags divergence.
  void applyStep(const Eigen::Ref<const Vector>& direction, double step);
  void recordAccepted(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink);
  void recordDiscarded(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink);

 private:
  void recordArrival(const GradientArrival& arrival, std::int64_t delay, Outcome outcome, ActionSink& sink);

  struct WorkerState {
    std::uint64_t jobId = 0;
    std::uint64_t version = 0;
    std::uint64_t nextJobId = 0;
    bool busy = false;
    bool alive = true;
    WorkCounters counters;
  };

  mutable Vector m_x;  // behind the mirror's storage while m_xStale
  Vector m_candidate;  // scratch for the step without a mirror, so a divergent step leaves m_x intact
  ModelMirror* m_mirror = nullptr;
  ChunkHelper* m_stepHelper = nullptr;
  const double* m_mirrored = nullptr;  // the current model in the mirror's storage (nullptr: only in m_x)
  mutable bool m_xStale = false;
  std::uint64_t m_version = 0;
  std::vector<WorkerState> m_workers;
  int m_inFlight = 0;
  int m_aliveWorkers = 0;
  bool m_diverged = false;
};

}  // namespace distopt
