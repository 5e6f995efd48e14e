#pragma once
// The run store (docs/architecture.md, rules 2 and 4): every run's description, update events, evaluation
// points, worker records and bandwidth samples, in one SQLite file. The coordinator writes it (through
// StoreWriter) while the GUI reads it, possibly from another process: the file is in WAL mode, so readers
// never block the writer and always see whole transactions. The sqlite3 C API is used, not Qt SQL, because
// the coordinator links no Qt.
//
// Errors (docs/architecture.md, rule 7): a file that cannot be opened, is not a run store, was written by a
// newer schema, or fails while reading or writing throws InputError whose where() is the file's path. Asking
// about a run that does not exist is not an error: lookups return nullopt/empty and edits return false.
//
// Thread affinity: a RunStore is one SQLite connection, used by one thread at a time (it may move
// between threads). Open one RunStore per thread; any number of them may share a file.
//
// The rows are the telemetry types themselves (UpdateEvent, EvaluationPoint, WorkerStatus,
// BandwidthSample), so what an engine emits is what a reader gets back. A run keeps its update events
// as aggregates (core/telemetry/run_digest.hpp: the exact delay histogram, the accepted-update timeline)
// plus either a bounded sample of the events or, with EventLog::Full, every one of them.
//
// A run whose coordinator died (SIGKILL, crash) has no end. Each open looks for such runs recorded on
// this host whose process is gone, and marks them `interrupted`, ended at their last committed batch.
// Deleting runs frees their pages (auto_vacuum=INCREMENTAL; older files are vacuumed once by
// reclaimSpace()).
//
// Unsigned 64-bit counters are stored bit for bit in SQLite's signed integers, so they read back exactly
// (values above 2^63 show as negative to other SQLite tools). SQLite keeps no NaN: a NaN loss or time
// reads back as NaN, a NaN optional value (gap, gradient norm, accuracy) reads back as absent, and a NaN
// update event time (which no engine produces) is stored as +inf.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/store/process_identity.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/telemetry/telemetry.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace distopt {

/// What describes a run when it starts; everything but displayName and tags is fixed afterwards.
struct RunRecord {
  std::string name;            ///< given at creation (e.g. the experiment's name); never changes
  std::string displayName;     ///< the user's label for it; empty = show `name`
  std::string experimentJson;  ///< the normalised experiment document
  std::string programVersion;
  std::uint64_t seed = 0;
  std::string algorithm;  ///< registry name, e.g. "ringmaster"
  std::string problem;
  std::string engine;  ///< "sim" or "live"
  int workers = 0;
  std::string startedAt;  ///< ISO-8601 UTC ("2025-01-31T12:00:00.000Z"); empty = time of createRun
  std::vector<std::string> tags;
  /// What the run keeps of its update events (runs recorded before schema 3 read back as Full).
  EventLog eventLog = EventLog::Aggregates;
  /// The process recording the run; pid 0 = this process (filled by createRun).
  ProcessIdentity coordinator;
  /// Program version, commit, host, command line and data file hashes (provenanceToJson); '' if unknown.
  std::string provenanceJson;
};

/// The termination the store records for a run whose coordinator died before the end (no engine
/// reports it, so it is not a Termination).
inline constexpr const char* kInterrupted = "interrupted";

/// A stored run: its record plus how it ended.
struct RunInfo {
  std::int64_t id = 0;
  RunRecord record;
  std::string endedAt;                     ///< ISO-8601 UTC; empty while running or if it was killed
  std::optional<Termination> termination;  ///< unset until finishRun (or an unknown name)
  /// The stored termination's name: terminationName(*termination), or kInterrupted for a run whose
  /// coordinator died; empty until the run ends.
  std::string terminationName;
  std::string terminationDetail;
  std::string summaryJson;  ///< empty until finishRun
  /// Update events the run produced (all of them are stored only with EventLog::Full; kept in step
  /// with the committed rows and aggregates).
  std::uint64_t eventCount = 0;
  std::uint64_t evaluationCount = 0;
  std::string lastCommitAt;             ///< ISO-8601 UTC of the last committed batch; empty if none
  std::optional<double> lastEventTime;  ///< engine time of the latest committed update event

  bool finished() const { return !endedAt.empty(); }
  bool interrupted() const { return terminationName == kInterrupted; }
  /// "running", "interrupted", or the termination's name.
  std::string state() const {
    return terminationName.empty() ? (finished() ? "finished" : "running") : terminationName;
  }
  /// What to show for the run: the display name, or the name when there is none.
  const std::string& label() const { return record.displayName.empty() ? record.name : record.displayName; }
};

/// A sweep (distopt-run --sweep): the runs of one grid or sample, kept in one folder.
struct SweepRecord {
  std::string name;          ///< the experiment's name
  std::string outDirectory;  ///< the sweep's folder (absolute): a resumed sweep is found by it
  std::string specJson;      ///< the sweep as run (axes, seeds, jobs, experiment, options)
};

struct SweepInfo {
  std::int64_t id = 0;
  SweepRecord record;
  std::string createdAt;      ///< ISO-8601 UTC
  std::string endedAt;        ///< empty while it runs (or if it was killed)
  std::string state;          ///< "running", "finished", "stopped", "failed"
  std::int64_t runCount = 0;  ///< runs recorded in it
};

/// One run of a sweep.
struct SweepRunRow {
  std::int64_t runId = 0;
  int point = 0;
  std::optional<std::uint64_t> seed;
  std::string paramsJson;  ///< {"path": value, ...} of the point
};

/// Data for one transaction: a reader sees all of it or none of it.
struct StoreBatch {
  /// Event rows, the next ones of the run in arrival order (their ordinals follow eventCount).
  std::span<const UpdateEvent> events;
  std::span<const EvaluationPoint> evaluations;
  std::span<const BandwidthSample> bandwidth;
  std::span<const WorkerStatus> workers;  ///< upserted: a worker's newest status replaces the stored one
  /// Events the run produced after `events` that get no row (counted in eventCount only).
  std::uint64_t unstoredEvents = 0;
  /// Event rows with their own ordinals (a reservoir sample), not counted again.
  std::span<const SampledEvent> sampled;
  /// Added to the run's delay histogram; null = nothing to add.
  const DelayCounts* delays = nullptr;
  /// `delays` is the whole histogram: it replaces the run's stored blocks instead of adding to them.
  bool delaysAreTotal = false;
  std::span<const AcceptedPoint> accepted;
  /// Engine time of the latest event these stand for (rows or not).
  std::optional<double> lastEventTime;
};

class RunStore {
 public:
  struct Options {
    /// How long (ms) a write waits for another connection's write to finish before failing. Writes are
    /// short batches, so a few seconds means the other writer is stuck, not busy.
    int busyTimeoutMs = 5000;
    /// Page cache of this connection (KiB). Long appends touch the tail of the time indexes only; a
    /// larger cache mostly helps loading big runs.
    int cacheKiB = 16384;

    bool isValid(std::string* why) const;
  };

  /// Schema this build writes; files with a higher user_version are refused, lower ones are migrated.
  static constexpr int kSchemaVersion = 5;

  /// Opens `path`, creating it and its parent folders if needed, in WAL mode (synchronous=NORMAL: a
  /// process crash loses nothing committed, a power cut at most the last transactions). Throws
  /// InputError naming the path when the file cannot be opened or is not a run store.
  static std::unique_ptr<RunStore> open(const std::string& path, const Options& options);
  static std::unique_ptr<RunStore> open(const std::string& path);

  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  const std::string& path() const { return m_path; }

  /// Adds a run and returns its id (> 0).
  std::int64_t createRun(const RunRecord& record);
  /// Appends in one transaction each. Throw InputError when the run does not exist (nothing is written).
  void appendEvents(std::int64_t runId, std::span<const UpdateEvent> events);
  void appendEvaluations(std::int64_t runId, std::span<const EvaluationPoint> points);
  void appendBandwidth(std::int64_t runId, std::span<const BandwidthSample> samples);
  /// Replaces the stored status of `status.worker` in the run (one row per worker).
  void upsertWorker(std::int64_t runId, const WorkerStatus& status);
  /// Everything in `batch` in one transaction. Throws InputError when the run does not exist.
  void appendBatch(std::int64_t runId, const StoreBatch& batch);
  /// Records the end: ended_at = now, termination and detail from `summary`, `summaryJson`, and the
  /// workers' final statuses (summary.workerStatus), in one transaction; the run's delay histogram is
  /// compacted into one block. False when the run does not exist.
  bool finishRun(std::int64_t runId, const RunSummary& summary, const std::string& summaryJson);
  /// Marks every unfinished run recorded on this host by a process that is gone as Interrupted, ended
  /// at its last commit. Done by open(); returns how many runs were marked.
  int markInterruptedRuns();

  /// Every run, newest first (started_at, then id, descending).
  std::vector<RunInfo> listRuns();
  std::optional<RunInfo> loadRun(std::int64_t runId);
  /// A run's rows in time order (ties in insertion order); empty for an unknown run.
  std::vector<UpdateEvent> loadEvents(std::int64_t runId);
  std::vector<EvaluationPoint> loadEvaluations(std::int64_t runId);
  /// The run's latest evaluation point (what its curves end at, also for a run that never finished);
  /// nullopt when it has none.
  std::optional<EvaluationPoint> lastEvaluation(std::int64_t runId);
  std::vector<BandwidthSample> loadBandwidth(std::int64_t runId);
  /// Each worker's latest status, ordered by worker.
  std::vector<WorkerStatus> loadWorkers(std::int64_t runId);
  /// The run's exact delay histogram (empty for runs recorded before schema 3: derive it from events).
  DelayCounts loadDelayCounts(std::int64_t runId);
  /// Cumulative accepted updates over time, in time order.
  std::vector<AcceptedPoint> loadAcceptedTimeline(std::int64_t runId);

  /// Sets the display name; empty restores the run's name. False when the run does not exist.
  bool renameRun(std::int64_t runId, const std::string& displayName);
  bool setTags(std::int64_t runId, const std::vector<std::string>& tags);
  /// Removes the run with its events, evaluations, workers, bandwidth samples and aggregates, and gives
  /// the freed pages back to the file system.
  bool deleteRun(std::int64_t runId);
  /// The bytes deleting `runIds` would give back to the file system (the pages their rows fill),
  /// measured by deleting them in a transaction that is rolled back: nothing changes.
  std::uint64_t bytesFreedByDeleting(const std::vector<std::int64_t>& runIds);
  /// Sweeps (see SweepRecord). A sweep is found again by its folder, so a resumed sweep keeps its row.
  std::int64_t createSweep(const SweepRecord& sweep);
  std::optional<std::int64_t> findSweep(const std::string& outDirectory);
  void addSweepRun(std::int64_t sweepId, std::int64_t runId, int point, std::optional<std::uint64_t> seed,
                   const std::string& paramsJson);
  void endSweep(std::int64_t sweepId, const std::string& state);
  /// Every sweep, newest first, with how many runs it holds.
  std::vector<SweepInfo> listSweeps();
  std::vector<SweepRunRow> loadSweepRuns(std::int64_t sweepId);

  /// When the freed pages leave the file: at once (a checkpoint now, two syncs), or at the next
  /// checkpoint — the one SQLite makes when the last connection closes, which is as soon for a
  /// connection about to close.
  enum class Checkpoint { Now, Later };
  /// Gives free pages back to the file system; with `convert`, a file made before schema 3 (no
  /// incremental vacuum) is vacuumed whole once, which converts it (slow on a big file). Must not be
  /// called inside a transaction.
  void reclaimSpace(bool convert = true, Checkpoint checkpoint = Checkpoint::Now);
  /// Size of the store file and its WAL, in bytes.
  std::uint64_t fileBytes() const;

  /// SQLite's integrity_check over the whole file: "ok", or the problems it found.
  std::string checkIntegrity();
  /// The file's schema version (user_version).
  int schemaVersion();

 private:
  class Statement;
  class Transaction;
  friend class Statement;
  friend class Transaction;

  RunStore(std::string path, sqlite3* db);
  sqlite3_stmt* prepared(const char* sql);
  /// Throws InputError(path, message).
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws InputError(path, "context: <SQLite's message>").
  [[noreturn]] void failSql(const std::string& context) const;
  void configure(const Options& options);
  void migrate();
  RunInfo readRun(Statement& row);
  EvaluationPoint readEvaluation(Statement& row);
  void insertEvents(std::int64_t runId, std::uint64_t firstSeq, std::span<const UpdateEvent> events);
  void insertEvaluations(std::int64_t runId, std::span<const EvaluationPoint> points);
  void insertBandwidth(std::int64_t runId, std::span<const BandwidthSample> samples);
  void upsertWorkers(std::int64_t runId, std::span<const WorkerStatus> workers);
  /// Adds to the run's counts; returns its event count before. Throws InputError for an unknown run.
  std::uint64_t bumpCounts(std::int64_t runId, std::uint64_t events, std::size_t evaluations);
  void insertSampled(std::int64_t runId, std::span<const SampledEvent> sampled);
  /// Appends `delays` as one block; returns its size in bytes.
  std::size_t insertDelays(std::int64_t runId, const DelayCounts& delays);
  void insertAccepted(std::int64_t runId, std::span<const AcceptedPoint> points);
  void compactDelays(std::int64_t runId);

  std::string m_path;
  sqlite3* m_db = nullptr;
  // Keyed by the SQL text: every statement is prepared once per connection and reset after each use.
  std::unordered_map<std::string, sqlite3_stmt*> m_statements;
};

/// $XDG_DATA_HOME/distopt-workbench/runs.sqlite, or $HOME/.local/share/distopt-workbench/runs.sqlite when
/// XDG_DATA_HOME is unset or not absolute (XDG Base Directory rules). Throws InputError when neither
/// variable nor the password database gives a home folder.
std::string defaultStorePath();

/// The current time as ISO-8601 UTC with milliseconds, the format of started_at/ended_at.
/// ISO-8601 UTC with milliseconds, as the store writes every time ("2025-01-31T12:00:00.000Z"), so
/// times compare as text.
std::string isoTime(std::chrono::system_clock::time_point time);
std::string isoTimeNow();

}  // namespace distopt
