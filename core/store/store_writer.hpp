#pragma once
// Streams a run's telemetry into the run store without slowing the engine (docs/architecture.md, rule 4):
// an update event is one copy into a preallocated block and one release store of the block's count (no lock,
// no read-modify-write: a run has millions of events). When the block is full the producer takes the mutex
// once and digests it there, into the histogram, timeline, rows and sample of the queue; the writer swaps
// the queue out and commits it in batched transactions, at least every flushIntervalMs and sooner when
// maxBatch items (or eventsPerWake() update events) are waiting. A slow stream (a live run's few events a
// second) seldom fills a block, so the writer digests the published part of the partial block itself before
// each swap. The other sink methods hand the partial block over first. Each transaction is whole or absent
// for readers, so a coordinator killed with SIGKILL leaves a readable store holding everything up to its
// last commit (at most about one interval old).
//
// Why the producer digests: the counting is a few nanoseconds an event and touches data the engine's
// thread has in its cache; done by the writer thread it ran on the other vCPU at the same time as the
// engine, and on a machine whose two vCPUs share a core that slowed the engine by more than the digest
// itself costs (issue 20's figures). The writer is left the SQLite work, which is per batch, not per event.
//
// What it keeps of the update events is Options::eventLog: by default the exact delay histogram and the
// accepted-update timeline (added to the store with every batch), the first events as they come and a
// reservoir sample of the rest at the end; with EventLog::Full, every event.
//
// Thread affinity: the sink methods, flush() and finish() are called by one producer thread at a time (the
// engine's, as for every TelemetrySink); the RunStore handed in is used only by the writer thread from then
// on. The digest state (sample, timeline) is touched only under the mutex, by whichever thread moves events
// out of the block. delayTotals() and sampledEvents() are valid once finish() has returned: the result
// files take them from there instead of counting every event a second time. No exception leaves the writer
// thread: a failed write (a full disk) is kept in error(), and the writer then stops writing and discards
// further input (counted in droppedItems()) so a broken disk cannot exhaust memory. What was committed
// before stays whole; the finish is still attempted, with the failure in the run's termination detail, and
// if that fails too the run is marked interrupted by the next open.

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
  /// Update events digested that wake the writer before its interval. With EventLog::Full they are rows
  /// waiting in memory (4 MB). In aggregates they are only counts, and each wake costs a sort of the
  /// batch's histogram keys for its stored block (the writer's largest cost on E1), so a wake waits for
  /// more of them; the interval still bounds what a killed coordinator loses.
  static constexpr std::size_t kRowsPerWake = 65536;
  static constexpr std::size_t kCountsPerWake = std::size_t{1} << 20;
  std::size_t eventsPerWake() const {
    return m_options.eventLog == EventLog::Full ? kRowsPerWake : kCountsPerWake;
  }
  /// Update events the producer collects before it takes the lock: 64 KB, small enough to stay in the
  /// cache the engine's own data needs, large enough that the lock is taken once per thousand events.
  static constexpr std::size_t kEventsPerBlock = 1024;

  // Everything the producer side accumulates between two swaps, digested.
  struct Queue {
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
      return events.size() + evaluations.size() + bandwidth.size() + workers.size();
    }
    void clear();
  };

  /// With m_mutex held: maxPending items are waiting.
  bool full() const;
  /// With m_mutex held: waits until the writer has taken the queue when it is full (or has failed).
  void waitForRoom(std::unique_lock<std::mutex>& lock);
  /// Called with m_mutex held before queueing `count` items; false when they must be dropped.
  bool admit(std::unique_lock<std::mutex>& lock, std::size_t count = 1);
  /// Producer: digests the block of update events collected so far into the queue (waiting for room when
  /// too much is pending) and starts the block again.
  void handOverBlock();
  /// Writer, with m_mutex held: digests the events the producer has published since the last take. The
  /// producer may be writing the next slot meanwhile, so the block itself stays where it is.
  void takePublished();
  /// With m_mutex held: digests m_block[from, to) into m_queue and wakes the writer when a wake's worth
  /// of events is waiting.
  void digestSlots(std::size_t from, std::size_t to);
  void itemQueued();
  void run();
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
  // The producer's block: always kEventsPerBlock slots; the first m_blockCount are written. Slots below
  // the count (release-stored after the slot is written) are never written again until the producer
  // starts the block again, which it does under m_mutex, so the writer may read them under m_mutex.
  std::vector<UpdateEvent> m_block;
  std::atomic<std::size_t> m_blockCount{0};
  std::size_t m_blockTaken = 0;  // under m_mutex: slots already digested
  // Under m_mutex (used by whichever thread digests).
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
