#include "ui/client/run_client.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include <signal.h>

#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "core/telemetry/telemetry_json.hpp"
#include "net/coordinator/run_directory.hpp"
#include "net/security/curve_keys.hpp"
#include "net/security/handshake_watch.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::ui {
namespace {

QJsonObject toQJson(const nlohmann::json& json) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object();
}

template <typename Record>
std::vector<Record> parseBatch(const nlohmann::json& batch) {
  std::vector<Record> records;
  if (!batch.is_array()) return records;
  records.reserve(batch.size());
  for (const auto& item : batch) {
    Record record;
    if (fromJson(item, &record)) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

QJsonObject RunEndpoints::toJson() const {
  // No secret key: endpoints.json sits in the run folder, readable by whoever can read the results.
  return {{"telemetry", telemetry}, {"control", control}, {"pid", pid}, {"out_directory", outDirectory},
          {"server_key", serverKey}};
}

bool RunEndpoints::fromJson(const QJsonObject& json, RunEndpoints* endpoints) {
  if (!json.value("telemetry").isString() || !json.value("control").isString()) return false;
  endpoints->telemetry = json.value("telemetry").toString();
  endpoints->control = json.value("control").toString();
  endpoints->pid = static_cast<qint64>(json.value("pid").toDouble());
  endpoints->outDirectory = json.value("out_directory").toString();
  endpoints->serverKey = json.value("server_key").toString();
  return true;
}

// The telemetry thread: a SUB socket for the run's telemetry and a DEALER for its control requests,
// polled with a short timeout so stopping the thread is prompt. It only parses and forwards; all
// state lives on the GUI side.
class RunClient::Receiver {
 public:
  Receiver(RunClient& client, RunEndpoints endpoints)
      : m_client(client), m_endpoints(std::move(endpoints)), m_generation(client.m_generation) {
    m_thread = std::thread([this] { loop(); });
  }
  ~Receiver() {
    m_quit.store(true);
    m_thread.join();
  }
  void requestStop() { m_stopRequested.store(true); }
  void sendControl(std::string request) {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(std::move(request));
  }

 private:
  void loop();
  // Runs `deliver` with the client on the GUI thread, unless the client has moved on to another run by
  // then (detach, attach, start): a batch of the previous run queued behind the switch must not reach
  // the next run's charts. Captures nothing of this Receiver, which may be gone by then.
  template <typename Deliver>
  void post(Deliver deliver) {
    m_pending->fetch_add(1);
    QMetaObject::invokeMethod(
        &m_client,
        [client = &m_client, generation = m_generation, pending = m_pending, deliver = std::move(deliver)]() {
          pending->fetch_sub(1);
          if (client->m_generation == generation) deliver(*client);
        },
        Qt::QueuedConnection);
  }
  /// The GUI thread has this many deliveries waiting: it draws more slowly than the run publishes.
  bool congested() const { return m_pending->load() > kMaxPendingDeliveries; }
  QJsonObject summaryFile() const {
    if (m_endpoints.outDirectory.isEmpty()) return {};
    QFile file(QDir(m_endpoints.outDirectory).filePath(QStringLiteral("summary.json")));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(file.readAll()).object();
  }
  bool processAlive() const {
    if (m_endpoints.pid <= 0) return true;
    if (kill(static_cast<pid_t>(m_endpoints.pid), 0) != 0) return false;
    // An exited coordinator nobody has reaped yet (a container whose init does not reap) is a zombie:
    // state 'Z' after the command name in /proc/PID/stat.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(m_endpoints.pid));
    if (!stat.open(QIODevice::ReadOnly)) return true;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close < 0 || close + 2 >= text.size() || text.at(close + 2) != 'Z';
  }
  /// The last line distopt-run wrote to its log: usually why it stopped.
  QString lastLogLine() const {
    if (m_endpoints.outDirectory.isEmpty()) return {};
    QFile log(QDir(m_endpoints.outDirectory).filePath(QStringLiteral("run.log")));
    if (!log.open(QIODevice::ReadOnly)) return {};
    const auto lines = QString::fromUtf8(log.readAll()).split('\n', Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.back().trimmed();
  }

  // Beyond this many undelivered batches the receiver stops reading telemetry: the socket's high-water
  // mark then drops what the GUI could not draw (the run store keeps every record), so the GUI's queue,
  // and its memory, stay bounded however fast a run publishes, and a Stop click is not stuck behind it.
  static constexpr int kMaxPendingDeliveries = 32;

  RunClient& m_client;
  RunEndpoints m_endpoints;
  const std::uint64_t m_generation;
  std::shared_ptr<std::atomic<int>> m_pending = std::make_shared<std::atomic<int>>(0);
  std::atomic<bool> m_quit{false};
  std::atomic<bool> m_stopRequested{false};
  std::mutex m_mutex;
  std::vector<std::string> m_requests;  // control requests from the GUI thread, sent by this one
  std::thread m_thread;
};

void RunClient::Receiver::loop() {
  zmq::context_t context(1);
  zmq::socket_t telemetry(context, zmq::socket_type::sub);
  zmq::socket_t control(context, zmq::socket_type::dealer);
  telemetry.set(zmq::sockopt::linger, 0);
  control.set(zmq::sockopt::linger, 0);
  // Each topic by name, and this client's own history topic: a dashboard feed answers that one once, to
  // this client only (net/telemetry/telemetry_publisher.hpp); the run's own feed has no history.
  for (const char* topic : {"update", "eval", "worker", "bandwidth", "status", "summary"})
    telemetry.set(zmq::sockopt::subscribe, topic);
  const std::string historyTopic =
      net::kHistoryTopicPrefix + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
  telemetry.set(zmq::sockopt::subscribe, historyTopic);
  const bool readOnly = m_endpoints.readOnly();
  std::optional<net::HandshakeWatch> handshake;
  try {
    if (!m_endpoints.serverKey.isEmpty()) {
      // attach() checked the keys.
      const auto keys = net::keyPairFromSecret(m_endpoints.clientSecretKey.toStdString());
      telemetry.set(zmq::sockopt::curve_serverkey, m_endpoints.serverKey.toStdString());
      telemetry.set(zmq::sockopt::curve_publickey, keys->publicKey);
      telemetry.set(zmq::sockopt::curve_secretkey, keys->secretKey);
    }
    if (!m_endpoints.serverKey.isEmpty()) handshake.emplace(context, telemetry, "dashboard");
    telemetry.connect(m_endpoints.telemetry.toStdString());
    if (!readOnly) control.connect(m_endpoints.control.toStdString());
  } catch (const zmq::error_t& e) {
    post([text = QString::fromUtf8(e.what())](RunClient& client) {
      emit client.message(QStringLiteral("Cannot reach the run: %1").arg(text));
      client.onReceiverFinished(false);
    });
    return;
  }

  using Clock = std::chrono::steady_clock;
  auto lastStatusRequest = Clock::now() - std::chrono::seconds(10);
  auto lastHeard = Clock::now();
  bool gotSummary = false;
  bool sentStop = false;
  bool gotHistory = false;
  std::optional<double> firstLiveUpdate;
  std::optional<double> firstLiveEvaluation;
  while (!m_quit.load() && !gotSummary) {
    const auto now = Clock::now();
    if (!readOnly && now - lastStatusRequest > std::chrono::seconds(1)) {
      lastStatusRequest = now;
      control.send(zmq::str_buffer(R"({"command":"status"})"), zmq::send_flags::dontwait);
    }
    {
      std::lock_guard lock(m_mutex);
      if (!readOnly)
        for (const auto& request : m_requests) control.send(zmq::buffer(request), zmq::send_flags::dontwait);
      m_requests.clear();
    }
    if (!readOnly && m_stopRequested.load() && !sentStop) {
      sentStop = true;
      control.send(zmq::str_buffer(R"({"command":"stop"})"), zmq::send_flags::dontwait);
    }
    // While the GUI is behind, telemetry waits in the socket (and is dropped at its high-water mark);
    // control replies, a Stop among them, still flow. Silence from a socket not read says nothing.
    const bool listening = !congested();
    if (!listening) lastHeard = now;
    zmq::pollitem_t items[] = {{telemetry.handle(), 0, static_cast<short>(listening ? ZMQ_POLLIN : 0), 0},
                               {control.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, std::chrono::milliseconds(100));
    if (const auto failure = handshake ? handshake->poll() : std::nullopt) {
      post([failure = *failure](RunClient& client) {
        emit client.message(
            failure == net::HandshakeFailure::KeyRefused
                ? QStringLiteral("The run refused this dashboard's key. Send the run's owner your "
                                 "dashboard key (Run → Attach to a remote run…), or use the "
                                 "attach command's dashboard token.")
                : QStringLiteral("The secure handshake failed: is the server key the run's?"));
      });
      break;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      zmq::message_t reply;
      if (control.recv(reply, zmq::recv_flags::dontwait)) {
        lastHeard = Clock::now();
        auto json = nlohmann::json::parse(reply.to_string(), nullptr, false);
        if (json.is_object() && json.contains("state"))
          post([status = toQJson(json)](RunClient& client) { emit client.statusReceived(status); });
        else if (json.is_object())
          post([reply = toQJson(json)](RunClient& client) { emit client.controlReplied(reply); });
      }
    }
    while ((items[0].revents & ZMQ_POLLIN) && !congested()) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(telemetry, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
      lastHeard = Clock::now();
      if (frames.size() != 2) continue;
      const std::string topic = frames[0].to_string();
      auto body = nlohmann::json::parse(static_cast<const char*>(frames[1].data()),
                                        static_cast<const char*>(frames[1].data()) + frames[1].size(), nullptr, false);
      if (body.is_discarded()) continue;
      if (topic == "update") {
        auto events = parseBatch<UpdateEvent>(body);
        if (!events.empty() && !firstLiveUpdate) firstLiveUpdate = events.front().time;
        post([events = std::move(events)](RunClient& client) { emit client.updatesReceived(events); });
      } else if (topic == "eval") {
        auto points = parseBatch<EvaluationPoint>(body);
        if (!points.empty() && !firstLiveEvaluation) firstLiveEvaluation = points.front().time;
        post([points = std::move(points)](RunClient& client) { emit client.evaluationsReceived(points); });
      } else if (topic == "worker") {
        post([workers = parseBatch<WorkerStatus>(body)](RunClient& client) {
          emit client.workersReceived(workers);
        });
      } else if (topic == "bandwidth") {
        post([samples = parseBatch<BandwidthSample>(body)](RunClient& client) {
          emit client.bandwidthReceived(samples);
        });
      } else if (topic == historyTopic && !gotHistory && body.is_object()) {
        // What the feed published before this dashboard came, once; only what did not also arrive live.
        gotHistory = true;
        if (const auto experiment = body.find("experiment"); experiment != body.end() && experiment->is_object())
          post([document = toQJson(*experiment)](RunClient& client) {
            emit client.experimentReceived(document);
          });
        auto events = parseBatch<UpdateEvent>(body.value("update", nlohmann::json::array()));
        auto points = parseBatch<EvaluationPoint>(body.value("eval", nlohmann::json::array()));
        if (firstLiveUpdate) std::erase_if(events, [&](const UpdateEvent& e) { return e.time >= *firstLiveUpdate; });
        if (firstLiveEvaluation)
          std::erase_if(points, [&](const EvaluationPoint& p) { return p.time >= *firstLiveEvaluation; });
        auto workers = parseBatch<WorkerStatus>(body.value("worker", nlohmann::json::array()));
        auto samples = parseBatch<BandwidthSample>(body.value("bandwidth", nlohmann::json::array()));
        QJsonObject status;
        if (const auto found = body.find("status"); found != body.end() && found->is_object())
          status = toQJson(*found);
        post([points = std::move(points), events = std::move(events), workers = std::move(workers),
              samples = std::move(samples), status](RunClient& client) {
          if (!points.empty()) emit client.evaluationsReceived(points);
          if (!events.empty()) emit client.updatesReceived(events);
          emit client.workersReceived(workers);
          emit client.bandwidthReceived(samples);
          if (!status.isEmpty()) emit client.statusReceived(status);
        });
      } else if (topic == "status" && readOnly && body.is_object()) {
        post([status = toQJson(body)](RunClient& client) { emit client.statusReceived(status); });
      } else if (topic == "summary") {
        gotSummary = true;
        post([summary = toQJson(body)](RunClient& client) { emit client.finished(summary); });
      }
    }
    // A coordinator that is gone (its process ended, or silent for long) will send nothing more. Asked
    // once: a process that ended between two questions had written its summary before the second (a
    // finished run was once shown as lost that way).
    const bool gone = !gotSummary && (!processAlive() || Clock::now() - lastHeard > std::chrono::seconds(15));
    if (gone) {
      // A run shorter than the subscription's set-up (a small simulation) ends before its summary can
      // be published to us; what it wrote in its folder says how it ended.
      if (const auto summary = summaryFile(); !summary.isEmpty()) {
        gotSummary = true;
        post([summary](RunClient& client) { emit client.finished(summary); });
        break;
      }
      post([last = lastLogLine()](RunClient& client) {
        emit client.message(
            last.isEmpty()
                ? QStringLiteral(
                      "The coordinator is gone; the run's data is in its folder and the run store.")
                : QStringLiteral("The coordinator is gone: %1").arg(last));
      });
      break;
    }
  }
  if (!m_quit.load()) post([gotSummary](RunClient& client) { client.onReceiverFinished(gotSummary); });
}

RunClient::RunClient(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::vector<distopt::UpdateEvent>>();
  qRegisterMetaType<std::vector<distopt::EvaluationPoint>>();
  qRegisterMetaType<std::vector<distopt::WorkerStatus>>();
  qRegisterMetaType<std::vector<distopt::BandwidthSample>>();
}

RunClient::~RunClient() { detach(); }

QString RunClient::defaultRunProgram() {
  // DISTOPT_RUN names another coordinator program (a build tree, a wrapper script); by default the one
  // installed beside the workbench.
  const QString chosen = qEnvironmentVariable("DISTOPT_RUN");
  if (!chosen.isEmpty()) return chosen;
  return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("distopt-run"));
}

void RunClient::setState(State state) {
  if (m_state == state) return;
  m_state = state;
  emit stateChanged(state);
}

bool RunClient::start(const QString& runProgram, const QString& experimentPath, const QString& outDirectory,
                      const QStringList& extraArguments, QString* why) {
  detach();
  if (!QDir().mkpath(outDirectory)) {
    if (why) *why = QStringLiteral("cannot create the run folder %1").arg(outDirectory);
    return false;
  }
  // IPC endpoints named by us: no port to race for, and known before the coordinator starts. Both live in
  // a run folder the coordinator creates private (0700) and removes at exit: whoever reaches the control
  // socket can stop the run and read its join token (net/PROTOCOL.md §4.6).
  std::string baseWhy;
  const auto base = net::runDirectoryBase(&baseWhy);
  if (!base) {
    if (why) *why = QString::fromStdString(baseWhy);
    return false;
  }
  const QString stem = QString::fromStdString(*base + "/" + net::newRunDirectoryName());
  RunEndpoints endpoints;
  endpoints.telemetry = QStringLiteral("ipc://%1/telemetry").arg(stem);
  endpoints.control = QStringLiteral("ipc://%1/control").arg(stem);
  endpoints.outDirectory = outDirectory;

  QProcess process;
  process.setProgram(runProgram);
  process.setArguments(QStringList{experimentPath, "--out", outDirectory, "--telemetry", endpoints.telemetry,
                                   "--control", endpoints.control, "--quiet"} +
                       extraArguments);
  process.setStandardOutputFile(QDir(outDirectory).filePath("run.log"));
  process.setStandardErrorFile(QDir(outDirectory).filePath("run.log"), QIODevice::Append);
  // Detached: the run belongs to nobody's window and survives the GUI (docs/architecture.md, rule 4).
  if (!process.startDetached(&endpoints.pid)) {
    if (why) *why = QStringLiteral("cannot start %1: %2").arg(runProgram, process.errorString());
    return false;
  }
  QFile file(QDir(outDirectory).filePath("endpoints.json"));
  if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) file.write(QJsonDocument(endpoints.toJson()).toJson());
  setState(State::Starting);
  return attach(endpoints, why);
}

bool RunClient::attach(const RunEndpoints& endpoints, QString* why) {
  auto fail = [why](const QString& text) {
    if (why) *why = text;
    return false;
  };
  if (endpoints.telemetry.isEmpty()) return fail(QStringLiteral("the run's endpoints are unknown"));
  if (!endpoints.telemetry.contains(QStringLiteral("://")))
    return fail(QStringLiteral("endpoint: '%1' is not a ZeroMQ endpoint such as tcp://HOST:PORT").arg(endpoints.telemetry));
  if (!endpoints.serverKey.isEmpty()) {
    if (!net::isCurveKey(endpoints.serverKey.toStdString()))
      return fail(QStringLiteral("server key: not a 40-character Z85 CURVE key (copy it from the run's attach command)"));
    if (!net::keyPairFromSecret(endpoints.clientSecretKey.toStdString()))
      return fail(QStringLiteral("dashboard key: not a 40-character Z85 CURVE secret key (the attach command's "
                                 "dashboard token, or this workbench's own key)"));
  }
  m_receiver.reset();
  ++m_generation;  // whatever the previous receiver queued is dropped on arrival
  m_endpoints = endpoints;
  m_receiver = std::make_unique<Receiver>(*this, endpoints);
  setState(State::Running);
  return true;
}

bool RunClient::readEndpoints(const QString& outDirectory, RunEndpoints* endpoints, QString* why) {
  QFile file(QDir(outDirectory).filePath("endpoints.json"));
  if (!file.open(QIODevice::ReadOnly)) {
    if (why) *why = QStringLiteral("%1: no endpoints.json (was the run started by the workbench?)").arg(outDirectory);
    return false;
  }
  const auto document = QJsonDocument::fromJson(file.readAll());
  if (!RunEndpoints::fromJson(document.object(), endpoints)) {
    if (why) *why = QStringLiteral("%1: endpoints.json is malformed").arg(file.fileName());
    return false;
  }
  return true;
}

void RunClient::sendControl(const QJsonObject& request) {
  if (m_receiver) m_receiver->sendControl(QJsonDocument(request).toJson(QJsonDocument::Compact).toStdString());
}

void RunClient::requestStop() {
  if (m_receiver) m_receiver->requestStop();
}

void RunClient::detach() {
  m_receiver.reset();
  ++m_generation;
  if (m_state == State::Running || m_state == State::Starting) setState(State::Idle);
}

void RunClient::onReceiverFinished(bool gotSummary) { setState(gotSummary ? State::Finished : State::Failed); }

}  // namespace distopt::ui
