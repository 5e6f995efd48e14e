// Hostile peers against the real coordinator (distopt-run) and workers on loopback (net/PROTOCOL.md §1,
// §4.1, §8; issue 17). Each defect has its own case, and one case throws everything at one run:
//   (a) wrongly typed JSON fields (HELLO, READY, ERROR, control requests) are refused and counted; the
//       coordinator does not abort;
//   (b) a refused GRAD is a lost job: the server gives the job again (minibatch does not stall), and a
//       worker that keeps sending garbage is excluded with the reason "malformed: ...";
//   (c) a frame beyond the run's frame limit is not stored: the coordinator's peak memory stays put, and
//       its sender is counted refused with its address;
//   (d) a peer that floods requests and never reads the replies does not grow the coordinator's memory;
//   (e) a worker with no key, or with another server key, on a secured run leaves refused (exit 4) and
//       the coordinator counts and logs the attempt with the peer's address;
//   (f) subscriptions do not make the dashboard feed resend its history to everyone: each dashboard gets
//       its own history once;
//   (g) key files are never readable by others, not even for a moment;
//   (h) all of it at once, on a run of real workers with 500 connections: the run finishes, the
//       coordinator's memory stays bounded, every refusal is counted.
#include <QtTest>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile_peer_support.hpp"
#include "live_test_support.hpp"
#include "net/coordinator/control_socket.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/json_fields.hpp"
#include "net/protocol/session_messages.hpp"
#include "net/security/curve_keys.hpp"
#include "net/telemetry/history_subscription.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

using namespace live_test;
using namespace hostile_test;
using namespace distopt::net;

namespace {

/// ASGD (or `algorithm`) on a small quadratic, `workers` workers of fixed speed.
json smallRun(int workers, int d, double horizonUnits,
              const json& algorithm = {{"name", "asgd"}, {"params", {{"gamma", 0.04}}}}) {
  json document = quadraticExperiment(workers, d, 5.0, horizonUnits);
  document["algorithm"] = algorithm;
  document["workers"]["time_model"] = {{"name", "fixed"}, {"params", {{"h", "one"}}}};
  return document;
}

/// Joins the run as worker: HELLO, WELCOME, ASSIGN, READY; the id given.
std::optional<int> join(FakePeer& fake, int dimension) {
  fake.send(helloMessage());
  auto welcome = fake.receiveKind(MessageKind::Welcome, 10'000);
  if (!welcome) return std::nullopt;
  const int id = welcome->jsonPayload()->at("worker_id").get<int>();
  if (!fake.receiveKind(MessageKind::Assign, 5000)) return std::nullopt;
  fake.send(Message::withJson(MessageKind::Ready,
                              {{"dimension", dimension}, {"shard_size", 0}, {"setup_seconds", 0.0}}));
  return id;
}

json requestJson(const std::string& endpoint, const json& request, int timeoutMs = 3000) {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  const std::string body = request.dump();
  socket.send(zmq::buffer(body), zmq::send_flags::dontwait);
  zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::poll(items, 1, std::chrono::milliseconds(timeoutMs));
  zmq::message_t reply;
  if (!(items[0].revents & ZMQ_POLLIN) || !socket.recv(reply, zmq::recv_flags::dontwait)) return json();
  return json::parse(reply.to_string(), nullptr, false);
}

GradMeta answerTo(const JobMeta& job) {
  GradMeta meta;
  meta.jobId = job.jobId;
  meta.version = job.version;
  return meta;
}

}  // namespace

class TestHostilePeers : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  // (a)
  void wronglyTypedFieldsAreRefusedNotFatal() {
    constexpr int kDimension = 16;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("out");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", smallRun(2, kDimension, 100'000.0)),
                                          "--out", out, "--quiet", "--local-workers", "1"} +
                              storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());

    int refused = 0;
    FakePeer fake(coordinator.workerEndpoint);
    // HELLOs with a field of the wrong type, while a slot is free: each used to abort the coordinator.
    for (const json& changes : {json{{"host", 5}}, json{{"host", nullptr}}, json{{"pid", "1"}},
                                json{{"cores", 1.5}}, json{{"program_version", 5}},
                                json{{"worker_id", "one"}}, json{{"worker_id", -3}}, json{{"pid", 1e300}}}) {
      fake.send(helloMessage(changes));
      ++refused;
    }
    // JSON nested 100k deep: refused before anything recursive touches it.
    Message deep = Message::of(MessageKind::Hello);
    const std::string nested = std::string(100'000, '[') + std::string(100'000, ']');
    deep.payload.emplace_back(nested.data(), nested.size());
    fake.send(std::move(deep));
    ++refused;
    // The slot is still free: a good HELLO takes it.
    const auto id = join(fake, kDimension);
    QVERIFY2(id, coordinator.describe().c_str());
    QCOMPARE(*id, 1);
    // READY and ERROR with wrongly typed fields, during set-up and in the run.
    fake.send(Message::withJson(MessageKind::Ready, {{"dimension", "16"}}));
    fake.send(Message::withJson(MessageKind::Error, {{"code", 5}, {"message", "x"}}));
    fake.send(Message::withJson(MessageKind::Error, {{"code", "internal"}, {"message", json::array()}}));
    refused += 3;
    // From here on the fake only keeps its session alive (its socket is the thread's alone).
    // A jthread: a failing check that returns early still stops and joins it.
    std::jthread heartbeats([&](std::stop_token stop) {
      while (!stop.stop_requested()) {
        fake.send(Message::of(MessageKind::Heartbeat));
        QThread::msleep(200);
      }
    });
    // Control requests with arguments of the wrong type.
    for (const json& request : {json{{"command", "allow_key"}, {"key", 5}},
                                json{{"command", "allow_dashboard_key"}, {"key", nullptr}},
                                json{{"command", "exclude"}, {"worker", "1"}},
                                json{{"command", "exclude"}, {"worker", 1e20}}, json{{"command", 7}}}) {
      const json reply = requestJson(coordinator.controlEndpoint, request);
      QVERIFY2(reply.is_object() && reply.contains("error"),
               (request.dump() + " -> " + reply.dump() + "\n" + coordinator.describe()).c_str());
    }
    const json reply = requestJson(coordinator.controlEndpoint, {{"command", "allow_key"}, {"key", 5}});
    QVERIFY2(reply.value("error", std::string()).find("\"key\"") != std::string::npos, reply.dump().c_str());

    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 5, &last),
             (last + "\n" + coordinator.describe()).c_str());
    const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    QVERIFY2(status.value("malformed_total", 0) == refused, status.dump().c_str());
    // Counted against the worker that sent them once it is one (the READY and ERRORs).
    QCOMPARE(status.at("worker_list").at(1).at("malformed").get<int>(), 3);
    QCOMPARE(status.at("worker_list").at(1).at("state").get<std::string>(), std::string("alive"));
    QVERIFY(!status.at("malformed_recent").empty());
    QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));

    const int exitCode = coordinator.waitForExit();
    heartbeats.request_stop();
    heartbeats.join();
    QVERIFY2(exitCode == 0, coordinator.describe().c_str());
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination").get<std::string>(), std::string("stopped"));
    QCOMPARE(summary.at("malformed_dropped").get<int>(), refused);
    const std::string log = coordinator.stderrText();
    QVERIFY2(log.find("HELLO \"host\": must be a string") != std::string::npos, log.c_str());
  }

  // (b)
  void refusedGradIsALostJobAndGarbageSendersAreExcluded() {
    constexpr int kDimension = 16;
    constexpr int kLimit = 5;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("out");
    json document = smallRun(2, kDimension, 4000.0, {{"name", "minibatch"}, {"params", {{"gamma", 0.04}}}});
    document["stop"] = {{"time", 4000.0}, {"updates", 60}};
    Coordinator coordinator;
    QVERIFY(
        coordinator.start(QStringList{writeJson(dir, "run.json", document), "--out", out, "--quiet",
                                      "--local-workers", "1", "--malformed-limit", QString::number(kLimit)} +
                          storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    FakePeer fake(coordinator.workerEndpoint);
    const auto id = join(fake, kDimension);
    QVERIFY2(id, coordinator.describe().c_str());

    auto first = fake.receiveKind(MessageKind::Job, 20'000);
    QVERIFY2(first, coordinator.describe().c_str());
    JobMeta job;
    distopt::Vector model;
    std::string why;
    QVERIFY2(parseJob(*first, kDimension, &job, &model, &why), why.c_str());
    // A message that answers nothing (a CANCEL, from a worker): refused and counted, and the job it holds
    // is not given again (a worker would drop its compute for it).
    fake.send(makeCancel(job.jobId));
    QVERIFY2(!fake.receiveKind(MessageKind::Job, 700), "a JOB again after a CANCEL from the worker");
    // A GRAD of the wrong count: refused, and the same job is given again (before, the synchronous
    // round waited for it until the time limit).
    fake.send(makeGrad(answerTo(job), distopt::Vector::Zero(kDimension + 1)));
    auto again = fake.receiveKind(MessageKind::Job, 3000);
    QVERIFY2(again, ("no JOB after a refused GRAD: the round stalls\n" + coordinator.describe()).c_str());
    JobMeta resent;
    distopt::Vector resentModel;
    QVERIFY2(parseJob(*again, kDimension, &resent, &resentModel, &why), why.c_str());
    QCOMPARE(resent.jobId, job.jobId);
    QCOMPARE(resent.version, job.version);
    QVERIFY(resentModel == model);
    const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    QCOMPARE(status.value("jobs_resent", 0), 1);
    QCOMPARE(status.at("worker_list").at(*id).at("malformed").get<int>(), 2);
    // Answer well for a while: the rounds go on.
    for (int i = 0; i < 5; ++i) {
      fake.send(makeGrad(answerTo(job), distopt::Vector::Zero(kDimension)));
      auto next = fake.receiveKind(MessageKind::Job, 5000);
      QVERIFY2(next, coordinator.describe().c_str());
      QVERIFY2(parseJob(*next, kDimension, &job, &model, &why), why.c_str());
    }
    // Then only garbage: the limit's refusal excludes the worker.
    std::optional<std::string> stopReason;
    for (int i = 0; i < 10 && !stopReason; ++i) {
      fake.send(makeGrad(answerTo(job), distopt::Vector::Zero(kDimension + 2)));
      while (auto message = fake.receive(500)) {
        if (message->kind == MessageKind::Stop) {
          stopReason = message->jsonPayload()->value("reason", std::string());
          break;
        }
        if (message->kind == MessageKind::Job) QVERIFY(parseJob(*message, kDimension, &job, &model, &why));
        if (message->kind == MessageKind::Job) break;
      }
    }
    QVERIFY2(stopReason, coordinator.describe().c_str());
    QVERIFY2(stopReason->rfind("malformed: " + std::to_string(kLimit) + " ", 0) == 0, stopReason->c_str());

    // The run goes on with the other worker to its update limit.
    const int exitCode = coordinator.waitForExit();
    QVERIFY2(exitCode == 0, coordinator.describe().c_str());
    const json summary = readJsonFile(out + "/summary.json");
    QVERIFY2(summary.at("termination") == json("update_limit"), summary.dump(1).c_str());
    const json& me = summary.at("worker_status").at(*id);
    QCOMPARE(me.at("state").get<std::string>(), std::string("dead"));
    QVERIFY2(me.at("reason").get<std::string>().rfind("malformed: ", 0) == 0, me.dump().c_str());
    QVERIFY2(me.at("lost").get<int>() == 1, me.dump().c_str());  // the job it held when excluded
    QCOMPARE(summary.at("malformed_dropped").get<int>(), kLimit);
  }

  // (c)
  void oversizedFramesAreNotStored() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", smallRun(2, 16, 100'000.0)), "--quiet",
                                          "--local-workers", "1", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    const auto limit = status.value("max_frame_bytes", std::int64_t{0});
    QVERIFY2(limit > 0 && limit <= (std::int64_t{8} << 20), status.dump().c_str());
    const long before = procStatusKb(coordinator.pid(), "VmHWM");
    // One frame of 128 MiB, no HELLO, no key needed: before, the coordinator took all of it in.
    {
      FakePeer stranger(coordinator.workerEndpoint);
      const std::string huge(std::size_t{128} << 20, 'x');
      stranger.sendRaw({huge});
      QThread::msleep(1500);
    }
    const long after = procStatusKb(coordinator.pid(), "VmHWM");
    qInfo("coordinator peak RSS %ld kB before, %ld kB after a 128 MiB frame (limit %lld bytes)", before,
          after, static_cast<long long>(limit));
    QVERIFY2(after - before < 32 * 1024,
             (std::to_string(before) + " -> " + std::to_string(after) + " kB").c_str());
    // ZeroMQ dropped the sender: a refused connection, counted once with its address and the limit. The
    // local worker's connections (it reconnects once, for the run's frame limit) are not refusals.
    json refused;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
      refused = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
      if (refused.value("refused_total", 0) >= 1) break;
      QThread::msleep(100);
    }
    QThread::msleep(500);  // nothing else may follow
    refused = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    QVERIFY2(refused.value("refused_total", 0) == 1, refused.dump(1).c_str());
    QVERIFY2(refused["refused_by_kind"].value("frame_over_limit", 0) == 1, refused.dump(1).c_str());
    const json attempt = refused.at("refused_connections").at(0);
    QVERIFY2(attempt.value("address", std::string()).rfind("127.0.0.1:", 0) == 0, attempt.dump().c_str());
    QVERIFY2(attempt.value("reason", std::string()).find("frame over the limit (" + std::to_string(limit)) !=
                 std::string::npos,
             attempt.dump().c_str());
    QVERIFY2(
        coordinator.stderrText().find("refused a worker connection from 127.0.0.1:") != std::string::npos,
        coordinator.stderrText().c_str());
    QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  // (d)
  void aPeerThatNeverReadsDoesNotGrowTheCoordinator() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Coordinator coordinator;
    // Every slot is taken by a local worker: each HELLO is answered ERROR + STOP.
    QVERIFY(coordinator.start(
        QStringList{writeJson(dir, "run.json", smallRun(1, 16, 100'000.0)), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 1, &last),
             (last + "\n" + coordinator.describe()).c_str());
    const long before = procStatusKb(coordinator.pid(), "VmHWM");
    constexpr int kRequests = 200'000;
    {
      FakePeer reader(coordinator.workerEndpoint, /*receiveQueue=*/1);
      // Never reads: the replies pile up wherever the queues let them.
      for (int i = 0; i < kRequests; ++i) reader.sendBlocking(helloMessage());
      // Until the coordinator has taken all of them.
      QElapsedTimer timer;
      timer.start();
      while (timer.elapsed() < 20'000) {
        const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
        if (status.value("malformed_total", 0) >= kRequests) break;
        QThread::msleep(100);
      }
    }
    const long after = procStatusKb(coordinator.pid(), "VmHWM");
    qInfo("coordinator peak RSS %ld kB before, %ld kB after %d requests whose replies were never read",
          before, after, kRequests);
    const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    QCOMPARE(status.value("malformed_total", 0), kRequests);
    QVERIFY2(after - before < 24 * 1024,
             (std::to_string(before) + " -> " + std::to_string(after) + " kB").c_str());
    QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  // (e)
  void refusedHandshakesAreCountedAndTheWorkerLeavesRefused() {
    if (!curveAvailable()) QSKIP("libzmq without CURVE");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", smallRun(2, 16, 100'000.0)), "--quiet",
                                          "--secure", "--local-workers", "1", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    const json status0 = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
    const std::string serverKey = status0.value("server_key", std::string());
    QVERIFY2(isCurveKey(serverKey), status0.dump().c_str());

    auto runWorker = [&](const QStringList& extra, const QString& token) {
      QProcess worker;
      QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
      environment.remove("DISTOPT_JOIN_TOKEN");
      if (!token.isEmpty()) environment.insert("DISTOPT_JOIN_TOKEN", token);
      worker.setProcessEnvironment(environment);
      worker.start(kWorkerProgram,
                   QStringList{"--connect", QString::fromStdString(coordinator.workerEndpoint)} + extra);
      worker.waitForFinished(15'000);
      return std::pair{worker.exitStatus() == QProcess::NormalExit ? worker.exitCode() : -1,
                       QString::fromUtf8(worker.readAllStandardError()).toStdString()};
    };
    // No key at all on a secured run.
    const auto [noKeyExit, noKeyLog] = runWorker({}, {});
    QVERIFY2(noKeyExit == 4, (std::to_string(noKeyExit) + ": " + noKeyLog).c_str());
    QVERIFY2(noKeyLog.find("refused") != std::string::npos, noKeyLog.c_str());
    // A valid token but another server's key.
    const CurveKeyPair otherServer = makeCurveKeyPair();
    const CurveKeyPair client = makeCurveKeyPair();
    const auto [wrongExit, wrongLog] =
        runWorker({"--server-key", QString::fromStdString(otherServer.publicKey)},
                  QString::fromStdString(client.secretKey));
    QVERIFY2(wrongExit == 4, (std::to_string(wrongExit) + ": " + wrongLog).c_str());
    QVERIFY2(wrongLog.find("server-key") != std::string::npos, wrongLog.c_str());

    QElapsedTimer timer;
    timer.start();
    json status;
    while (timer.elapsed() < 5000) {
      status = requestJson(coordinator.controlEndpoint, {{"command", "status"}});
      if (status.value("refused_total", 0) >= 2) break;
      QThread::msleep(100);
    }
    QVERIFY2(status.value("refused_total", 0) >= 2, status.dump(1).c_str());
    bool mismatch = false;
    bool decrypt = false;
    for (const auto& attempt : status.at("refused_connections")) {
      const std::string address = attempt.value("address", std::string());
      // Best effort: a connection that closed before its address could be read says "unknown".
      QVERIFY2(address.rfind("127.0.0.1:", 0) == 0 || address == "unknown", attempt.dump().c_str());
      const std::string reason = attempt.value("reason", std::string());
      // The keyless worker: the coordinator sees the mechanism mismatch, or, when the worker saw it first
      // and left (exit 4, checked above), a connection closed mid-handshake. Either is one refusal counted.
      mismatch = mismatch || reason.find("mechanism") != std::string::npos ||
                 reason.find("closed during the handshake") != std::string::npos;
      decrypt = decrypt || reason.find("decrypt") != std::string::npos;
    }
    QVERIFY2(mismatch && decrypt, status.dump(1).c_str());
    const std::string log = coordinator.stderrText();
    QVERIFY2(log.find("refused a worker connection from ") != std::string::npos, log.c_str());
    QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  // (f)
  void subscriptionsDoNotFloodDashboardsWithHistory() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", smallRun(1, 16, 100'000.0)), "--quiet",
                                          "--no-store", "--dashboard", "tcp://127.0.0.1:*"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 5, &last),
             (last + "\n" + coordinator.describe()).c_str());
    const std::string feed =
        requestJson(coordinator.controlEndpoint, {{"command", "status"}}).value("dashboard", std::string());
    QVERIFY2(!feed.empty(), coordinator.describe().c_str());

    zmq::context_t context(1);
    // A dashboard that takes everything the feed sends, and one that asks for its own history.
    zmq::socket_t everything(context, zmq::socket_type::sub);
    everything.set(zmq::sockopt::linger, 0);
    everything.set(zmq::sockopt::subscribe, "");
    everything.connect(feed);
    const std::string myHistory = std::string(kHistoryTopicPrefix) + "test-dashboard";
    zmq::socket_t mine(context, zmq::socket_type::sub);
    mine.set(zmq::sockopt::linger, 0);
    mine.set(zmq::sockopt::subscribe, "status");
    mine.set(zmq::sockopt::subscribe, myHistory);
    mine.connect(feed);
    // A peer that subscribes and unsubscribes 1-byte topics 400 times, and asks for one history 50 times.
    zmq::socket_t flood(context, zmq::socket_type::xsub);
    flood.set(zmq::sockopt::linger, 0);
    flood.connect(feed);
    QThread::msleep(300);
    for (int i = 0; i < 400; ++i) {
      flood.send(zmq::buffer(std::string("\x01u", 2)));
      flood.send(zmq::buffer(std::string("\x00u", 2)));
    }
    for (int i = 0; i < 50; ++i) flood.send(zmq::buffer("\x01" + myHistory));

    std::map<std::string, int> got;
    std::size_t historyBytes = 0;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 3000) {
      for (zmq::socket_t* socket : {&everything, &mine}) {
        std::vector<zmq::message_t> frames;
        while (zmq::recv_multipart(*socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
          const std::string topic = frames.front().to_string();
          if (topic.rfind("history", 0) == 0) {
            ++got[(socket == &mine ? "mine " : "everything ") + topic];
            historyBytes += frames.back().size();
          }
          frames.clear();
        }
      }
      QThread::msleep(20);
    }
    std::string seen;
    for (const auto& [what, count] : got) seen += what + " x" + std::to_string(count) + "\n";
    qInfo("histories received: %s(%zu bytes)", seen.c_str(), historyBytes);
    // My history, once: to me, and to the one that takes everything (it asked for everything).
    QVERIFY2(got["mine " + myHistory] == 1, seen.c_str());
    QVERIFY2(got["everything " + myHistory] <= 1, seen.c_str());
    QVERIFY2(got.size() <= 2, seen.c_str());  // nothing for the 400 other subscriptions
    QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));
    QCOMPARE(coordinator.waitForExit(), 0);
  }

  // (g)
  void keyFilesAreNeverReadableByOthers() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("worker.key").toStdString();
    const mode_t oldMask = ::umask(0);  // whatever the umask says
    // Someone could open the file while it was readable: they must never see the new secret through it.
    {
      QFile planted(QString::fromStdString(path));
      QVERIFY(planted.open(QIODevice::WriteOnly));
      planted.write("old\n");
    }
    ::chmod(path.c_str(), 0644);
    const int early = ::open(path.c_str(), O_RDONLY);
    QVERIFY(early >= 0);
    const CurveKeyPair keys = makeCurveKeyPair();
    std::string why;
    const bool written = writeKeyFile(path, keys, &why);
    ::umask(oldMask);
    QVERIFY2(written, why.c_str());
    char buffer[4096] = {};
    const ssize_t n = ::pread(early, buffer, sizeof buffer - 1, 0);
    ::close(early);
    QVERIFY2(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0).find(keys.secretKey) ==
                 std::string::npos,
             "the new secret key went into a file that was open to others");
    struct stat info {};
    QCOMPARE(::stat(path.c_str(), &info), 0);
    QCOMPARE(info.st_mode & 0777, static_cast<mode_t>(0600));
    const auto read = readKeyFile(path, &why);
    QVERIFY2(read && read->secretKey == keys.secretKey, why.c_str());
    // A fresh file too, and no temporary file left beside it.
    const std::string fresh = dir.filePath("fresh.key").toStdString();
    QVERIFY(writeKeyFile(fresh, keys, &why));
    QCOMPARE(::stat(fresh.c_str(), &info), 0);
    QCOMPARE(info.st_mode & 0777, static_cast<mode_t>(0600));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
  }

  // The parsers behind (a), without sockets: every refusal names the message and the field.
  void parsersRefuseWithTheFieldNamed() {
    auto hello = [](const json& changes) {
      HelloBody body;
      std::string why;
      const bool ok = parseHello(helloMessage(changes), &body, &why);
      return std::pair{ok, why};
    };
    QVERIFY(hello({}).first);
    for (const auto& [changes, field] : std::vector<std::pair<json, std::string>>{
             {{{"host", 5}}, "\"host\""},
             {{{"host", nullptr}}, "\"host\""},
             {{{"host", std::string(300, 'h')}}, "\"host\""},
             {{{"pid", -1}}, "\"pid\""},
             {{{"pid", 18446744073709551615ULL}}, "\"pid\""},
             {{{"cores", 2.5}}, "\"cores\""},
             {{{"cores", true}}, "\"cores\""},
             {{{"program_version", json::object()}}, "\"program_version\""},
             {{{"worker_id", "0"}}, "\"worker_id\""},
             {{{"worker_id", 4294967296LL}}, "\"worker_id\""}}) {
      const auto [ok, why] = hello(changes);
      QVERIFY2(!ok, changes.dump().c_str());
      QVERIFY2(why.rfind("HELLO " + field, 0) == 0, (changes.dump() + " -> " + why).c_str());
    }
    HelloBody body;
    std::string why;
    QVERIFY(parseHello(helloMessage({{"worker_id", 7}}), &body, &why));
    QCOMPARE(body.workerId.value_or(-1), 7);
    QVERIFY(parseHello(helloMessage({{"worker_id", nullptr}}), &body, &why));
    QVERIFY(!body.workerId);

    ReadyBody ready;
    QVERIFY(!parseReady(Message::withJson(MessageKind::Ready, {{"dimension", 1.0}}), &ready, &why));
    QVERIFY2(why.find("\"dimension\"") != std::string::npos, why.c_str());
    QVERIFY(!parseReady(Message::withJson(MessageKind::Ready, {{"dimension", 3}, {"setup_seconds", "x"}}),
                        &ready, &why));
    QVERIFY(parseReady(Message::withJson(MessageKind::Ready, {{"dimension", 3}, {"setup_seconds", 0.5}}),
                       &ready, &why));
    QCOMPARE(ready.dimension, std::int64_t{3});
    ErrorBody error;
    QVERIFY(!parseError(Message::withJson(MessageKind::Error, {{"code", 5}}), &error, &why));
    QVERIFY(!parseError(Message::of(MessageKind::Error), &error, &why));
    WelcomeBody welcome;
    QVERIFY(
        !parseWelcome(Message::withJson(MessageKind::Welcome, {{"worker_id", 0}, {"heartbeat_ms", "1000"}}),
                      &welcome, &why));
    QVERIFY(!parseWelcome(Message::withJson(MessageKind::Welcome, {{"worker_id", 0}, {"liveness", 0}}),
                          &welcome, &why));
    QVERIFY(parseWelcome(Message::withJson(MessageKind::Welcome, {{"worker_id", 2}}), &welcome, &why));
    QVERIFY(!welcome.heartbeatMs);
    AssignBody assign;
    QVERIFY(!parseAssign(Message::withJson(MessageKind::Assign, {{"worker_id", 0}, {"experiment", "x"}}),
                         &assign, &why));
    QVERIFY(
        !parseAssign(Message::withJson(MessageKind::Assign,
                                       {{"worker_id", 0}, {"experiment", json::object()}, {"unit_ms", -1}}),
                     &assign, &why));
    QVERIFY(!parseAssign(
        Message::withJson(MessageKind::Assign,
                          {{"worker_id", 0}, {"experiment", json::object()}, {"base_directory", 1}}),
        &assign, &why));
    std::string reason;
    QVERIFY(!parseStop(Message::withJson(MessageKind::Stop, {{"reason", 5}}), &reason, &why));
    QVERIFY(parseStop(Message::of(MessageKind::Stop), &reason, &why));

    // Nesting beyond the limit is refused before parsing; at the limit it parses.
    const std::string deep =
        std::string(kMaxWireJsonDepth + 1, '[') + std::string(kMaxWireJsonDepth + 1, ']');
    QVERIFY(!parseWireJsonObject(deep.data(), deep.size()));
    const std::string ok =
        "{\"a\":" + std::string(kMaxWireJsonDepth - 1, '[') + std::string(kMaxWireJsonDepth - 1, ']') + "}";
    QVERIFY(parseWireJsonObject(ok.data(), ok.size()));
    const std::string quoted = "{\"a\":\"" + std::string(73, '[') + "\\\"[\"}";
    QVERIFY(parseWireJsonObject(quoted.data(), quoted.size()));  // brackets inside strings do not count

    for (const char* request : {R"({"command":5})", R"({"command":null})", R"([1])", "", "{"}) {
      QVERIFY2(!parseControlRequest(request, std::strlen(request), &why), request);
      QVERIFY(!why.empty());
    }
    const char* good = R"({"command":"exclude","worker":1})";
    const auto parsed = parseControlRequest(good, std::strlen(good), &why);
    QVERIFY(parsed && parsed->command == "exclude" && parsed->body.at("worker") == 1);
    QCOMPARE(parseWorkerArgument(parsed->body, &why).value_or(-1), 1);
    for (const json& request : {json{{"worker", -1}}, json{{"worker", 1.5}}, json{{"worker", "1"}},
                                json::object(), json{{"worker", 4294967296LL}}}) {
      QVERIFY2(!parseWorkerArgument(request, &why), request.dump().c_str());
      QVERIFY2(why.find("\"worker\"") != std::string::npos, why.c_str());
    }
    const std::string key = makeCurveKeyPair().publicKey;
    QCOMPARE(parseKeyArgument({{"key", key}}, "allow_key", &why).value_or(""), key);
    for (const json& request :
         {json{{"key", 5}}, json{{"key", "x"}}, json{{"key", key + "x"}}, json::object()}) {
      QVERIFY2(!parseKeyArgument(request, "allow_key", &why), request.dump().c_str());
      QVERIFY2(why.rfind("allow_key", 0) == 0, why.c_str());
    }
    // Every reply is JSON: to bytes that are not UTF-8, and when the reply carries such bytes itself.
    const std::string latin1 = "{\"command\":\"st\xe9\"}";
    auto echo = [](const std::string&, const json&) { return json{{"echo", "\xff"}}; };
    QVERIFY(json::parse(controlReply(latin1.data(), latin1.size(), echo)).contains("error"));
    const std::string status = R"({"command":"status"})";
    const std::string reply = controlReply(status.data(), status.size(), echo);
    QVERIFY2(json::accept(reply), reply.c_str());

    // Dashboard subscriptions: only "history/TOKEN" subscriptions are history requests.
    const std::string history = std::string(1, '\x01') + kHistoryTopicPrefix;
    QCOMPARE(historyTopicOf(history + "t1").value_or(""), std::string(kHistoryTopicPrefix) + "t1");
    for (const std::string& frame :
         {std::string(), history, std::string(1, '\0') + kHistoryTopicPrefix + "t1",
          std::string("\x01update"), history + std::string(kMaxHistoryTokenBytes + 1, 't'),
          std::string(1, '\x01') + "histor/t1"})
      QVERIFY2(!historyTopicOf(frame), frame.c_str());
    QVERIFY(historyTopicOf(history + std::string(kMaxHistoryTokenBytes, 't')));
  }

  // (h)
  void everythingAtOnceOnARealRun();
};

void TestHostilePeers::everythingAtOnceOnARealRun() {
  constexpr int kWorkers = 3;
  constexpr int kDimension = 32;
  constexpr int kConnections = 500;
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const QString out = dir.filePath("out");
  // Long enough for any machine: the test stops the run once every refusal is counted.
  json document = smallRun(kWorkers, kDimension, 12'000.0);
  Coordinator coordinator;
  QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", document), "--out", out, "--quiet",
                                        "--dashboard", "tcp://127.0.0.1:*"} +
                            storeArguments(dir)));
  QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
  std::string last;
  const auto running = waitUntilRunning(coordinator.controlEndpoint, 10, &last);
  QVERIFY2(running, (last + "\n" + coordinator.describe()).c_str());
  const std::string feed = running->value("dashboard", std::string());
  const pid_t pid = coordinator.pid();
  const long baseline = procStatusKb(pid, "VmRSS");

  int refusedMessages = 0;
  // Garbage and wrongly typed messages from strangers (every slot is taken by the real workers).
  FakePeer stranger(coordinator.workerEndpoint);
  stranger.sendRaw({"garbage"});
  stranger.sendRaw({std::string(16, 'x')});
  stranger.send(helloMessage({{"host", 5}}));
  stranger.send(helloMessage({{"pid", nullptr}}));
  stranger.send(Message::withJson(MessageKind::Error, {{"code", 5}}));
  stranger.send(makeGrad(GradMeta{}, distopt::Vector::Zero(kDimension)));
  refusedMessages += 6;
  // Oversized frames, three of 64 MiB. Each sender stays connected until the run is judged: a peer
  // closed with linger 0 drops what it has not written yet, and a loaded machine had not written one
  // frame's header before its sender went (2 of 3 counted, the run never stopped).
  std::atomic<bool> attackersMayLeave{false};
  std::jthread oversized([&] {
    std::vector<std::unique_ptr<FakePeer>> senders;
    for (int i = 0; i < 3; ++i) {
      senders.push_back(std::make_unique<FakePeer>(coordinator.workerEndpoint));
      senders.back()->sendRaw({std::string(std::size_t{64} << 20, 'z')});
      QThread::msleep(200);
    }
    while (!attackersMayLeave.load()) QThread::msleep(50);
  });
  // A peer that never reads: 100k HELLOs, each answered ERROR + STOP.
  constexpr int kFlood = 50'000;
  std::atomic<bool> flooded{false};
  std::jthread neverReads([&] {
    FakePeer reader(coordinator.workerEndpoint, 1);
    for (int i = 0; i < kFlood; ++i) reader.sendBlocking(helloMessage());
    flooded.store(true);
    QThread::msleep(3000);  // connected, not reading, while the coordinator works through the flood
  });
  refusedMessages += kFlood;
  // Many connections: half open a ZMTP handshake with a mechanism this socket does not speak (refused
  // handshakes), half are idle DEALERs that never say HELLO.
  zmq::context_t context(1);
  std::vector<int> raw;
  std::vector<zmq::socket_t> idle;
  {
    const auto colon = coordinator.workerEndpoint.rfind(':');
    const int port = std::stoi(coordinator.workerEndpoint.substr(colon + 1));
    for (int i = 0; i < kConnections / 2; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<std::uint16_t>(port));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        // A ZMTP 3.0 greeting (RFC 23) asking for CURVE.
        std::string greeting(64, '\0');
        greeting[0] = '\xff';
        greeting[9] = '\x7f';
        greeting[10] = 3;
        greeting.replace(12, 5, "CURVE");
        (void)!::write(fd, greeting.data(), greeting.size());
        raw.push_back(fd);
      } else if (fd >= 0) {
        ::close(fd);
      }
    }
    for (int i = 0; i < kConnections / 2; ++i) {
      auto& socket = idle.emplace_back(context, zmq::socket_type::dealer);
      socket.set(zmq::sockopt::linger, 0);
      socket.connect(coordinator.workerEndpoint);
    }
  }
  // The dashboard feed: a subscription flood.
  zmq::socket_t flood(context, zmq::socket_type::xsub);
  flood.set(zmq::sockopt::linger, 0);
  flood.connect(feed);
  for (int i = 0; i < 400; ++i) {
    flood.send(zmq::buffer(std::string("\x01h", 2)));
    flood.send(zmq::buffer(std::string("\x00h", 2)));
  }
  // Control requests of the wrong type, and a client that never reads its replies.
  for (int i = 0; i < 20; ++i)
    QVERIFY(
        requestJson(coordinator.controlEndpoint, {{"command", "allow_key"}, {"key", i}}).contains("error"));
  zmq::socket_t control(context, zmq::socket_type::dealer);
  control.set(zmq::sockopt::linger, 0);
  control.set(zmq::sockopt::rcvhwm, 1);
  control.connect(coordinator.controlEndpoint);
  for (int i = 0; i < 20'000; ++i)
    control.send(zmq::str_buffer(R"({"command":"status"})"), zmq::send_flags::dontwait);

  long peak = baseline;
  std::uint64_t refusedConnections = 0;
  json refusedByKind;
  int counted = 0;
  QElapsedTimer timer;
  timer.start();
  while (coordinator.process().state() != QProcess::NotRunning && timer.elapsed() < 45'000) {
    peak = std::max(peak, procStatusKb(pid, "VmRSS"));
    const json status = requestJson(coordinator.controlEndpoint, {{"command", "status"}}, 300);
    if (status.is_object()) {
      refusedConnections = std::max(refusedConnections, status.value("refused_total", std::uint64_t{0}));
      if (status.contains("refused_by_kind")) refusedByKind = status["refused_by_kind"];
      counted = std::max(counted, status.value("malformed_total", 0));
    }
    // Every refusal counted and every attacker done: the run may end.
    if (flooded.load() && counted >= refusedMessages && refusedConnections >= raw.size() + 3 &&
        timer.elapsed() > 3000) {
      QVERIFY(requestJson(coordinator.controlEndpoint, {{"command", "stop"}}).value("ok", false));
      break;
    }
    coordinator.process().waitForFinished(100);
  }
  qInfo("counted %d of %d refusals, %llu of %zu refused connections (%s)", counted, refusedMessages,
        static_cast<unsigned long long>(refusedConnections), raw.size() + 3, refusedByKind.dump().c_str());
  attackersMayLeave.store(true);
  oversized.join();
  neverReads.join();
  for (const int fd : raw) ::close(fd);
  const int exitCode = coordinator.waitForExit();
  QVERIFY2(exitCode == 0, coordinator.describe().c_str());
  const json summary = readJsonFile(out + "/summary.json");
  QVERIFY2(summary.at("termination") == json("stopped"), summary.dump(1).c_str());
  for (const auto& worker : summary.at("worker_status")) {
    QVERIFY2(worker.at("state") != json("dead"), worker.dump().c_str());
    QVERIFY2(worker.at("accepted").get<int>() > 0, worker.dump().c_str());
  }
  QCOMPARE(summary.at("malformed_dropped").get<int>(), refusedMessages);
  // The handshakes of the raw connections, and the three senders of oversized frames.
  QVERIFY2(refusedConnections >= raw.size() + 3, (std::to_string(refusedConnections) + " of " +
                                                  std::to_string(raw.size() + 3) + " " + refusedByKind.dump())
                                                     .c_str());
  // Each raw handshake asked for CURVE on a NULL socket: counted as that kind, every one.
  QVERIFY2(
      refusedByKind.is_object() && refusedByKind.value("mechanism_mismatch", std::size_t{0}) == raw.size(),
      refusedByKind.dump().c_str());
  QVERIFY(raw.size() >= kConnections / 2 - 5);
  const std::string log = coordinator.stderrText();
  QVERIFY2(log.find("refused a worker connection from ") != std::string::npos, log.c_str());
  qInfo(
      "coordinator RSS %ld kB at the start of the attack, peak %ld kB (+%ld kB); %d refused messages and "
      "%llu "
      "refused connections counted",
      baseline, peak, peak - baseline, refusedMessages, static_cast<unsigned long long>(refusedConnections));
  QVERIFY2(peak - baseline < 64 * 1024,
           (std::to_string(baseline) + " -> " + std::to_string(peak) + " kB").c_str());
  const auto runs = storedRuns(storePath(dir));
  QCOMPARE(runs.size(), std::size_t{1});
  QVERIFY(runs.front().finished());
}

QTEST_GUILESS_MAIN(TestHostilePeers)
#include "test_hostile_peers.moc"
