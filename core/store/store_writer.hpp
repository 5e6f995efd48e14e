#pragma once
// Streams a run's telemetry into the run store without slowing the engine (docs/architecture.md, rule 4):
// an update event is one copy into a preallocated block and one release store of the block's count (no lock,
// no read-modify-write: a run has millions of events), and a full block is handed to the queue under the
// mutex; the histogram, timeline and sample are computed by the writer thread, not on the engine's. The
// writer swaps the queue out (copying the published part of a partial block too, so a slow stream is not
// held back), digests it and commits it in batched transactions, at least every
// flushIntervalMs and sooner when maxBatch items (or kEventsPerWake update events) are waiting. The other
// sink methods hand the partial block over first. Each transaction is whole or absent for readers, so a
// coordinator killed with SIGKILL leaves a readable store holding
// everything up to its last commit (at most about one interval old).
//
// What it keeps of the update events is Options::eventLog: by default the exact delay histogram and the
// accepted-update timeline (added to the store with every batch), the first events as they come and a
// reservoir sample of the rest at the end; with EventLog::Full, every event.
//
// Thread affinity: the sink methods, flush() and finish() are called by one producer thread at a time (the
// engine's, as for every TelemetrySink); the RunStore handed in is used only by the writer thread from then
// on. The digest (delayTotals(), sampledEvents()) is the writer thread's until finish() returns, then the
// producer's: the result files take it from there instead of counting every event a second time. No exception
// leaves the writer thread: a failed write (a full disk) is kept in error(), and the writer then stops
// writing and discards further input (counted in droppedItems()) so a broken disk cannot exhaust memory.
// What was committed before stays whole; the finish is still attempted, with the failure in the run's
// termination detail, and if that fails too the run is marked interrupted by the next open.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/store/run_store.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

class StoreWriter : public TelemetrySink, public RunDigestSource {
 public:
  struct Options {
    /// Longest time (ms) queued data waits before it is committed: what a killed coordinator loses.
    int flushIntervalMs = 250;
    /// Queued items (events, evaluations, bandwidth samples, worker statuses) that wake the writer
    /// before the interval is up; also the most update events written in one transaction.
    int maxBatch = 10000;
    /// Queued items beyond which the sink methods wait for the writer to catch up, bounding memory when
    /// the disk is slower than the run (an update event takes 64 bytes queued); 0 = never wait.
    std::size_t maxPending = 2'000'000;
    EventLog eventLog = EventLog::Aggregates;
    /// The events kept with EventLog::Aggregates.
    EventSample::Options sample;

    bool isValid(std::string* why) const;
  };

  /// Starts the writer thread on `store` (whose connection it takes over) for run `runId`, which must
  /// exist. Throws InputError when the options are invalid.
  StoreWriter(std::unique_ptr<RunStore> store, std::int64_t runId, const Options& options);
  StoreWriter(std::unique_ptr<RunStore> store, std::int64_t runId);
  /// Commits everything still queued, then stops the thread.
  ~StoreWriter() override;
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  /// Commits everything queued, then records the end of the run with summaryJsonFor(summary), and
  /// returns once that is committed (or failed: see error()).
  void onFinish(const RunSummary& summary) override;
  /// As onFinish, with the caller's summary document.
  void finish(const RunSummary& summary, const std::string& summaryJson);
  /// Queues a worker's status (upserted: only the newest one per worker is kept).
  void onWorkerStatus(const WorkerStatus& status) override;
  void onBandwidth(const BandwidthSample& sample) override;

  /// Returns once everything queued before the call is committed; false if the writer has failed.
  bool flush();

  std::int64_t runId() const { return m_runId; }
  /// Update events / evaluation points known to be committed (readable by other connections).
  std::uint64_t committedEvents() const { return m_committedEvents.load(std::memory_order_acquire); }
  std::uint64_t committedEvaluations() const {
    return m_committedEvaluations.load(std::memory_order_acquire);
  }
  /// The first write error ("PATH: message"); empty while all is well.
  std::string error() const;
  /// Items thrown away after an error.
  std::uint64_t droppedItems() const;

  /// The run's whole delay histogram and its event sample, as stored; only once finish() has returned.
  /// A store write that failed does not cut them short: events are still digested, only not stored.
  const DelayCounts& delayTotals() const override;
  std::vector<UpdateEvent> sampledEvents() const override;

  /// summary.json's content for the store: run_files' summaryToJson without the experiment, which the
  /// runs table already holds.
  static std::string summaryJsonFor(const RunSummary& summary);

 private:
  /// Update events queued that wake the writer before its interval (4 MB of events).
  static constexpr std::size_t kEventsPerWake = 65536;
  /// Update events the producer collects before it takes the lock: 64 KB, small enough to stay in the
  /// cache the engine's own data needs, large enough that the lock is taken once per thousand events.
  static constexpr std::size_t kEventsPerBlock = 1024;
  /// Emptied blocks kept for reuse, so the producer neither allocates nor faults pages: two wakes' worth,
  /// as the producer fills the next wake's blocks while the writer digests the last (8 MB at most).
  static constexpr std::size_t kSpareBlocks = 2 * kEventsPerWake / kEventsPerBlock;

  // Everything the producer side accumulates between two swaps.
  struct Queue {
    std::vector<std::vector<UpdateEvent>> incoming;  // every update event, as it came, in blocks;
    std::size_t incomingEvents = 0;                  // digested by the writer
    std::vector<UpdateEvent> events;   // the rows to write: every event (Full) or the first sampled
    std::uint64_t unstoredEvents = 0;  // seen after `events`, kept in the aggregates only
    std::optional<double> lastEventTime;
    DelayCounts delays;
    std::vector<AcceptedPoint> accepted;
    std::vector<SampledEvent> sampled;
    std::vector<EvaluationPoint> evaluations;
    std::vector<BandwidthSample> bandwidth;
    std::vector<WorkerStatus> workers;
    std::optional<std::pair<RunSummary, std::string>> finish;

    std::size_t items() const {
      return incomingEvents + events.size() + evaluations.size() + bandwidth.size() + workers.size();
    }
    void clear();
  };

  /// Called with m_mutex held before queueing `count` items; false when they must be dropped.
  bool admit(std::unique_lock<std::mutex>& lock, std::size_t count = 1);
  /// Producer: queues the block of update events collected so far (waiting for room when too much is
  /// pending).
  void handOverBlock();
  /// Producer, with m_mutex held: moves the events of the block not taken yet into the queue and starts
  /// the block again.
  void queueBlock();
  /// Writer, with m_mutex held: copies the events the producer has published since the last take into
  /// the queue. The producer may be writing the next slot meanwhile, so the block itself stays where it is.
  void takePublished();
  /// With m_mutex held: `count` events queued; wakes the writer when a wake's worth is waiting.
  void eventsQueued(std::size_t count);
  /// With m_mutex held: an emptied block of kEventsPerBlock slots (a spare one when there is one).
  std::vector<UpdateEvent> freshBlock();
  void itemQueued();
  void run();
  /// Writer thread: turns batch.incoming into the histogram, timeline, rows and sample.
  void digest(Queue& batch);
  void write(Queue& batch);
  void writeFinish(Queue& batch);

  std::unique_ptr<RunStore> m_store;  // writer thread only
  const std::int64_t m_runId;
  const Options m_options;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;   // writer: data, flush request or stop
  std::condition_variable m_space;  // producers: the queue was taken
  std::condition_variable m_done;   // flush(): a ticket was completed
  Queue m_queue;
  std::size_t m_pendingEvents = 0;
  std::vector<std::vector<UpdateEvent>> m_spareBlocks;  // under m_mutex, each kEventsPerBlock long
  // The producer's block: always kEventsPerBlock slots; the first m_blockCount are written. Slots below
  // the count (release-stored after the slot is written) are never written again until the block is
  // handed over, which happens under m_mutex by the producer, so the writer may read them under m_mutex.
  std::vector<UpdateEvent> m_block;
  std::atomic<std::size_t> m_blockCount{0};
  std::size_t m_blockTaken = 0;  // under m_mutex: slots the writer has already copied
  // Writer thread only.
  EventSample m_sample;
  AcceptedTimeline m_timeline;
  // Writer thread only: the run's whole histogram, written over the per-batch blocks once these add up
  // to more than it (so the store holds at most about twice the histogram while the run goes).
  DelayCounts m_delayTotal;
  std::size_t m_delayBlockBytes = 0;
  std::size_t m_delayTotalBytes = 0;
  std::size_t m_pendingItems = 0;
  std::uint64_t m_flushTicket = 0;  // requested
  std::uint64_t m_doneTicket = 0;   // completed
  bool m_stop = false;
  bool m_failed = false;
  std::string m_error;
  std::uint64_t m_dropped = 0;

  std::atomic<std::uint64_t> m_committedEvents{0};
  std::atomic<std::uint64_t> m_committedEvaluations{0};
  std::thread m_thread;  // last: started once everything above exists
};

}  // namespace distopt
