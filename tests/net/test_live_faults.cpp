// Live-run faults, real processes over tcp://127.0.0.1 (docs/architecture.md, rules 4, 7; PROTOCOL §4, §8).
// Every run is recorded in a run store inside its temporary folder, which the tests read too.
//   (a) a worker SIGKILLed mid-run: the run finishes, the worker is "dead" with the signal named (in
//       summary.json and in the store), and its results before death are in events.csv;
//   (b) the coordinator SIGKILLed mid-run: its local workers die at once (PR_SET_PDEATHSIG), a remote
//       worker leaves after liveness x heartbeat with status 3, and the store stays readable with the
//       events committed before the kill;
//   (c) bad input (malformed file, unknown algorithm, missing data file, unusable endpoint, output
//       folder that cannot be created): exit 2, the field named, no worker process ever started, no
//       output folder and no run in the store;
//   (d) a worker started by hand with --connect fills the slot left by --local-workers N-1, even when
//       it connects before the local workers (which start late here);
//   (e) a hand-made fake worker (a DEALER in this test) sending garbage and malformed GRADs does not
//       disturb the run, and summary.json counts every dropped message.
#include <QtTest>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include <zmq_addon.hpp>

#include "core/problems/problem.hpp"
#include "live_test_support.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"

using namespace live_test;
using namespace distopt::net;

namespace {

std::string describeSummary(const json& summary) { return summary.is_discarded() ? "no summary" : summary.dump(1); }

/// A protocol peer on a DEALER socket, driven by the test.
class FakeWorker {
 public:
  explicit FakeWorker(const std::string& endpoint) : m_socket(m_context, zmq::socket_type::dealer) {
    m_socket.set(zmq::sockopt::linger, 0);
    m_socket.connect(endpoint);
  }

  void send(Message&& message) {
    message.seq = m_seq.next();
    sendMessage(m_socket, std::move(message));
  }
  void sendRaw(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      m_socket.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }

  /// Next decodable message within `timeoutMs`.
  std::optional<Message> receive(int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      zmq::pollitem_t items[] = {{m_socket.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(std::max<qint64>(1, timeoutMs - timer.elapsed())));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(m_socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
      DecodeError error = DecodeError::None;
      auto message = decode(std::move(frames), &error);
      if (message) return message;
    }
    return std::nullopt;
  }

  /// Next message of `kind`, skipping others (heartbeats).
  std::optional<Message> receiveKind(MessageKind kind, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      auto message = receive(static_cast<int>(std::max<qint64>(1, timeoutMs - timer.elapsed())));
      if (message && message->kind == kind) return message;
    }
    return std::nullopt;
  }

 private:
  zmq::context_t m_context{1};
  zmq::socket_t m_socket;
  SeqCounter m_seq;
};

Message helloMessage() {
  return Message::withJson(MessageKind::Hello, {{"worker_id", nullptr},
                                                {"protocol", 1},
                                                {"program_version", "fake"},
                                                {"host", "test"},
                                                {"cores", 1},
                                                {"pid", static_cast<int>(getpid())}});
}

std::string headerBytes(std::uint16_t kind, std::uint16_t version = 1) {
  Message message = Message::of(MessageKind::Heartbeat);
  std::string header = encodeHeader(message);
  header[4] = static_cast<char>(version & 0xff);
  header[5] = static_cast<char>(version >> 8);
  header[6] = static_cast<char>(kind & 0xff);
  header[7] = static_cast<char>(kind >> 8);
  return header;
}

/// A copy of distopt-run in `dir` with a "distopt-worker" script beside it (the coordinator starts the
/// worker program found beside itself): `script` runs first, then the real worker with its arguments.
QString wrappedRunProgram(const QTemporaryDir& dir, const QString& script) {
  const QString program = dir.filePath("distopt-run");
  if (!QFile::copy(kRunProgram, program) || !QFile::setPermissions(program, QFile::permissions(kRunProgram)))
    return {};
  QFile file(dir.filePath("distopt-worker"));
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write(QString("#!/bin/sh\n%1\nexec '%2' \"$@\"\n").arg(script, kWorkerProgram).toUtf8());
  file.close();
  if (!QFile::setPermissions(file.fileName(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)) return {};
  return program;
}

std::string frameBytes(const zmq::message_t& frame) { return std::string(static_cast<const char*>(frame.data()), frame.size()); }

}  // namespace

class TestLiveFaults : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  // (a)
  void killedWorkerIsDeadAndTheRunFinishes() {
    constexpr int kVictim = 3;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeJson(dir, "run.json", quadraticExperiment(8, 256, 4.0, 750.0));
    const QString out = dir.filePath("out");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{path, "--out", out, "--quiet"} + storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string lastStatus;
    const auto status = waitUntilRunning(coordinator.controlEndpoint, 150, &lastStatus);
    QVERIFY2(status, (lastStatus + "\n" + coordinator.describe()).c_str());

    const pid_t victim = workerPid(coordinator.pid(), kVictim);
    QVERIFY2(victim > 0, "worker 3 is not a child of distopt-run");
    const auto before = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(before);
    const double killedAt = before->at("time").get<double>();
    QCOMPARE(::kill(victim, SIGKILL), 0);

    const int exitCode = coordinator.waitForExit();
    QVERIFY2(exitCode == 0, coordinator.describe().c_str());
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("time_limit"));
    const json& worker = summary.at("worker_status").at(kVictim);
    QCOMPARE(worker.at("worker"), json(kVictim));
    QCOMPARE(worker.at("pid").get<pid_t>(), victim);
    QVERIFY2(worker.at("state") == json("dead"), worker.dump().c_str());
    const std::string reason = worker.at("reason").get<std::string>();
    QVERIFY2(reason.find("signal 9") != std::string::npos, reason.c_str());
    for (const auto& other : summary.at("worker_status"))
      if (other.at("worker") != json(kVictim)) QVERIFY2(other.at("state") != json("dead"), other.dump().c_str());

    // Its results before death are recorded; nothing it "sent" after death was applied.
    const auto events = readEvents(out);
    QVERIFY(events);
    std::uint64_t victimAccepted = 0;
    double lastVictim = 0.0;
    double last = 0.0;
    for (const auto& row : *events) {
      last = std::max(last, row.time);
      if (row.worker != kVictim || row.outcome != "accepted") continue;
      ++victimAccepted;
      lastVictim = std::max(lastVictim, row.time);
    }
    QVERIFY2(victimAccepted > 0, "no events of the killed worker");
    QCOMPARE(victimAccepted, worker.at("accepted").get<std::uint64_t>());
    QVERIFY2(lastVictim <= killedAt + 125.0, (std::to_string(lastVictim) + " vs " + std::to_string(killedAt)).c_str());
    // The others went on after the kill.
    QVERIFY2(last > killedAt + 100.0, std::to_string(last).c_str());

    // The run store says the same.
    const auto runs = storedRuns(storePath(dir));
    QCOMPARE(runs.size(), std::size_t{1});
    QVERIFY(runs.front().finished());
    QCOMPARE(runs.front().eventCount, static_cast<std::uint64_t>(events->size()));
    bool found = false;
    for (const auto& stored : distopt::RunStore::open(storePath(dir).toStdString())->loadWorkers(runs.front().id)) {
      if (stored.worker != kVictim) continue;
      found = true;
      QCOMPARE(stored.state, std::string("dead"));
      QVERIFY2(stored.reason.find("signal 9") != std::string::npos, stored.reason.c_str());
    }
    QVERIFY(found);
  }

  // (b)
  void killedCoordinatorTakesItsWorkersAlong() {
    constexpr int kWorkers = 6;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeJson(dir, "run.json", quadraticExperiment(kWorkers, 256, 5.0, 6000.0));
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{path, "--out", dir.filePath("out"), "--quiet", "--local-workers",
                                          QString::number(kWorkers - 1)} +
                              storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    // One remote worker: no PR_SET_PDEATHSIG, only the heartbeat can tell it the coordinator is gone.
    QProcess remote;
    remote.start(kWorkerProgram, {"--connect", QString::fromStdString(coordinator.workerEndpoint)});
    QVERIFY(remote.waitForStarted(5000));
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 50, &last), (last + "\n" + coordinator.describe()).c_str());

    const auto locals = workerChildrenOf(coordinator.pid());
    QCOMPARE(static_cast<int>(locals.size()), kWorkers - 1);
    // The store commits every 250 ms: 50 updates can come sooner than the first commit, and then the kill
    // finds nothing committed to keep. Kill once a batch is in.
    QElapsedTimer waited;
    waited.start();
    auto committed = [&] {
      const auto runs = storedRuns(storePath(dir));
      return !runs.empty() && runs.front().eventCount > 0;
    };
    while (!committed() && waited.elapsed() < 10000) QThread::msleep(20);
    QVERIFY2(committed(), "no event committed to the store within 10 s of a running run");
    QElapsedTimer sinceKill;
    QCOMPARE(::kill(coordinator.pid(), SIGKILL), 0);
    sinceKill.start();

    // Local workers: at once.
    auto allEnded = [&] {
      for (const auto& worker : locals)
        if (!processEnded(worker.pid)) return false;
      return true;
    };
    while (!allEnded() && sinceKill.elapsed() < 5000) QThread::msleep(10);
    const qint64 localsGone = sinceKill.elapsed();
    QVERIFY2(allEnded(), "a local worker outlived its coordinator by 5 s");
    QVERIFY2(localsGone < 1500, std::to_string(localsGone).c_str());

    // The remote worker: within liveness x heartbeat (3 x 1000 ms) plus slack, with status 3.
    QVERIFY2(remote.waitForFinished(3000 + 2500), "the remote worker did not notice the coordinator was gone");
    const qint64 remoteGone = sinceKill.elapsed();
    QCOMPARE(remote.exitStatus(), QProcess::NormalExit);
    QCOMPARE(remote.exitCode(), 3);
    QVERIFY2(remoteGone >= 1500, std::to_string(remoteGone).c_str());  // it did wait for the heartbeat
    qInfo("after SIGKILL of the coordinator: local workers gone in %lld ms, remote worker in %lld ms",
          static_cast<long long>(localsGone), static_cast<long long>(remoteGone));
    coordinator.waitForExit(5000);

    // The store is readable and holds the run with the events of its committed batches; opening it
    // marked the run interrupted, since its coordinator is gone.
    auto store = distopt::RunStore::open(storePath(dir).toStdString());
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
    const auto runs = store->listRuns();
    QCOMPARE(runs.size(), std::size_t{1});
    QVERIFY2(runs.front().interrupted(), runs.front().state().c_str());
    QVERIFY2(runs.front().eventCount > 0, "no event reached the store before the kill");
    QCOMPARE(static_cast<std::uint64_t>(store->loadEvents(runs.front().id).size()), runs.front().eventCount);
    QVERIFY(!QFileInfo::exists(dir.filePath("out/summary.json")));
  }

  // (c)
  void badInputStartsNoWorker() {
    // A copy of distopt-run with a "distopt-worker" beside it that leaves a mark and then runs the
    // real worker: the coordinator starts the worker beside itself, so any start leaves a trace.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString marker = dir.filePath("workers-started");
    const QString program = wrappedRunProgram(dir, QString("echo $$ >> '%1'").arg(marker));
    QVERIFY(!program.isEmpty());

    auto run = [&](const QStringList& arguments, int* exitCode, QString* err) {
      QProcess process;
      process.start(program, arguments + storeArguments(dir));
      if (!process.waitForStarted(10'000) || !process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished(5000);
        *exitCode = -1;
      } else {
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
      }
      *err = QString::fromUtf8(process.readAllStandardError());
    };

    // Positive control: a good live run does go through the script.
    json good = quadraticExperiment(2, 16, 2.0, 50.0);
    int exitCode = -1;
    QString err;
    run({writeJson(dir, "good.json", good), "--out", dir.filePath("good"), "--quiet"}, &exitCode, &err);
    QVERIFY2(exitCode == 0, qPrintable(err));
    QVERIFY2(QFileInfo::exists(marker), "the marking worker script was not used");
    QVERIFY(QFile::remove(marker));
    QCOMPARE(storedRuns(storePath(dir)).size(), std::size_t{1});

    QFile broken(dir.filePath("broken.json"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}\n");
    broken.close();
    json unknownAlgorithm = quadraticExperiment(4, 16, 2.0, 50.0);
    unknownAlgorithm["algorithm"] = {{"name", "sgd-turbo"}};
    json missingData = quadraticExperiment(4, 16, 2.0, 50.0);
    missingData["problem"] = {{"name", "logistic"}, {"params", {{"train", "does-not-exist.libsvm"}}}};

    struct Case {
      QStringList arguments;
      QString named;
    };
    const std::vector<Case> cases = {
        {{dir.filePath("broken.json")}, "broken.json:3:13"},
        {{writeJson(dir, "algo.json", unknownAlgorithm)}, "algorithm.name"},
        {{writeJson(dir, "data.json", missingData)}, "problem.params.train"},
        {{writeJson(dir, "data2.json", missingData)}, "does-not-exist.libsvm"},
        {{writeJson(dir, "bind.json", good), "--bind", "tcp://127.0.0.1:not-a-port"}, "tcp://127.0.0.1:not-a-port"},
    };
    int index = 0;
    for (const auto& c : cases) {
      QVERIFY(!QFileInfo::exists(marker));
      const QString out = dir.filePath(QString("out-%1").arg(index++));
      run(QStringList{"--engine", "live", "--out", out, "--quiet"} + c.arguments, &exitCode, &err);
      const std::string context = c.arguments.join(' ').toStdString() + "\n" + err.toStdString();
      QVERIFY2(exitCode == 2, context.c_str());
      QVERIFY2(err.contains(c.named), context.c_str());
      QVERIFY2(!QFileInfo::exists(marker), ("a worker was started for bad input: " + context).c_str());
      QVERIFY2(!QFileInfo::exists(out), ("an output folder was created: " + context).c_str());
    }
    // An output folder that cannot be created: bad input as well, found before any worker starts.
    run({writeJson(dir, "good2.json", good), "--out", dir.filePath("good.json") + "/sub", "--quiet"}, &exitCode, &err);
    QVERIFY2(exitCode == 2, qPrintable(err));
    QVERIFY2(err.contains("cannot create the output folder"), qPrintable(err));
    QVERIFY2(!QFileInfo::exists(marker), "a worker was started although the output folder cannot be created");
    // Nothing half-started in the store either: only the good run is recorded.
    const auto runs = storedRuns(storePath(dir));
    QCOMPARE(runs.size(), std::size_t{1});
    QVERIFY(runs.front().finished());
  }

  // (d)
  void remoteWorkerJoinsByHand() {
    // The local workers start late (a script sleeps before running the real worker), so the hand-started
    // worker, which asks for no id, connects first: it must get the slot left for remote workers, not
    // one of the local workers' slots.
    constexpr int kWorkers = 4;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString program = wrappedRunProgram(dir, "sleep 1");
    QVERIFY(!program.isEmpty());
    const QString path = writeJson(dir, "run.json", quadraticExperiment(kWorkers, 256, 4.0, 500.0));
    const QString out = dir.filePath("out");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{path, "--out", out, "--quiet", "--local-workers",
                                          QString::number(kWorkers - 1)} +
                                  storeArguments(dir),
                              program));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    QVERIFY(coordinator.workerEndpoint.rfind("tcp://127.0.0.1:", 0) == 0);
    QProcess remote;
    remote.start(kWorkerProgram, {"--connect", QString::fromStdString(coordinator.workerEndpoint)});
    QVERIFY(remote.waitForStarted(5000));
    const qint64 remotePid = remote.processId();

    // The run waits for everyone: only the local ones are children of the coordinator.
    const auto waiting = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(waiting);
    QCOMPARE(waiting->at("state"), json("starting"));
    QCOMPARE(static_cast<int>(childrenOf(coordinator.pid()).size()), kWorkers - 1);

    const int exitCode = coordinator.waitForExit();
    QVERIFY2(exitCode == 0, coordinator.describe().c_str());
    QVERIFY(coordinator.describe().find("waiting for 1 remote worker(s): distopt-worker --connect tcp://") !=
            std::string::npos);
    QVERIFY(remote.waitForFinished(5000));
    QCOMPARE(remote.exitStatus(), QProcess::NormalExit);
    QCOMPARE(remote.exitCode(), 0);  // stopped by the coordinator

    const json summary = readJsonFile(out + "/summary.json");
    QVERIFY2(summary.at("termination") == json("time_limit"), describeSummary(summary).c_str());
    const json& joined = summary.at("worker_status").at(kWorkers - 1);
    QCOMPARE(joined.at("pid").get<qint64>(), remotePid);
    QVERIFY2(joined.at("accepted").get<std::uint64_t>() > 0, joined.dump().c_str());
    for (const auto& worker : summary.at("worker_status")) {
      QVERIFY2(worker.at("state") != json("dead"), worker.dump().c_str());
      QVERIFY2(worker.at("accepted").get<std::uint64_t>() > 0, worker.dump().c_str());
    }
  }

  // (e)
  void fakeWorkerGarbageIsCountedAndDropped() {
    constexpr int kWorkers = 4;
    constexpr int kDimension = 64;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = quadraticExperiment(kWorkers, kDimension, 5.0, 500.0);
    document["algorithm"] = {{"name", "asgd"}, {"params", {{"gamma", 0.04}}}};
    const QString out = dir.filePath("out");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", document), "--out", out, "--quiet",
                                          "--local-workers", QString::number(kWorkers - 1)} +
                              storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());

    int malformedSent = 0;
    // A stranger that never said HELLO: garbage and a GRAD, both dropped.
    FakeWorker stranger(coordinator.workerEndpoint);
    stranger.sendRaw({"hello?"});
    ++malformedSent;
    stranger.send(makeGrad(GradMeta{}, distopt::Vector::Zero(kDimension)));
    ++malformedSent;

    FakeWorker fake(coordinator.workerEndpoint);
    fake.send(helloMessage());
    auto welcome = fake.receiveKind(MessageKind::Welcome, 10'000);
    QVERIFY2(welcome, coordinator.describe().c_str());
    const int id = welcome->jsonPayload()->at("worker_id").get<int>();
    QCOMPARE(id, kWorkers - 1);
    auto assign = fake.receiveKind(MessageKind::Assign, 5000);
    QVERIFY(assign);
    QCOMPARE(assign->jsonPayload()->at("worker_id").get<int>(), id);
    fake.send(Message::withJson(MessageKind::Ready, {{"dimension", kDimension}, {"shard_size", 0}, {"setup_seconds", 0.0}}));

    auto jobMessage = fake.receiveKind(MessageKind::Job, 20'000);
    QVERIFY2(jobMessage, coordinator.describe().c_str());
    JobMeta job;
    distopt::Vector model;
    std::string why;
    QVERIFY2(parseJob(*jobMessage, kDimension, &job, &model, &why), why.c_str());
    const distopt::Vector zero = distopt::Vector::Zero(kDimension);
    GradMeta answer;
    answer.jobId = job.jobId;
    answer.version = job.version;

    // Garbage of every kind the decoder refuses.
    fake.sendRaw({"garbage"});                                   // header of the wrong size
    fake.sendRaw({std::string(16, 'x')});                        // bad magic
    fake.sendRaw({headerBytes(99)});                             // unknown kind
    fake.sendRaw({headerBytes(20), std::string(8, '\0')});       // reserved kind
    malformedSent += 4;
    // Well-formed messages a coordinator never takes from a worker, or with a broken payload.
    fake.send(makeJob(job, encodeVectorFrame(model)));           // JOB from a worker
    fake.send(Message::withJson(MessageKind::Ready, {{"dim", 1}}));  // READY without its fields
    malformedSent += 2;
    // Malformed GRADs.
    {
      fake.send(makeGrad(answer, distopt::Vector::Zero(kDimension + 1)));  // wrong dimension
      Message shortMeta = makeGrad(answer, zero);
      shortMeta.payload[0] = zmq::message_t(frameBytes(shortMeta.payload[0]).substr(0, 47).data(), 47);
      fake.send(std::move(shortMeta));                                     // meta of 47 bytes
      Message oneFrame = makeGrad(answer, zero);
      oneFrame.payload.pop_back();
      fake.send(std::move(oneFrame));                                      // no vector frame
      Message badEncoding = makeGrad(answer, zero);
      std::string vector = frameBytes(badEncoding.payload[1]);
      vector[0] = 9;
      badEncoding.payload[1] = zmq::message_t(vector.data(), vector.size());
      fake.send(std::move(badEncoding));                                   // unknown encoding
      Message huge = makeGrad(answer, zero);
      const std::string prefix("\x01\x00\x00\x00\xff\xff\xff\xff", 8);
      huge.payload[1] = zmq::message_t(prefix.data(), prefix.size());
      fake.send(std::move(huge));                                          // 4e9 coordinates claimed
      GradMeta wrongVersion = answer;
      wrongVersion.version = answer.version + 7;
      fake.send(makeGrad(wrongVersion, zero));                             // current job, another version
      malformedSent += 6;
    }
    // Then a good answer: the session is intact.
    fake.send(makeGrad(answer, zero));
    int answered = 1;

    // Keep serving until STOP, answering every job at once.
    std::optional<std::string> stopReason;
    QElapsedTimer timer;
    timer.start();
    while (!stopReason && timer.elapsed() < 30'000) {
      auto message = fake.receive(200);
      if (!message) {
        fake.send(Message::of(MessageKind::Heartbeat));
        continue;
      }
      if (message->kind == MessageKind::Stop) {
        auto body = message->jsonPayload();
        stopReason = body ? body->value("reason", std::string()) : std::string();
      } else if (message->kind == MessageKind::Job) {
        QVERIFY2(parseJob(*message, kDimension, &job, &model, &why), why.c_str());
        GradMeta meta;
        meta.jobId = job.jobId;
        meta.version = job.version;
        fake.send(makeGrad(meta, zero));
        ++answered;
      }
    }
    QVERIFY2(stopReason, "the fake worker never got STOP");
    QCOMPARE(*stopReason, std::string("time_limit"));

    const int exitCode = coordinator.waitForExit();
    QVERIFY2(exitCode == 0, coordinator.describe().c_str());
    const json summary = readJsonFile(out + "/summary.json");
    QVERIFY2(summary.at("termination") == json("time_limit"), describeSummary(summary).c_str());
    QVERIFY2(summary.at("malformed_dropped").get<int>() == malformedSent,
             (std::to_string(malformedSent) + " sent\n" + describeSummary(summary)).c_str());
    const json& me = summary.at("worker_status").at(id);
    QVERIFY2(me.at("state") != json("dead"), me.dump().c_str());
    QVERIFY2(me.at("accepted").get<int>() >= 1, me.dump().c_str());
    QCOMPARE(me.at("pid").get<qint64>(), static_cast<qint64>(getpid()));
    qInfo("fake worker: %d malformed messages dropped, %d gradients answered, %d accepted", malformedSent, answered,
          me.at("accepted").get<int>());
  }
};

QTEST_GUILESS_MAIN(TestLiveFaults)
#include "test_live_faults.moc"
