#include "core/store/run_store.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>

#include <pwd.h>
#include <sqlite3.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// 'DSTW' in the file header: tells a run store from any other SQLite file before touching it.
constexpr int kApplicationId = 0x44535457;

// Migration i brings a file from schema i to i + 1 and runs inside the opening transaction. Existing
// entries never change once released: a new column or table is a new entry and a kSchemaVersion bump.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  experiment_json TEXT NOT NULL DEFAULT '',
  program_version TEXT NOT NULL DEFAULT '',
  seed INTEGER NOT NULL DEFAULT 0,
  algorithm TEXT NOT NULL DEFAULT '',
  problem TEXT NOT NULL DEFAULT '',
  engine TEXT NOT NULL DEFAULT '',
  workers INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  termination TEXT,
  termination_detail TEXT,
  summary_json TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  event_count INTEGER NOT NULL DEFAULT 0,
  evaluation_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_start ON runs(started_at, id);

CREATE TABLE workers (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  worker INTEGER NOT NULL,
  time REAL,
  host TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  jobs INTEGER NOT NULL DEFAULT 0,
  arrivals INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  discarded INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  late INTEGER NOT NULL DEFAULT 0,
  lost INTEGER NOT NULL DEFAULT 0,
  bytes_up INTEGER NOT NULL DEFAULT 0,
  bytes_down INTEGER NOT NULL DEFAULT 0,
  mean_delay REAL,
  mean_job_seconds REAL,
  speed REAL,
  PRIMARY KEY (run_id, worker)
) WITHOUT ROWID;

-- Clustered on (run, time): a run's events are read in time order straight off the table, and an append
-- updates one b-tree rather than a table and an index, which is most of the ingest cost. seq is the
-- arrival order within the run (0, 1, ...): it breaks ties in time and makes the key unique.
CREATE TABLE update_events (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  time REAL NOT NULL,
  seq INTEGER NOT NULL,
  worker INTEGER NOT NULL,
  job INTEGER NOT NULL,
  job_version INTEGER NOT NULL,
  delay INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  version_after INTEGER NOT NULL,
  age REAL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (run_id, time, seq)
) WITHOUT ROWID;

CREATE TABLE evaluations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  time REAL,
  updates INTEGER NOT NULL,
  loss REAL,
  gap REAL,
  grad_norm_sq REAL,
  test_accuracy REAL,
  bytes_up INTEGER NOT NULL,
  bytes_down INTEGER NOT NULL
);
CREATE INDEX evaluations_by_run_time ON evaluations(run_id, time);

CREATE TABLE bandwidth (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  time REAL,
  worker INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
  kind TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  messages INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bandwidth_by_run_time ON bandwidth(run_id, time);
)sql",
    // 1 -> 2: family-specific evaluation metrics, a JSON object {name: value}
    R"sql(
ALTER TABLE evaluations ADD COLUMN metrics TEXT;
)sql",
    // 2 -> 3: runs keep aggregates of their update events (runs recorded before kept every event: 'full'),
    // and who records them, so a run whose coordinator died can be told from one still going.
    R"sql(
ALTER TABLE runs ADD COLUMN event_log TEXT NOT NULL DEFAULT 'full';
ALTER TABLE runs ADD COLUMN coordinator_host TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN coordinator_pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN coordinator_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_commit_at TEXT;
ALTER TABLE runs ADD COLUMN last_event_time REAL;

-- Blocks of DelayCounts::encode(), one per committed batch while the run goes, compacted into one when
-- it finishes; the histogram is their sum.
CREATE TABLE delay_counts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  counts BLOB NOT NULL
);
CREATE INDEX delay_counts_by_run ON delay_counts(run_id);

CREATE TABLE accepted_timeline (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  count INTEGER NOT NULL,
  time REAL,
  PRIMARY KEY (run_id, count)
) WITHOUT ROWID;
)sql",
    // 3 -> 4: provenance of the run (core/telemetry/provenance.hpp), a JSON object
    R"sql(
ALTER TABLE runs ADD COLUMN provenance_json TEXT NOT NULL DEFAULT '';
)sql",
    // 4 -> 5: sweeps (distopt-run --sweep), which group the runs of one grid or sample
    R"sql(
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  out_dir TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ended_at TEXT,
  state TEXT NOT NULL DEFAULT 'running'
);
CREATE INDEX sweeps_by_out_dir ON sweeps(out_dir);
CREATE TABLE sweep_runs (
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  point INTEGER NOT NULL,
  seed INTEGER,
  params_json TEXT NOT NULL,
  PRIMARY KEY (sweep_id, run_id)
);
CREATE INDEX sweep_runs_by_run ON sweep_runs(run_id);
)sql",
};
static_assert(std::size(kMigrations) == RunStore::kSchemaVersion, "one migration per schema version");

// Bit-preserving: SQLite integers are signed 64-bit.
std::int64_t toSql(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t fromSql(std::int64_t value) { return static_cast<std::uint64_t>(value); }

std::optional<Termination> terminationFromName(const std::string& name) {
  for (Termination t : kTerminations)
    if (name == terminationName(t)) return t;
  return std::nullopt;
}

// Answered jobs per second of wall time: what a user means by a worker's speed; NULL when unmeasured.
std::optional<double> speedOf(const WorkerStatus& status) {
  if (!(status.meanJobSeconds > 0.0)) return std::nullopt;
  return 1.0 / status.meanJobSeconds;
}

std::string tagsToJson(const std::vector<std::string>& tags) {
  // Replace invalid UTF-8 rather than throw: a tag is a user's label, not worth refusing a run over.
  return nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// A cached prepared statement borrowed for one use; resets it on scope exit so it can be reused and
// releases its read snapshot.
class RunStore::Statement {
 public:
  Statement(RunStore& store, const char* sql) : m_store(store), m_stmt(store.prepared(sql)) {}
  ~Statement() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return m_stmt; }

  void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(m_stmt, index, value)); }
  void bind(int index, int value) { check(sqlite3_bind_int(m_stmt, index, value)); }
  void bind(int index, double value) { check(sqlite3_bind_double(m_stmt, index, value)); }
  void bind(int index, const std::optional<double>& value) {
    check(value ? sqlite3_bind_double(m_stmt, index, *value) : sqlite3_bind_null(m_stmt, index));
  }
  void bind(int index, const std::string& value) {
    check(sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void bindNull(int index) { check(sqlite3_bind_null(m_stmt, index)); }

  /// True when a row is ready, false when done.
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    m_store.failSql(sqlite3_sql(m_stmt));
  }
  /// Runs a statement that returns no rows and makes it ready to run again with new bindings.
  void execute() {
    step();
    sqlite3_reset(m_stmt);
  }

  bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
  std::int64_t int64At(int column) const { return sqlite3_column_int64(m_stmt, column); }
  std::uint64_t uint64At(int column) const { return fromSql(int64At(column)); }
  int intAt(int column) const { return sqlite3_column_int(m_stmt, column); }
  double doubleAt(int column) const {
    return isNull(column) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(m_stmt, column);
  }
  std::optional<double> optionalAt(int column) const {
    if (isNull(column)) return std::nullopt;
    return sqlite3_column_double(m_stmt, column);
  }
  std::string textAt(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
                : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) m_store.failSql("binding a parameter");
  }

  RunStore& m_store;
  sqlite3_stmt* m_stmt;
};

// BEGIN IMMEDIATE takes the write lock up front, so a busy file waits in the busy handler instead of
// failing halfway when a read transaction would have to be upgraded.
class RunStore::Transaction {
 public:
  explicit Transaction(RunStore& store) : m_store(store) { Statement(store, "BEGIN IMMEDIATE").execute(); }
  ~Transaction() {
    if (!sqlite3_get_autocommit(m_store.m_db))
      sqlite3_exec(m_store.m_db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() { Statement(m_store, "COMMIT").execute(); }

 private:
  RunStore& m_store;
};

bool RunStore::Options::isValid(std::string* why) const {
  auto bad = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (busyTimeoutMs < 0) return bad("busyTimeoutMs: must be >= 0");
  if (cacheKiB < 64) return bad("cacheKiB: must be >= 64");
  return true;
}

std::unique_ptr<RunStore> RunStore::open(const std::string& path) { return open(path, Options{}); }

std::unique_ptr<RunStore> RunStore::open(const std::string& path, const Options& options) {
  requireValid(options, "store");
  if (path.empty()) throw InputError("store", "no run store path given");
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, error);
    if (error) throw InputError(path, "cannot create the folder " + parent.string() + ": " + error.message());
  }
  if (fs::is_directory(path, error)) throw InputError(path, "is a folder, not a run store file");

  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw InputError(path, "cannot open the run store: " + message);
  }
  std::unique_ptr<RunStore> store(new RunStore(path, db));
  store->configure(options);
  store->migrate();
  try {
    store->markInterruptedRuns();
  } catch (const InputError&) {
    // Housekeeping only: a busy or read-only store is still readable; the next open tries again.
  }
  return store;
}

RunStore::RunStore(std::string path, sqlite3* db) : m_path(std::move(path)), m_db(db) {
  sqlite3_extended_result_codes(m_db, 1);
}

RunStore::~RunStore() {
  for (auto& [sql, statement] : m_statements) sqlite3_finalize(statement);
  sqlite3_close_v2(m_db);
}

sqlite3_stmt* RunStore::prepared(const char* sql) {
  auto it = m_statements.find(sql);
  if (it != m_statements.end()) return it->second;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
    failSql(std::string("preparing ") + sql);
  m_statements.emplace(sql, statement);
  return statement;
}

void RunStore::fail(const std::string& message) const { throw InputError(m_path, message); }

void RunStore::failSql(const std::string& context) const {
  throw InputError(m_path, context + ": " + sqlite3_errmsg(m_db));
}

void RunStore::configure(const Options& options) {
  sqlite3_busy_timeout(m_db, options.busyTimeoutMs);

  // The first read of the header is where a file of random bytes shows itself; say so in words a user
  // can act on rather than SQLite's terse "file is not a database".
  std::int64_t schemaObjects = 0;
  {
    sqlite3_stmt* probe = nullptr;
    int rc = sqlite3_prepare_v2(m_db, "SELECT count(*) FROM sqlite_master", -1, &probe, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(probe);
    if (rc == SQLITE_ROW) schemaObjects = sqlite3_column_int64(probe, 0);
    const std::string message = sqlite3_errmsg(m_db);
    sqlite3_finalize(probe);
    if (rc != SQLITE_ROW) {
      const int primary = rc & 0xff;
      if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        fail("not a run store: the file is not an SQLite database, or it is damaged (" + message + ")");
      fail("cannot read the run store: " + message);
    }
  }
  std::int64_t applicationId = 0;
  {
    Statement query(*this, "PRAGMA application_id");
    if (query.step()) applicationId = query.int64At(0);
  }
  if (applicationId != 0 && applicationId != kApplicationId) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%08llx", static_cast<unsigned long long>(applicationId));
    fail(std::string("not a run store: an SQLite database of another program (application_id ") + text + ")");
  }
  if (applicationId == 0 && schemaObjects > 0)
    fail("not a run store: an SQLite database holding other tables");

  {
    Statement query(*this, "PRAGMA journal_mode=WAL");
    const std::string mode = query.step() ? query.textAt(0) : std::string();
    if (mode != "wal")
      fail("cannot switch the run store to WAL mode (journal mode stays '" + mode +
           "'; network file systems do not support it)");
  }
  // NORMAL in WAL mode syncs at checkpoints only: a killed process loses nothing committed, and commits
  // cost no fsync, which is what makes batched ingest fast.
  Statement(*this, "PRAGMA synchronous=NORMAL").execute();
  Statement(*this, "PRAGMA foreign_keys=ON").execute();
  const std::string cache = "PRAGMA cache_size=-" + std::to_string(options.cacheKiB);
  if (sqlite3_exec(m_db, cache.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    failSql("setting the cache size");
}

void RunStore::migrate() {
  // Checked first without a transaction: an up-to-date file (the usual case) is opened without taking
  // the write lock, so a reader never waits for a busy writer here.
  if (schemaVersion() == kSchemaVersion) return;
  Transaction transaction(*this);
  // Read again inside the write transaction: two programs creating the same file at once migrate it once.
  const int version = schemaVersion();
  if (version > kSchemaVersion)
    fail("written by a newer DistOpt Workbench (schema " + std::to_string(version) +
         "; this program knows up to " + std::to_string(kSchemaVersion) + ")");
  if (version < 0) fail("not a run store: negative schema version " + std::to_string(version));
  if (version == kSchemaVersion) return;
  if (version == 0) {
    // Only possible before the first table exists: deleted runs then give their pages back.
    if (sqlite3_exec(m_db, "PRAGMA auto_vacuum=INCREMENTAL", nullptr, nullptr, nullptr) != SQLITE_OK)
      failSql("setting incremental vacuum");
  }
  for (int step = version; step < kSchemaVersion; ++step)
    if (sqlite3_exec(m_db, kMigrations[step], nullptr, nullptr, nullptr) != SQLITE_OK)
      failSql("migrating the run store to schema " + std::to_string(step + 1));
  const std::string stamp = "PRAGMA user_version=" + std::to_string(kSchemaVersion) +
                            "; PRAGMA application_id=" + std::to_string(kApplicationId);
  if (sqlite3_exec(m_db, stamp.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    failSql("stamping the schema version");
  transaction.commit();
}

std::int64_t RunStore::createRun(const RunRecord& record) {
  Statement insert(
      *this,
      "INSERT INTO runs (name, display_name, experiment_json, program_version, seed, algorithm, problem, "
      "engine, workers, started_at, tags, event_log, coordinator_host, coordinator_pid, "
      "coordinator_start, provenance_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const ProcessIdentity coordinator =
      record.coordinator.pid == 0 ? ProcessIdentity::current() : record.coordinator;
  insert.bind(1, record.name);
  insert.bind(2, record.displayName);
  insert.bind(3, record.experimentJson);
  insert.bind(4, record.programVersion);
  insert.bind(5, toSql(record.seed));
  insert.bind(6, record.algorithm);
  insert.bind(7, record.problem);
  insert.bind(8, record.engine);
  insert.bind(9, record.workers);
  insert.bind(10, record.startedAt.empty() ? isoTimeNow() : record.startedAt);
  insert.bind(11, tagsToJson(record.tags));
  insert.bind(12, std::string(eventLogName(record.eventLog)));
  insert.bind(13, coordinator.host);
  insert.bind(14, coordinator.pid);
  insert.bind(15, toSql(coordinator.startTicks));
  insert.bind(16, record.provenanceJson);
  insert.execute();
  return sqlite3_last_insert_rowid(m_db);
}

std::uint64_t RunStore::bumpCounts(std::int64_t runId, std::uint64_t events, std::size_t evaluations) {
  // Doubles as the existence check, and keeps the counts a reader sees equal to the rows it sees, since
  // both change in the same transaction. last_commit_at is when an interrupted run ends.
  Statement update(*this,
                   "UPDATE runs SET event_count = event_count + ?, evaluation_count = evaluation_count + ?, "
                   "last_commit_at = ? WHERE id = ? RETURNING event_count");
  update.bind(1, toSql(events));
  update.bind(2, static_cast<std::int64_t>(evaluations));
  update.bind(3, isoTimeNow());
  update.bind(4, runId);
  if (!update.step()) fail("no run " + std::to_string(runId) + " to append to");
  const std::uint64_t eventsBefore = update.uint64At(0) - events;
  while (update.step()) {
  }
  return eventsBefore;
}

namespace {

// Rows per INSERT on the ingest path: one statement execution carries this many events, which about
// halves SQLite's CPU per event compared with one row per statement (bench_store_ingest).
constexpr int kEventsPerInsert = 16;
constexpr int kEventColumns = 10;  // besides run_id, which all rows of a statement share as ?1

std::string eventInsertSql(int rows) {
  std::string sql =
      "INSERT INTO update_events (run_id, time, seq, worker, job, job_version, delay, outcome, "
      "version_after, "
      "age, bytes) VALUES ";
  int parameter = 2;
  for (int row = 0; row < rows; ++row) {
    sql += row ? ", (?1" : "(?1";
    for (int column = 0; column < kEventColumns; ++column) sql += ", ?" + std::to_string(parameter++);
    sql += ")";
  }
  return sql;
}

// Binds one event's columns starting at parameter `first`; the hot loop of ingest, so raw calls.
void bindEvent(sqlite3_stmt* s, int first, const UpdateEvent& e, std::int64_t seq) {
  // The key cannot hold NULL, which is what SQLite makes of NaN; engines' clocks never give NaN anyway.
  sqlite3_bind_double(s, first, std::isnan(e.time) ? std::numeric_limits<double>::infinity() : e.time);
  sqlite3_bind_int64(s, first + 1, seq);
  sqlite3_bind_int(s, first + 2, e.worker);
  sqlite3_bind_int64(s, first + 3, toSql(e.jobId));
  sqlite3_bind_int64(s, first + 4, toSql(e.jobVersion));
  sqlite3_bind_int64(s, first + 5, e.delay);
  sqlite3_bind_int(s, first + 6, static_cast<int>(e.outcome));
  sqlite3_bind_int64(s, first + 7, toSql(e.versionAfter));
  sqlite3_bind_double(s, first + 8, e.age);
  sqlite3_bind_int64(s, first + 9, toSql(e.bytes));
}

}  // namespace

void RunStore::insertEvents(std::int64_t runId, std::uint64_t firstSeq, std::span<const UpdateEvent> events) {
  static const std::string manySql = eventInsertSql(kEventsPerInsert);
  static const std::string oneSql = eventInsertSql(1);
  std::int64_t seq = toSql(firstSeq);
  std::size_t next = 0;
  if (events.size() >= kEventsPerInsert) {
    Statement insert(*this, manySql.c_str());
    sqlite3_stmt* s = insert.get();
    insert.bind(1, runId);
    for (; next + kEventsPerInsert <= events.size(); next += kEventsPerInsert) {
      for (int row = 0; row < kEventsPerInsert; ++row)
        bindEvent(s, 2 + row * kEventColumns, events[next + static_cast<std::size_t>(row)], seq++);
      if (sqlite3_step(s) != SQLITE_DONE) failSql("storing update events");
      sqlite3_reset(s);
    }
  }
  if (next == events.size()) return;
  Statement insert(*this, oneSql.c_str());
  sqlite3_stmt* s = insert.get();
  insert.bind(1, runId);
  for (; next < events.size(); ++next) {
    bindEvent(s, 2, events[next], seq++);
    if (sqlite3_step(s) != SQLITE_DONE) failSql("storing update events");
    sqlite3_reset(s);
  }
}

void RunStore::insertEvaluations(std::int64_t runId, std::span<const EvaluationPoint> points) {
  if (points.empty()) return;
  Statement insert(*this,
                   "INSERT INTO evaluations (run_id, time, updates, loss, gap, grad_norm_sq, test_accuracy, "
                   "bytes_up, bytes_down, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, runId);
  for (const EvaluationPoint& p : points) {
    insert.bind(2, p.time);
    insert.bind(3, toSql(p.updates));
    insert.bind(4, p.loss);
    insert.bind(5, p.gap);
    insert.bind(6, p.gradNormSq);
    insert.bind(7, p.testAccuracy);
    insert.bind(8, toSql(p.bytesUp));
    insert.bind(9, toSql(p.bytesDown));
    if (p.metrics.empty())
      insert.bindNull(10);
    else
      insert.bind(10, nlohmann::json(p.metrics).dump());
    insert.execute();
  }
}

void RunStore::insertBandwidth(std::int64_t runId, std::span<const BandwidthSample> samples) {
  if (samples.empty()) return;
  Statement insert(*this,
                   "INSERT INTO bandwidth (run_id, time, worker, direction, kind, bytes, messages) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, runId);
  const std::string up = "up", down = "down";
  for (const BandwidthSample& sample : samples) {
    insert.bind(2, sample.time);
    insert.bind(3, sample.worker);
    insert.bind(4, sample.uplink ? up : down);
    insert.bind(5, sample.kind);
    insert.bind(6, toSql(sample.bytes));
    insert.bind(7, toSql(sample.messages));
    insert.execute();
  }
}

void RunStore::upsertWorkers(std::int64_t runId, std::span<const WorkerStatus> workers) {
  if (workers.empty()) return;
  Statement upsert(
      *this,
      "INSERT INTO workers (run_id, worker, time, host, pid, state, reason, jobs, arrivals, accepted, "
      "discarded, cancelled, late, lost, bytes_up, bytes_down, mean_delay, mean_job_seconds, speed) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (run_id, worker) DO UPDATE SET time = excluded.time, host = excluded.host, "
      "pid = excluded.pid, state = excluded.state, reason = excluded.reason, jobs = excluded.jobs, "
      "arrivals = excluded.arrivals, accepted = excluded.accepted, discarded = excluded.discarded, "
      "cancelled = excluded.cancelled, late = excluded.late, lost = excluded.lost, "
      "bytes_up = excluded.bytes_up, bytes_down = excluded.bytes_down, mean_delay = excluded.mean_delay, "
      "mean_job_seconds = excluded.mean_job_seconds, speed = excluded.speed");
  upsert.bind(1, runId);
  for (const WorkerStatus& w : workers) {
    upsert.bind(2, w.worker);
    upsert.bind(3, w.time);
    upsert.bind(4, w.host);
    upsert.bind(5, w.pid);
    upsert.bind(6, w.state);
    upsert.bind(7, w.reason);
    upsert.bind(8, toSql(w.counters.jobsSent));
    upsert.bind(9, toSql(w.counters.arrivals));
    upsert.bind(10, toSql(w.counters.accepted));
    upsert.bind(11, toSql(w.counters.discarded));
    upsert.bind(12, toSql(w.counters.cancelled));
    upsert.bind(13, toSql(w.counters.lateCancelled));
    upsert.bind(14, toSql(w.counters.lost));
    upsert.bind(15, toSql(w.bytesUp));
    upsert.bind(16, toSql(w.bytesDown));
    upsert.bind(17, w.meanDelay);
    upsert.bind(18, w.meanJobSeconds);
    upsert.bind(19, speedOf(w));
    upsert.execute();
  }
}

void RunStore::insertSampled(std::int64_t runId, std::span<const SampledEvent> sampled) {
  if (sampled.empty()) return;
  static const std::string oneSql = eventInsertSql(1);
  Statement insert(*this, oneSql.c_str());
  sqlite3_stmt* s = insert.get();
  insert.bind(1, runId);
  // The ordinal is the key's tie-breaker, as for rows written in arrival order; a sample row written
  // twice (a retried finish) replaces nothing and fails nothing.
  for (const SampledEvent& sample : sampled) {
    bindEvent(s, 2, sample.event, toSql(sample.ordinal));
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT_PRIMARYKEY) failSql("storing sampled update events");
    sqlite3_reset(s);
  }
}

std::size_t RunStore::insertDelays(std::int64_t runId, const DelayCounts& delays) {
  if (delays.empty()) return 0;
  Statement insert(*this, "INSERT INTO delay_counts (run_id, counts) VALUES (?, ?)");
  insert.bind(1, runId);
  const std::string block = delays.encode();
  if (sqlite3_bind_blob(insert.get(), 2, block.data(), static_cast<int>(block.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    failSql("binding a parameter");
  insert.execute();
  return block.size();
}

void RunStore::insertAccepted(std::int64_t runId, std::span<const AcceptedPoint> points) {
  if (points.empty()) return;
  Statement insert(*this, "INSERT OR REPLACE INTO accepted_timeline (run_id, count, time) VALUES (?, ?, ?)");
  insert.bind(1, runId);
  for (const AcceptedPoint& p : points) {
    insert.bind(2, toSql(p.count));
    insert.bind(3, p.time);
    insert.execute();
  }
}

void RunStore::compactDelays(std::int64_t runId) {
  DelayCounts total;
  std::int64_t blocks = 0;
  {
    Statement query(*this, "SELECT counts FROM delay_counts WHERE run_id = ?");
    query.bind(1, runId);
    while (query.step()) {
      ++blocks;
      const auto* data = static_cast<const char*>(sqlite3_column_blob(query.get(), 0));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(query.get(), 0));
      if (!total.decodeAdd(std::string_view(data ? data : "", size)))
        fail("run " + std::to_string(runId) + ": a damaged delay histogram block");
    }
  }
  if (blocks <= 1) return;
  Statement remove(*this, "DELETE FROM delay_counts WHERE run_id = ?");
  remove.bind(1, runId);
  remove.execute();
  insertDelays(runId, total);
}

void RunStore::appendBatch(std::int64_t runId, const StoreBatch& batch) {
  Transaction transaction(*this);
  const std::uint64_t firstSeq =
      bumpCounts(runId, batch.events.size() + batch.unstoredEvents, batch.evaluations.size());
  std::optional<double> lastEventTime = batch.lastEventTime;
  for (const UpdateEvent& e : batch.events)
    if (!lastEventTime || e.time > *lastEventTime) lastEventTime = e.time;
  if (lastEventTime && !std::isnan(*lastEventTime)) {
    Statement update(
        *this, "UPDATE runs SET last_event_time = max(COALESCE(last_event_time, ?1), ?1) WHERE id = ?2");
    update.bind(1, *lastEventTime);
    update.bind(2, runId);
    update.execute();
  }
  insertEvents(runId, firstSeq, batch.events);
  insertSampled(runId, batch.sampled);
  if (batch.delays && batch.delaysAreTotal) {
    Statement remove(*this, "DELETE FROM delay_counts WHERE run_id = ?");
    remove.bind(1, runId);
    remove.execute();
  }
  if (batch.delays) insertDelays(runId, *batch.delays);
  insertAccepted(runId, batch.accepted);
  insertEvaluations(runId, batch.evaluations);
  insertBandwidth(runId, batch.bandwidth);
  upsertWorkers(runId, batch.workers);
  transaction.commit();
}

void RunStore::appendEvents(std::int64_t runId, std::span<const UpdateEvent> events) {
  appendBatch(runId, StoreBatch{.events = events});
}

void RunStore::appendEvaluations(std::int64_t runId, std::span<const EvaluationPoint> points) {
  appendBatch(runId, StoreBatch{.evaluations = points});
}

void RunStore::appendBandwidth(std::int64_t runId, std::span<const BandwidthSample> samples) {
  appendBatch(runId, StoreBatch{.bandwidth = samples});
}

void RunStore::upsertWorker(std::int64_t runId, const WorkerStatus& status) {
  appendBatch(runId, StoreBatch{.workers = std::span<const WorkerStatus>(&status, 1)});
}

bool RunStore::finishRun(std::int64_t runId, const RunSummary& summary, const std::string& summaryJson) {
  Transaction transaction(*this);
  {
    Statement update(
        *this,
        "UPDATE runs SET ended_at = ?, termination = ?, termination_detail = ?, summary_json = ? "
        "WHERE id = ?");
    update.bind(1, isoTimeNow());
    update.bind(2, std::string(terminationName(summary.termination)));
    update.bind(3, summary.terminationDetail);
    update.bind(4, summaryJson);
    update.bind(5, runId);
    update.execute();
    if (sqlite3_changes(m_db) == 0) return false;
  }
  upsertWorkers(runId, summary.workerStatus);
  compactDelays(runId);
  transaction.commit();
  return true;
}

int RunStore::markInterruptedRuns() {
  struct Open {
    std::int64_t id;
    ProcessIdentity coordinator;
    std::string endedAt;
  };
  std::vector<Open> gone;
  {
    Statement query(
        *this,
        "SELECT id, coordinator_host, coordinator_pid, coordinator_start, "
        "COALESCE(last_commit_at, started_at) FROM runs WHERE ended_at IS NULL AND coordinator_pid > 0");
    while (query.step()) {
      Open run{query.int64At(0), {query.textAt(1), query.intAt(2), query.uint64At(3)}, query.textAt(4)};
      if (run.coordinator.knownGone()) gone.push_back(std::move(run));
    }
  }
  if (gone.empty()) return 0;
  Transaction transaction(*this);
  int marked = 0;
  for (const Open& run : gone) {
    Statement update(*this,
                     "UPDATE runs SET ended_at = ?, termination = 'interrupted', termination_detail = ? "
                     "WHERE id = ? AND ended_at IS NULL");
    update.bind(1, run.endedAt);
    update.bind(2, "its coordinator (pid " + std::to_string(run.coordinator.pid) + " on " +
                       run.coordinator.host + ") ended without finishing the run; the data committed until " +
                       run.endedAt + " is kept");
    update.bind(3, run.id);
    update.execute();
    marked += sqlite3_changes(m_db);
  }
  transaction.commit();
  return marked;
}

namespace {
constexpr const char* kRunColumns =
    "SELECT id, name, display_name, experiment_json, program_version, seed, algorithm, problem, engine, "
    "workers, "
    "started_at, ended_at, termination, termination_detail, summary_json, tags, event_count, "
    "evaluation_count, "
    "event_log, coordinator_host, coordinator_pid, coordinator_start, last_commit_at, last_event_time, "
    "provenance_json FROM runs ";
}  // namespace

RunInfo RunStore::readRun(Statement& row) {
  RunInfo info;
  info.id = row.int64At(0);
  info.record.name = row.textAt(1);
  info.record.displayName = row.textAt(2);
  info.record.experimentJson = row.textAt(3);
  info.record.programVersion = row.textAt(4);
  info.record.seed = row.uint64At(5);
  info.record.algorithm = row.textAt(6);
  info.record.problem = row.textAt(7);
  info.record.engine = row.textAt(8);
  info.record.workers = row.intAt(9);
  info.record.startedAt = row.textAt(10);
  info.endedAt = row.textAt(11);
  if (!row.isNull(12)) {
    info.terminationName = row.textAt(12);
    info.termination = terminationFromName(info.terminationName);
  }
  info.terminationDetail = row.textAt(13);
  info.summaryJson = row.textAt(14);
  const auto tags = nlohmann::json::parse(row.textAt(15), nullptr, false);
  if (!tags.is_array()) fail("run " + std::to_string(info.id) + ": tags are not a JSON array");
  for (const auto& tag : tags) {
    if (!tag.is_string()) fail("run " + std::to_string(info.id) + ": a tag is not a string");
    info.record.tags.push_back(tag.get<std::string>());
  }
  info.eventCount = row.uint64At(16);
  info.evaluationCount = row.uint64At(17);
  info.record.eventLog = eventLogFromName(row.textAt(18)).value_or(EventLog::Full);
  info.record.coordinator = {row.textAt(19), row.intAt(20), row.uint64At(21)};
  info.lastCommitAt = row.textAt(22);
  info.lastEventTime = row.optionalAt(23);
  info.record.provenanceJson = row.textAt(24);
  return info;
}

std::vector<RunInfo> RunStore::listRuns() {
  static const std::string sql = std::string(kRunColumns) + "ORDER BY started_at DESC, id DESC";
  Statement query(*this, sql.c_str());
  std::vector<RunInfo> runs;
  while (query.step()) runs.push_back(readRun(query));
  return runs;
}

std::optional<RunInfo> RunStore::loadRun(std::int64_t runId) {
  static const std::string sql = std::string(kRunColumns) + "WHERE id = ?";
  Statement query(*this, sql.c_str());
  query.bind(1, runId);
  if (!query.step()) return std::nullopt;
  return readRun(query);
}

std::vector<UpdateEvent> RunStore::loadEvents(std::int64_t runId) {
  Statement query(*this,
                  "SELECT time, worker, job, job_version, delay, outcome, version_after, age, bytes "
                  "FROM update_events WHERE run_id = ? ORDER BY time, seq");
  query.bind(1, runId);
  std::vector<UpdateEvent> events;
  if (auto run = loadRun(runId)) events.reserve(run->eventCount);
  while (query.step()) {
    UpdateEvent& e = events.emplace_back();
    e.time = query.doubleAt(0);
    e.worker = query.intAt(1);
    e.jobId = query.uint64At(2);
    e.jobVersion = query.uint64At(3);
    e.delay = query.int64At(4);
    const int outcome = query.intAt(5);
    if (outcome < 0 || outcome > static_cast<int>(Outcome::LateCancelled))
      fail("run " + std::to_string(runId) + ": update event with unknown outcome code " +
           std::to_string(outcome));
    e.outcome = static_cast<Outcome>(outcome);
    e.versionAfter = query.uint64At(6);
    e.age = query.doubleAt(7);
    e.bytes = query.uint64At(8);
  }
  return events;
}

namespace {
constexpr const char* kEvaluationColumns =
    "SELECT time, updates, loss, gap, grad_norm_sq, test_accuracy, bytes_up, bytes_down, metrics "
    "FROM evaluations WHERE run_id = ? ";
}  // namespace

std::vector<EvaluationPoint> RunStore::loadEvaluations(std::int64_t runId) {
  static const std::string sql = std::string(kEvaluationColumns) + "ORDER BY time, id";
  Statement query(*this, sql.c_str());
  query.bind(1, runId);
  std::vector<EvaluationPoint> points;
  while (query.step()) points.push_back(readEvaluation(query));
  return points;
}

std::optional<EvaluationPoint> RunStore::lastEvaluation(std::int64_t runId) {
  // The (run_id, time) index answers this without reading the run's other rows.
  static const std::string sql = std::string(kEvaluationColumns) + "ORDER BY time DESC, id DESC LIMIT 1";
  Statement query(*this, sql.c_str());
  query.bind(1, runId);
  if (!query.step()) return std::nullopt;
  return readEvaluation(query);
}

EvaluationPoint RunStore::readEvaluation(Statement& query) {
  EvaluationPoint p;
  p.time = query.doubleAt(0);
  p.updates = query.uint64At(1);
  p.loss = query.doubleAt(2);
  p.gap = query.optionalAt(3);
  p.gradNormSq = query.optionalAt(4);
  p.testAccuracy = query.optionalAt(5);
  p.bytesUp = query.uint64At(6);
  p.bytesDown = query.uint64At(7);
  const std::string metrics = query.textAt(8);
  if (!metrics.empty()) {
    // Written by insertEvaluations only; a value that does not parse is skipped, not fatal: the
    // curve itself is still good.
    const auto parsed = nlohmann::json::parse(metrics, nullptr, false);
    if (parsed.is_object())
      for (const auto& [name, value] : parsed.items())
        if (value.is_number()) p.metrics[name] = value.get<double>();
  }
  return p;
}

std::vector<BandwidthSample> RunStore::loadBandwidth(std::int64_t runId) {
  Statement query(*this,
                  "SELECT time, worker, direction, kind, bytes, messages FROM bandwidth WHERE run_id = ? "
                  "ORDER BY time, id");
  query.bind(1, runId);
  std::vector<BandwidthSample> samples;
  while (query.step()) {
    BandwidthSample& s = samples.emplace_back();
    s.time = query.doubleAt(0);
    s.worker = query.intAt(1);
    const std::string direction = query.textAt(2);
    if (direction != "up" && direction != "down")
      fail("run " + std::to_string(runId) + ": bandwidth sample with direction '" + direction + "'");
    s.uplink = direction == "up";
    s.kind = query.textAt(3);
    s.bytes = query.uint64At(4);
    s.messages = query.uint64At(5);
  }
  return samples;
}

std::vector<WorkerStatus> RunStore::loadWorkers(std::int64_t runId) {
  Statement query(
      *this,
      "SELECT worker, time, host, pid, state, reason, jobs, arrivals, accepted, discarded, cancelled, "
      "late, lost, bytes_up, bytes_down, mean_delay, mean_job_seconds FROM workers WHERE run_id = ? "
      "ORDER BY worker");
  query.bind(1, runId);
  std::vector<WorkerStatus> workers;
  while (query.step()) {
    WorkerStatus& w = workers.emplace_back();
    w.worker = query.intAt(0);
    w.time = query.doubleAt(1);
    w.host = query.textAt(2);
    w.pid = query.intAt(3);
    w.state = query.textAt(4);
    w.reason = query.textAt(5);
    w.counters.jobsSent = query.uint64At(6);
    w.counters.arrivals = query.uint64At(7);
    w.counters.accepted = query.uint64At(8);
    w.counters.discarded = query.uint64At(9);
    w.counters.cancelled = query.uint64At(10);
    w.counters.lateCancelled = query.uint64At(11);
    w.counters.lost = query.uint64At(12);
    w.bytesUp = query.uint64At(13);
    w.bytesDown = query.uint64At(14);
    w.meanDelay = query.doubleAt(15);
    w.meanJobSeconds = query.doubleAt(16);
  }
  return workers;
}

DelayCounts RunStore::loadDelayCounts(std::int64_t runId) {
  Statement query(*this, "SELECT counts FROM delay_counts WHERE run_id = ? ORDER BY id");
  query.bind(1, runId);
  DelayCounts counts;
  while (query.step()) {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(query.get(), 0));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(query.get(), 0));
    if (!counts.decodeAdd(std::string_view(data ? data : "", size)))
      fail("run " + std::to_string(runId) + ": a damaged delay histogram block");
  }
  return counts;
}

std::vector<AcceptedPoint> RunStore::loadAcceptedTimeline(std::int64_t runId) {
  Statement query(*this, "SELECT time, count FROM accepted_timeline WHERE run_id = ? ORDER BY count");
  query.bind(1, runId);
  std::vector<AcceptedPoint> points;
  while (query.step()) points.push_back({query.doubleAt(0), query.uint64At(1)});
  return points;
}

bool RunStore::renameRun(std::int64_t runId, const std::string& displayName) {
  Statement update(*this, "UPDATE runs SET display_name = ? WHERE id = ?");
  update.bind(1, displayName);
  update.bind(2, runId);
  update.execute();
  return sqlite3_changes(m_db) > 0;
}

bool RunStore::setTags(std::int64_t runId, const std::vector<std::string>& tags) {
  Statement update(*this, "UPDATE runs SET tags = ? WHERE id = ?");
  update.bind(1, tagsToJson(tags));
  update.bind(2, runId);
  update.execute();
  return sqlite3_changes(m_db) > 0;
}

bool RunStore::deleteRun(std::int64_t runId) {
  // The rows of the other tables go with it through ON DELETE CASCADE, in the same statement.
  bool removed = false;
  {
    Statement remove(*this, "DELETE FROM runs WHERE id = ?");
    remove.bind(1, runId);
    remove.execute();
    removed = sqlite3_changes(m_db) > 0;
  }
  if (removed && sqlite3_get_autocommit(m_db)) reclaimSpace();
  return removed;
}

std::uint64_t RunStore::bytesFreedByDeleting(const std::vector<std::int64_t>& runIds) {
  auto pragma = [this](const char* sql) {
    Statement query(*this, sql);
    return query.step() ? static_cast<std::uint64_t>(query.int64At(0)) : std::uint64_t{0};
  };
  Transaction transaction(*this);  // never committed: its destructor rolls the deletes back
  const std::uint64_t freeBefore = pragma("PRAGMA freelist_count");
  for (std::int64_t runId : runIds) {
    Statement remove(*this, "DELETE FROM runs WHERE id = ?");
    remove.bind(1, runId);
    remove.execute();
  }
  const std::uint64_t freeAfter = pragma("PRAGMA freelist_count");
  return (freeAfter > freeBefore ? freeAfter - freeBefore : 0) * pragma("PRAGMA page_size");
}

void RunStore::reclaimSpace(bool convert, Checkpoint checkpoint) {
  int mode = 0;
  {
    Statement query(*this, "PRAGMA auto_vacuum");
    if (query.step()) mode = query.intAt(0);
  }
  // 2 = INCREMENTAL. A file from before schema 3 has none: one full VACUUM switches it over.
  if (mode != 2 && !convert) return;
  const char* sql = mode == 2 ? "PRAGMA incremental_vacuum" : "PRAGMA auto_vacuum=INCREMENTAL; VACUUM";
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) failSql("giving free space back");
  // The pages leave the file at the next checkpoint; do it now so the space shows at once.
  if (checkpoint == Checkpoint::Now)
    sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

std::uint64_t RunStore::fileBytes() const {
  std::uint64_t bytes = 0;
  std::error_code error;
  for (const std::string& file : {m_path, m_path + "-wal"}) {
    const auto size = std::filesystem::file_size(file, error);
    if (!error) bytes += size;
  }
  return bytes;
}

std::string RunStore::checkIntegrity() {
  Statement query(*this, "PRAGMA integrity_check");
  std::string result;
  while (query.step()) {
    if (!result.empty()) result += '\n';
    result += query.textAt(0);
  }
  return result;
}

int RunStore::schemaVersion() {
  Statement query(*this, "PRAGMA user_version");
  return query.step() ? query.intAt(0) : 0;
}

std::string defaultStorePath() {
  const std::string suffix = "/distopt-workbench/runs.sqlite";
  const char* xdg = std::getenv("XDG_DATA_HOME");
  // The XDG spec says relative values are to be ignored.
  if (xdg && xdg[0] == '/') return xdg + suffix;
  std::string home;
  if (const char* env = std::getenv("HOME"); env && env[0] != '\0')
    home = env;
  else if (const passwd* entry = getpwuid(getuid()); entry && entry->pw_dir)
    home = entry->pw_dir;
  if (home.empty()) throw InputError("HOME", "no home folder to keep the run store in; give a store path");
  return home + "/.local/share" + suffix;
}

std::string isoTime(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const std::time_t seconds = system_clock::to_time_t(time);
  auto millis = duration_cast<milliseconds>(time.time_since_epoch()).count() % 1000;
  if (millis < 0) millis += 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(millis));
  return text;
}

std::string isoTimeNow() { return isoTime(std::chrono::system_clock::now()); }

// Sweeps: a row per sweep, and which runs belong to it (a run deleted later leaves its sweep).
std::int64_t RunStore::createSweep(const SweepRecord& sweep) {
  Statement insert(*this, "INSERT INTO sweeps (name, out_dir, spec_json, created_at) VALUES (?, ?, ?, ?)");
  insert.bind(1, sweep.name);
  insert.bind(2, sweep.outDirectory);
  insert.bind(3, sweep.specJson);
  insert.bind(4, isoTimeNow());
  insert.execute();
  return sqlite3_last_insert_rowid(m_db);
}

std::optional<std::int64_t> RunStore::findSweep(const std::string& outDirectory) {
  Statement query(*this, "SELECT id FROM sweeps WHERE out_dir = ? ORDER BY id DESC LIMIT 1");
  query.bind(1, outDirectory);
  if (!query.step()) return std::nullopt;
  return query.int64At(0);
}

void RunStore::addSweepRun(std::int64_t sweepId, std::int64_t runId, int point, std::optional<std::uint64_t> seed,
                           const std::string& paramsJson) {
  // A run of the sweep done again (after a stop or a failure) replaces the earlier attempt in the sweep;
  // the earlier run stays in the store as it ended.
  Transaction transaction(*this);
  {
    Statement remove(*this, "DELETE FROM sweep_runs WHERE sweep_id = ? AND point = ? AND seed IS ?");
    remove.bind(1, sweepId);
    remove.bind(2, point);
    if (seed) remove.bind(3, toSql(*seed));
    else remove.bindNull(3);
    remove.execute();
  }
  Statement insert(*this,
                   "INSERT OR REPLACE INTO sweep_runs (sweep_id, run_id, point, seed, params_json) "
                   "VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, sweepId);
  insert.bind(2, runId);
  insert.bind(3, point);
  if (seed) insert.bind(4, toSql(*seed));
  else insert.bindNull(4);
  insert.bind(5, paramsJson);
  insert.execute();
  transaction.commit();
}

void RunStore::endSweep(std::int64_t sweepId, const std::string& state) {
  Statement update(*this, "UPDATE sweeps SET ended_at = ?, state = ? WHERE id = ?");
  update.bind(1, isoTimeNow());
  update.bind(2, state);
  update.bind(3, sweepId);
  update.execute();
}

std::vector<SweepInfo> RunStore::listSweeps() {
  Statement query(*this,
                  "SELECT s.id, s.name, s.out_dir, s.spec_json, s.created_at, COALESCE(s.ended_at, ''), s.state, "
                  "(SELECT COUNT(*) FROM sweep_runs r WHERE r.sweep_id = s.id) FROM sweeps s ORDER BY s.id DESC");
  std::vector<SweepInfo> sweeps;
  while (query.step()) {
    SweepInfo info;
    info.id = query.int64At(0);
    info.record.name = query.textAt(1);
    info.record.outDirectory = query.textAt(2);
    info.record.specJson = query.textAt(3);
    info.createdAt = query.textAt(4);
    info.endedAt = query.textAt(5);
    info.state = query.textAt(6);
    info.runCount = query.int64At(7);
    sweeps.push_back(std::move(info));
  }
  return sweeps;
}

std::vector<SweepRunRow> RunStore::loadSweepRuns(std::int64_t sweepId) {
  Statement query(*this,
                  "SELECT run_id, point, seed, params_json FROM sweep_runs WHERE sweep_id = ? ORDER BY point, seed");
  query.bind(1, sweepId);
  std::vector<SweepRunRow> rows;
  while (query.step()) {
    SweepRunRow row;
    row.runId = query.int64At(0);
    row.point = query.intAt(1);
    if (!query.isNull(2)) row.seed = query.uint64At(2);
    row.paramsJson = query.textAt(3);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace distopt
