// Dashboards attached to a run from elsewhere (issue: remote workers and security), on loopback with
// real processes: the dashboard feed of a secured run lets in an allowed dashboard key and the run's
// dashboard token, refuses (and logs) any other key — including the run's worker join token — and a
// dashboard token never lets a worker in; several dashboards receive telemetry at once; one that
// attaches late gets the history first; the feed's status carries no token. Also the clock: every
// worker's offset, round trip and gradient transit are measured from heartbeats.
#include <QRegularExpression>

#include <zmq_addon.hpp>

#include "live_test_support.hpp"
#include "net/security/curve_keys.hpp"
#include "net/security/handshake_watch.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

using namespace live_test;

namespace {

json dashboardExperiment(double horizonUnits) {
  return json{
      {"name", "dashboard-test"},
      {"seed", 1},
      {"engine", "live"},
      {"problem", {{"name", "quadratic"}, {"params", {{"d", 40}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
      {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.05}}}}},
      {"workers",
       {{"count", 3}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}}, {"unit_ms", 10.0}}},
      {"stop", {{"time", horizonUnits}}},
      {"eval", {{"interval", 10}}}};
}

/// A dashboard: a SUB socket on the feed with its own CURVE key (or none), collecting messages by topic.
class Dashboard {
 public:
  Dashboard(const std::string& endpoint, const std::string& serverKey, const std::string& secretKey)
      : m_socket(m_context, zmq::socket_type::sub) {
    m_socket.set(zmq::sockopt::linger, 0);
    for (const char* topic : {"update", "eval", "worker", "bandwidth", "status", "summary"})
      m_socket.set(zmq::sockopt::subscribe, topic);
    // Its own history topic (net/telemetry/telemetry_publisher.hpp), collected as "history".
    m_historyTopic =
        distopt::net::kHistoryTopicPrefix + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    m_socket.set(zmq::sockopt::subscribe, m_historyTopic);
    if (!serverKey.empty()) {
      const auto keys = distopt::net::keyPairFromSecret(secretKey);
      m_socket.set(zmq::sockopt::curve_serverkey, serverKey);
      m_socket.set(zmq::sockopt::curve_publickey, keys->publicKey);
      m_socket.set(zmq::sockopt::curve_secretkey, keys->secretKey);
      m_watch.emplace(m_context, m_socket,
                      "dashboard-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    }
    m_socket.connect(endpoint);
  }

  /// Collects for up to `ms`, or until `until` says enough.
  void collect(int ms, const std::function<bool(const Dashboard&)>& until = nullptr) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms && !(until && until(*this))) {
      zmq::pollitem_t items[] = {{m_socket.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(50));
      if (m_watch && m_watch->poll()) refused = true;
      while (true) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(m_socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
        if (frames.size() != 2) continue;
        auto body = json::parse(frames[1].to_string(), nullptr, false);
        const std::string topic = frames[0].to_string();
        if (!body.is_discarded())
          received[topic == m_historyTopic ? "history" : topic].push_back(std::move(body));
      }
    }
  }
  std::size_t count(const std::string& topic) const {
    const auto it = received.find(topic);
    return it == received.end() ? 0 : it->second.size();
  }

  std::map<std::string, std::vector<json>> received;
  bool refused = false;

 private:
  zmq::context_t m_context{1};
  zmq::socket_t m_socket;
  std::string m_historyTopic;
  std::optional<distopt::net::HandshakeWatch> m_watch;
};

struct Printed {
  std::string feed;
  std::string serverKey;
  std::string dashboardToken;
  std::string joinToken;
};

std::optional<Printed> printedCommands(const std::string& log) {
  static const QRegularExpression attach(
      "a dashboard attaches with: distopt-workbench --attach (\\S+) --server-key '([^']+)' --dashboard-token "
      "'([^']+)'");
  static const QRegularExpression join("--join-token '([^']+)'");
  const auto a = attach.match(QString::fromStdString(log));
  const auto j = join.match(QString::fromStdString(log));
  if (!a.hasMatch() || !j.hasMatch()) return std::nullopt;
  return Printed{a.captured(1).toStdString(), a.captured(2).toStdString(), a.captured(3).toStdString(),
                 j.captured(1).toStdString()};
}

}  // namespace

class TestDashboards : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
  }

  void allowedDashboardsWatchOthersAreRefused() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "dash.json", dashboardExperiment(600));
    const auto manager = distopt::net::makeCurveKeyPair();
    const auto stranger = distopt::net::makeCurveKeyPair();
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{experiment, "--secure", "--dashboard", "tcp://127.0.0.1:*",
                                          "--allow-dashboard-key", QString::fromStdString(manager.publicKey),
                                          "--out", dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::optional<Printed> printed;
    QElapsedTimer timer;
    timer.start();
    while (!printed && timer.elapsed() < 10'000) {
      QThread::msleep(50);
      printed = printedCommands(coordinator.stderrText());
    }
    QVERIFY2(printed, coordinator.describe().c_str());

    // Three dashboards at once: the manager's own key, the run's dashboard token, a stranger's key; and
    // one presenting the run's *worker* join token, which is not a dashboard key.
    Dashboard own(printed->feed, printed->serverKey, manager.secretKey);
    Dashboard token(printed->feed, printed->serverKey, printed->dashboardToken);
    Dashboard refused(printed->feed, printed->serverKey, stranger.secretKey);
    Dashboard workerToken(printed->feed, printed->serverKey, printed->joinToken);
    auto watching = [](const Dashboard& d) { return d.count("eval") >= 3 && d.count("status") >= 2; };
    own.collect(20'000, watching);
    token.collect(5'000, watching);
    refused.collect(1'000);
    workerToken.collect(1'000);
    for (Dashboard* dashboard : {&own, &token}) {
      QVERIFY(watching(*dashboard));
      QVERIFY(dashboard->count("history") >= 1);
      QVERIFY(!dashboard->refused);
      // Status without secrets: nobody watching can join or hand out attach rights.
      const json& status = dashboard->received["status"].back();
      QVERIFY2(!status.contains("join_command") && !status.contains("attach_command") &&
                   !status.contains("refused_connections"),
               status.dump().c_str());
      QCOMPARE(status.value("experiment", std::string()), std::string("dashboard-test"));
      const json& history = dashboard->received["history"].front();
      QCOMPARE(history.at("experiment").value("name", std::string()), std::string("dashboard-test"));
    }
    QCOMPARE(refused.received.size(), std::size_t{0});
    QVERIFY(refused.refused);
    QCOMPARE(workerToken.received.size(), std::size_t{0});
    QVERIFY(workerToken.refused);

    // A dashboard token does not let a worker in.
    QProcess worker;
    worker.start(kWorkerProgram, {"--connect", QString::fromStdString(coordinator.workerEndpoint),
                                  "--server-key", QString::fromStdString(printed->serverKey), "--join-token",
                                  QString::fromStdString(printed->dashboardToken)});
    QVERIFY(worker.waitForFinished(20'000));
    QCOMPARE(worker.exitCode(), 4);

    // The owner's control status lists the refused dashboards, by role; the log names them.
    const auto status = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(status);
    int dashboardRefusals = 0;
    for (const auto& attempt : status->at("refused_connections"))
      dashboardRefusals += attempt.value("role", std::string()) == "dashboard" ? 1 : 0;
    QVERIFY2(dashboardRefusals >= 2, status->dump().c_str());
    QVERIFY(status->value("attach_command", std::string()).find("--dashboard-token") != std::string::npos);
    QVERIFY(coordinator.stderrText().find("refused a dashboard connection") != std::string::npos);

    // Clocks: every worker's offset and round trip, from heartbeats. Same machine, same monotonic clock:
    // the offset is within the round trip of zero.
    own.collect(3'000, [](const Dashboard& d) {
      if (!d.received.count("worker")) return false;
      for (const auto& batch : d.received.at("worker"))
        for (const auto& w : batch)
          if (w.at("rtt").is_number() && w.at("uplink_transit").is_number()) return true;
      return false;
    });
    bool measured = false;
    for (const auto& batch : own.received["worker"]) {
      for (const auto& w : batch) {
        if (!w.at("rtt").is_number()) continue;
        measured = true;
        const double rtt = w.at("rtt").get<double>();
        QVERIFY2(rtt >= 0.0 && rtt < 0.5, w.dump().c_str());
        QVERIFY2(std::abs(w.at("clock_offset").get<double>()) <= rtt / 2 + 1e-3, w.dump().c_str());
      }
    }
    QVERIFY(measured);
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  void aLateDashboardGetsTheHistoryFirst() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "late.json", dashboardExperiment(500));
    Coordinator coordinator;
    // Unsecured on loopback: allowed (only this machine can reach it).
    QVERIFY(coordinator.start(QStringList{experiment, "--dashboard", "tcp://127.0.0.1:*", "--out",
                                          dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 0, &last), last.c_str());
    const auto status = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(status && status->contains("dashboard"));
    QThread::msleep(2000);  // evaluations published before anyone watched
    Dashboard late(status->at("dashboard").get<std::string>(), "", "");
    late.collect(10'000, [](const Dashboard& d) { return d.count("history") >= 1 && d.count("eval") >= 1; });
    QVERIFY(late.count("history") >= 1);
    const json& history = late.received["history"].front();
    QVERIFY2(history.at("eval").size() >= 3, history.dump().c_str());
    QVERIFY(history.at("update").size() >= 10);
    QVERIFY(history.at("worker").size() >= 3);
    // In time order, and before what came live.
    double previous = -1.0;
    for (const auto& point : history.at("eval")) {
      QVERIFY(point.at("t").get<double>() >= previous);
      previous = point.at("t").get<double>();
    }
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  void badDashboardOptionsAreRefusedBeforeAnythingStarts() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "bad.json", dashboardExperiment(50));
    struct Case {
      QStringList arguments;
      std::string mentions;
    };
    const std::vector<Case> cases = {
        {{"--dashboard", "tcp://0.0.0.0:*"}, "dashboard"},  // beyond loopback without --secure
        {{"--dashboard", "tcp://127.0.0.1:*", "--engine", "sim"}, "--dashboard"},
        {{"--secure", "--dashboard", "tcp://127.0.0.1:*", "--allow-dashboard-key", "not-a-key"},
         "allow_dashboard_key"},
        {{"--dashboard", "nonsense"}, "--dashboard"}};
    for (const auto& c : cases) {
      Coordinator coordinator;
      QVERIFY(coordinator.start(
          QStringList{experiment, "--out", dir.filePath("bad-out"), "--quiet", "--no-store"} + c.arguments));
      QCOMPARE(coordinator.waitForExit(), 2);
      const std::string log = coordinator.stderrText();
      QVERIFY2(log.find(c.mentions) != std::string::npos, log.c_str());
      QVERIFY2(!QFileInfo::exists(dir.filePath("bad-out")), log.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestDashboards)
#include "test_dashboards.moc"
