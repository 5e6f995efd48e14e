#pragma once
// Helpers for the tests that run the real programs (distopt-run and distopt-worker) on loopback:
// experiment files, the coordinator process and its endpoints, the control socket, results files, and
// the process table (/proc) to find or watch worker processes.

#include <QtTest>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/store/run_store.hpp"
#include "core/telemetry/event_log_reader.hpp"
#include "core/util/input_error.hpp"

namespace live_test {

using nlohmann::json;

inline const QString kRunProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-run");
inline const QString kWorkerProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-worker");

inline QString writeJson(const QTemporaryDir& dir, const QString& name, const json& document) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
  file.write(QByteArray::fromStdString(document.dump(2)));
  return path;
}

inline json readJsonFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return json();
  return json::parse(file.readAll().toStdString(), nullptr, /*allow_exceptions=*/false);
}

/// One row of events.csv (time,worker,job,job_version,delay,outcome,version_after,age,bytes).
struct EventRow {
  double time = 0.0;
  int worker = 0;
  std::uint64_t job = 0;
  std::uint64_t jobVersion = 0;
  long long delay = 0;
  std::string outcome;
  std::uint64_t versionAfter = 0;
  double age = 0.0;
  std::uint64_t bytes = 0;
};

/// Rows of events.csv, or of events.csv.gz (what `--events full` writes), through the project's reader
/// (core/telemetry/event_log_reader); nullopt if neither file exists or the reader refuses it. A gzip
/// stream cut short (a killed coordinator) yields its whole rows.
inline std::optional<std::vector<EventRow>> readEvents(const QString& directory) {
  const std::string plain = (directory + "/events.csv").toStdString();
  const std::string path = QFileInfo::exists(QString::fromStdString(plain)) ? plain : plain + ".gz";
  distopt::EventLogContents log;
  try {
    log = distopt::readEventLog(path);
  } catch (const distopt::InputError&) {
    return std::nullopt;
  }
  std::vector<EventRow> rows;
  rows.reserve(log.events.size());
  for (const distopt::UpdateEvent& e : log.events)
    rows.push_back({e.time, e.worker, e.jobId, e.jobVersion, static_cast<long long>(e.delay),
                    distopt::outcomeName(e.outcome), e.versionAfter, e.age, e.bytes});
  return rows;
}

/// distopt-run arguments that record the run in a store inside `dir` (never the user's own).
inline QStringList storeArguments(const QTemporaryDir& dir) { return {"--store", dir.filePath("runs.sqlite")}; }
inline QString storePath(const QTemporaryDir& dir) { return dir.filePath("runs.sqlite"); }

/// Runs recorded in the store at `path` (empty if there is no store file).
inline std::vector<distopt::RunInfo> storedRuns(const QString& path) {
  if (!QFileInfo::exists(path)) return {};
  return distopt::RunStore::open(path.toStdString())->listRuns();
}

// ---- the process table ----

/// Direct children of `pid` (every thread's list in /proc/PID/task/*/children).
inline std::vector<pid_t> childrenOf(pid_t pid) {
  std::vector<pid_t> children;
  const QDir tasks(QString("/proc/%1/task").arg(pid));
  for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    std::ifstream in(QString("/proc/%1/task/%2/children").arg(pid).arg(task).toStdString());
    pid_t child = 0;
    while (in >> child) children.push_back(child);
  }
  return children;
}

/// The command line of `pid`, arguments separated by spaces; empty if it is gone.
inline std::string commandLineOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : text)
    if (c == '\0') c = ' ';
  return text;
}

/// True once `pid` has ended: no /proc entry, or a zombie waiting for a reaper.
inline bool processEnded(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return true;
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return true;
  const char state = stat[close + 2];
  return state == 'Z' || state == 'X';
}

/// distopt-worker children of `pid`, with the id they were started with (--id N), or -1.
struct WorkerProcess {
  pid_t pid = 0;
  int id = -1;
};
inline std::vector<WorkerProcess> workerChildrenOf(pid_t pid) {
  std::vector<WorkerProcess> workers;
  for (const pid_t child : childrenOf(pid)) {
    const std::string command = commandLineOf(child);
    if (command.find("distopt-worker") == std::string::npos || processEnded(child)) continue;
    WorkerProcess worker{child, -1};
    const auto at = command.find("--id ");
    if (at != std::string::npos) worker.id = std::atoi(command.c_str() + at + 5);
    workers.push_back(worker);
  }
  return workers;
}

/// The pid of the local worker with id `id` started by the coordinator `pid`; -1 if there is none.
inline pid_t workerPid(pid_t coordinator, int id) {
  for (const auto& worker : workerChildrenOf(coordinator))
    if (worker.id == id) return worker.pid;
  return -1;
}

// ---- the coordinator ----

/// A distopt-run process and the endpoints it announced on stderr.
class Coordinator {
 public:
  Coordinator() = default;
  ~Coordinator() {
    if (m_process.state() != QProcess::NotRunning) {
      m_process.kill();
      m_process.waitForFinished(5000);
    }
  }

  bool start(const QStringList& arguments, const QString& program = kRunProgram) {
    // These tests check every job outcome of a run, so a run that writes results keeps the full event
    // log (events.csv.gz; the default keeps aggregates and a sample).
    QStringList withLog = arguments;
    if (program == kRunProgram && withLog.contains(QStringLiteral("--out")) &&
        !withLog.contains(QStringLiteral("--events")))
      withLog << QStringLiteral("--events") << QStringLiteral("full");
    m_process.start(program, withLog);
    return m_process.waitForStarted(10'000);
  }

  /// Reads stderr until "workers connect to ENDPOINT; telemetry T; control C" appears.
  bool waitForEndpoints(int timeoutMs = 20'000) {
    static const QRegularExpression pattern("workers connect to (\\S+); telemetry (\\S*); control (\\S*)\n");
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      m_err += m_process.readAllStandardError();
      const auto match = pattern.match(QString::fromUtf8(m_err));
      if (match.hasMatch()) {
        workerEndpoint = match.captured(1).toStdString();
        telemetryEndpoint = match.captured(2).toStdString();
        controlEndpoint = match.captured(3).toStdString();
        return true;
      }
      if (m_process.state() == QProcess::NotRunning) return false;
      m_process.waitForReadyRead(100);
    }
    return false;
  }

  /// Waits for the process to end; its exit code, or -1 if it crashed or did not end in time.
  int waitForExit(int timeoutMs = 60'000) {
    if (!m_process.waitForFinished(timeoutMs) && m_process.state() != QProcess::NotRunning) {
      m_process.kill();
      m_process.waitForFinished(5000);
      m_err += m_process.readAllStandardError();
      return -1;
    }
    m_err += m_process.readAllStandardError();
    m_out += m_process.readAllStandardOutput();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
  }

  pid_t pid() const { return static_cast<pid_t>(m_process.processId()); }
  /// Everything the coordinator wrote on stderr so far.
  std::string stderrText() {
    m_process.waitForReadyRead(50);  // QProcess reads the pipe only in its event processing
    m_err += m_process.readAllStandardError();
    return m_err.toStdString();
  }
  QProcess& process() { return m_process; }
  std::string describe() {
    m_err += m_process.readAllStandardError();
    m_out += m_process.readAllStandardOutput();
    return "stdout:\n" + m_out.toStdString() + "\nstderr:\n" + m_err.toStdString();
  }

  std::string workerEndpoint;
  std::string telemetryEndpoint;
  std::string controlEndpoint;

 private:
  QProcess m_process;
  QByteArray m_err;
  QByteArray m_out;
};

/// One request on the coordinator's control socket ({"command": ...}); nullopt on timeout.
/// A distopt-run that ran to its end: its exit code, summary.json, results folder, log and events.
struct FinishedRun {
  int exitCode = -1;
  json summary;
  QString out;
  std::string log;
  std::vector<EventRow> events;
};

/// Runs `document` with `distopt-run --out DIR/NAME --quiet --no-store` and waits up to 60 s for its end.
inline FinishedRun runToEnd(const QTemporaryDir& dir, const QString& name, const json& document) {
  FinishedRun finished;
  finished.out = dir.filePath(name);
  Coordinator coordinator;
  if (!coordinator.start(QStringList{writeJson(dir, name + ".json", document), "--out", finished.out,
                                     "--quiet", "--no-store"}))
    return finished;
  finished.exitCode = coordinator.waitForExit(60'000);
  finished.log = coordinator.describe();
  finished.summary = readJsonFile(finished.out + "/summary.json");
  if (auto events = readEvents(finished.out)) finished.events = std::move(*events);
  return finished;
}

inline std::optional<json> controlRequest(const std::string& endpoint, const std::string& command,
                                          int timeoutMs = 2000) {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  const std::string body = json{{"command", command}}.dump();
  socket.send(zmq::buffer(body), zmq::send_flags::dontwait);
  zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::poll(items, 1, std::chrono::milliseconds(timeoutMs));
  if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t reply;
  if (!socket.recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  auto parsed = json::parse(reply.to_string(), nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

/// Polls the control socket until the run is running with at least `updates` applied. On time-out
/// returns nullopt and leaves the last answer (or "no answer") in *last.
inline std::optional<json> waitUntilRunning(const std::string& controlEndpoint, std::uint64_t updates,
                                            std::string* last = nullptr, int timeoutMs = 30'000) {
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < timeoutMs) {
    auto status = controlRequest(controlEndpoint, "status", 1000);
    if (last) *last = status ? status->dump() : std::string("no answer");
    if (status && status->value("state", std::string()) == "running" &&
        status->value("updates", std::uint64_t{0}) >= updates)
      return status;
    QThread::msleep(50);
  }
  return std::nullopt;
}

/// ASGD on a small noisy quadratic with 3 workers of fixed speed (one unit per job): the run the
/// remote-link tests put one worker of behind a slow, lossy or cut link.
inline json threeWorkerAsgdExperiment(const std::string& name, double gamma, double unitMs) {
  return json{{"name", name},
              {"seed", 1},
              {"engine", "live"},
              {"problem", {{"name", "quadratic"}, {"params", {{"d", 30}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
              {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", gamma}}}}},
              {"workers", {{"count", 3}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}}, {"unit_ms", unitMs}}},
              {"stop", {{"time", 500}}},
              {"eval", {{"interval", 50}}}};
}

/// Per worker: the number and mean delay of its accepted gradients (its part of the delay histogram).
struct WorkerDelays {
  int accepted = 0;
  double meanDelay = 0.0;
};
inline std::vector<WorkerDelays> acceptedDelays(const std::vector<EventRow>& events, int workers) {
  std::vector<WorkerDelays> delays(static_cast<std::size_t>(workers));
  for (const auto& event : events) {
    if (event.outcome != "accepted" || event.worker < 0 || event.worker >= workers) continue;
    auto& d = delays[static_cast<std::size_t>(event.worker)];
    d.meanDelay += (static_cast<double>(event.delay) - d.meanDelay) / ++d.accepted;
  }
  return delays;
}

/// The quadratic Q with TM-2 ("ringmaster") workers, as a document to edit.
inline json quadraticExperiment(int workers, int d, double unitMs, double horizonUnits) {
  return json{{"name", "live-test"},
              {"seed", 1},
              {"engine", "live"},
              {"problem", {{"name", "quadratic"}, {"params", {{"d", d}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
              {"algorithm", {{"name", "ringmaster"}, {"params", {{"gamma", 0.5}, {"R", 4}, {"variant", "B"}}}}},
              {"workers", {{"count", workers}, {"time_model", {{"name", "ringmaster"}, {"params", json::object()}}},
                           {"unit_ms", unitMs}}},
              {"stop", {{"time", horizonUnits}}},
              {"eval", {{"interval", horizonUnits / 50.0}}}};
}

}  // namespace live_test
