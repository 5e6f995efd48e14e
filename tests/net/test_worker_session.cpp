// A real distopt-worker process against a ROUTER socket in the test, over tcp://127.0.0.1 on a
// wildcard port: handshake, echo round trip, malformed-message tolerance, stop, loss of coordinator,
// and version refusal (net/PROTOCOL.md §4-§5).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include <nlohmann/json.hpp>
#include <zmq_addon.hpp>

#include "core/timing/fixed_time_model.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"
#include "net/worker/worker_role.hpp"

using namespace distopt;
using namespace distopt::net;

namespace {

struct Inbound {
  zmq::message_t identity;
  Message message;
};

class FakeCoordinator {
 public:
  explicit FakeCoordinator(const std::string& endpoint = "tcp://127.0.0.1:*")
      : m_socket(m_context, zmq::socket_type::router) {
    m_socket.set(zmq::sockopt::linger, 0);
    m_socket.set(zmq::sockopt::router_mandatory, 1);
    // As the real coordinator (PROTOCOL.md §1.1): a worker reconnects with its routing id before READY to
    // take the run's frame limit, and the new connection must take the session over. Without it the new
    // connection is refused while the old one lingers, and READY is lost now and then.
    m_socket.set(zmq::sockopt::router_handover, 1);
    m_socket.bind(endpoint);
    m_endpoint = m_socket.get(zmq::sockopt::last_endpoint);
  }

  const std::string& endpoint() const { return m_endpoint; }

  std::optional<Inbound> receive(int timeoutMs) {
    zmq::pollitem_t items[] = {{m_socket.handle(), 0, ZMQ_POLLIN, 0}};
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      zmq::poll(items, 1, std::chrono::milliseconds(timeoutMs - timer.elapsed()));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(m_socket, std::back_inserter(frames))) continue;
      if (frames.size() < 2) continue;
      zmq::message_t identity = std::move(frames.front());
      frames.erase(frames.begin());
      DecodeError error;
      auto message = decode(std::move(frames), &error);
      if (!message) continue;
      return Inbound{std::move(identity), std::move(*message)};
    }
    return std::nullopt;
  }

  /// Next message of `kind`, skipping heartbeats.
  std::optional<Inbound> receiveKind(MessageKind kind, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      auto in = receive(static_cast<int>(timeoutMs - timer.elapsed()));
      if (in && in->message.kind == kind) return in;
    }
    return std::nullopt;
  }

  void send(const zmq::message_t& identity, Message&& message) {
    message.seq = m_seq.next();
    QVERIFY(sendMessage(m_socket, std::move(message), &identity) > 0);
  }

  void sendRaw(const zmq::message_t& identity, const std::string& frame) {
    zmq::message_t id(identity.data(), identity.size());
    m_socket.send(id, zmq::send_flags::sndmore);
    m_socket.send(zmq::buffer(frame));
  }

 private:
  zmq::context_t m_context{1};
  zmq::socket_t m_socket;
  std::string m_endpoint;
  SeqCounter m_seq;
};

/// The peak resident memory of process `pid` (VmHWM), in kB; -1 when unknown.
long peakKb(qint64 pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

QString workerPath() { return QStringLiteral(DISTOPT_BIN_DIR "/distopt-worker"); }

}  // namespace

class TestWorkerSession : public QObject {
  Q_OBJECT

 private slots:
  // A duration from a JOB (its tau override) is hostile input: one of 1e300 units waits "forever" (until
  // CANCEL or STOP), as an infinite one does, instead of overflowing the clock's type.
  void aHugeDurationWaitsForeverWithoutOverflow() {
    const FixedTimeModel model(FixedTimeModel::Options{}, 1);
    const auto start = WorkerHost::Clock::now();
    for (const double tau : {1e300, std::numeric_limits<double>::infinity(), 1e12}) {
      const auto due = emulatedDue(model, 0, tau, 0.0, 0.01, start);
      const double seconds = std::chrono::duration<double>(due - start).count();
      QVERIFY2(seconds > 9e8 && seconds <= 1e9 + 1.0, qPrintable(QStringLiteral("tau %1: %2 s").arg(tau).arg(seconds)));
    }
    const auto due = emulatedDue(model, 0, 200.0, 0.5, 0.01, start);
    QCOMPARE(std::chrono::duration<double>(due - start).count(), 1.5);
  }

  void handshakeEchoAndStop() {
    FakeCoordinator coordinator;
    QProcess worker;
    worker.start(workerPath(), {"--connect", QString::fromStdString(coordinator.endpoint()), "--id", "5"});
    QVERIFY2(worker.waitForStarted(5000), qPrintable(worker.errorString()));

    auto hello = coordinator.receiveKind(MessageKind::Hello, 5000);
    QVERIFY2(hello, "no HELLO from the worker");
    QCOMPARE(hello->message.version, kProtocolVersion);
    auto body = hello->message.jsonPayload();
    QVERIFY(body);
    QCOMPARE((*body)["worker_id"].get<int>(), 5);
    QCOMPARE((*body)["protocol"].get<int>(), static_cast<int>(kProtocolVersion));
    QCOMPARE((*body)["pid"].get<qint64>(), worker.processId());

    coordinator.send(hello->identity,
                     Message::withJson(MessageKind::Welcome,
                                       {{"worker_id", 5}, {"heartbeat_ms", 100}, {"liveness", 5}}));

    // Garbage first: the worker must drop it and keep serving.
    coordinator.sendRaw(hello->identity, "not a header");
    coordinator.sendRaw(hello->identity, std::string(16, 'x'));

    Message echo = Message::of(MessageKind::EchoRequest);
    const std::string binary("\x00\x01\xff\x7f", 4);
    echo.payload.emplace_back(binary.data(), binary.size());
    echo.payload.emplace_back();  // an empty frame must survive too
    coordinator.send(hello->identity, std::move(echo));

    auto reply = coordinator.receiveKind(MessageKind::EchoReply, 5000);
    QVERIFY2(reply, "no ECHO_REPLY");
    QCOMPARE(reply->message.payload.size(), std::size_t{2});
    QCOMPARE(reply->message.payload[0].to_string(), binary);
    QCOMPARE(reply->message.payload[1].size(), std::size_t{0});

    // Heartbeats keep flowing while idle (100 ms interval).
    QVERIFY(coordinator.receiveKind(MessageKind::Heartbeat, 2000));

    coordinator.send(hello->identity, Message::withJson(MessageKind::Stop, {{"reason", "done"}}));
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker.exitCode(), 0);
  }

  void cancelQueuedBehindAJobSendsNoGradient() {
    // async-sgd §2.0: a cancelled job sends nothing. With no injected delay a job is due the moment its
    // gradient is computed; a CANCEL that arrived meanwhile (queued behind the JOB) must still win.
    // Small frames (JOB, CANCEL and the next JOB travel in one TCP segment and reach the worker's
    // socket together) and a job of many gradients (milliseconds of compute) leave no doubt that the
    // CANCEL is queued before the job falls due.
    constexpr std::int64_t d = 100;
    constexpr std::uint32_t kGradients = 100'000;
    const std::string huge(std::size_t{256} << 20, 'x');
    FakeCoordinator coordinator;
    QProcess worker;
    worker.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    worker.start(workerPath(), {"--connect", QString::fromStdString(coordinator.endpoint()), "--id", "0"});
    QVERIFY2(worker.waitForStarted(5000), qPrintable(worker.errorString()));
    auto hello = coordinator.receiveKind(MessageKind::Hello, 5000);
    QVERIFY2(hello, "no HELLO from the worker");
    const nlohmann::json experiment = {
        {"name", "cancel"},
        {"seed", 1},
        {"problem", {{"name", "diagonal-quadratic"}, {"params", {{"d", d}, {"noise_std", 0.0}}}}},
        {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.01}}}}},
        {"workers", {{"count", 1}, {"time_model", {{"name", "natural"}, {"params", nlohmann::json::object()}}}}},
        {"stop", {{"updates", 10}}}};
    coordinator.send(hello->identity, Message::withJson(MessageKind::Welcome, {{"worker_id", 0}}));
    coordinator.send(hello->identity, Message::withJson(MessageKind::Assign, {{"worker_id", 0},
                                                                             {"workers", 1},
                                                                             {"seed", 1},
                                                                             {"unit_ms", 1.0},
                                                                             {"base_directory", "."},
                                                                             {"experiment", experiment}}));
    QVERIFY2(coordinator.receiveKind(MessageKind::Ready, 30000), "no READY");

    const Vector model = Vector::Constant(d, 1.0);
    auto sendJob = [&](std::uint64_t jobId) {
      JobMeta meta;
      meta.jobId = jobId;
      meta.version = jobId;
      meta.gradients = kGradients;
      coordinator.send(hello->identity, makeJob(meta, encodeVectorFrame(model)));
    };
    for (std::uint64_t job = 0; job < 6; job += 2) {
      sendJob(job);
      coordinator.send(hello->identity, makeCancel(job));
      sendJob(job + 1);
      auto grad = coordinator.receiveKind(MessageKind::Grad, 10000);
      QVERIFY2(grad, "no GRAD for the job after the cancelled one");
      GradMeta meta;
      DenseFrameView view;
      std::string why;
      QVERIFY2(parseGradView(grad->message, d, &meta, &view, &why), why.c_str());
      QCOMPARE(meta.jobId, job + 1);  // never the cancelled one
      // What only the moment of sending knows is written then: the job's seconds from its JOB to its
      // GRAD (the coordinator's mean job seconds) cover its compute, and the worker's clock is set.
      QVERIFY2(meta.computeTime > 0.0 && meta.elapsed >= meta.computeTime,
               qPrintable(QStringLiteral("compute %1 s, elapsed %2 s").arg(meta.computeTime).arg(meta.elapsed)));
      QVERIFY(meta.workerClock > 0.0);
    }
    // A duration the coordinator sets (the JOB's tau override) is the job's (this "natural" time model
    // adds no delay to it); a JOB asking for more gradients than any method does is dropped, not computed.
    JobMeta meta;
    meta.jobId = 10;
    meta.version = 10;
    meta.gradients = (1U << 20) + 1;  // a tenth of a second of compute here, were it taken
    meta.tauOverride = 0.0;
    coordinator.send(hello->identity, makeJob(meta, encodeVectorFrame(model)));
    QVERIFY2(!coordinator.receiveKind(MessageKind::Grad, 1500), "a JOB of 2^20 + 1 gradients was computed");
    meta.jobId = 11;
    meta.gradients = 1;
    meta.tauOverride = 300.0;
    coordinator.send(hello->identity, makeJob(meta, encodeVectorFrame(model)));
    auto timed = coordinator.receiveKind(MessageKind::Grad, 10000);
    QVERIFY2(timed, "no GRAD for the job with a set duration");
    GradMeta timedMeta;
    QVERIFY(parseGradMeta(timed->message, &timedMeta));
    QCOMPARE(timedMeta.jobId, std::uint64_t{11});
    QCOMPARE(timedMeta.tauTarget, 300.0);
    coordinator.send(hello->identity, Message::withJson(MessageKind::Stop, {{"reason", "done"}}));
    QVERIFY(worker.waitForFinished(10000));
    QCOMPARE(worker.exitCode(), 0);
  }

  // A "coordinator" that sends a frame of 256 MiB: before, the worker took all of it in (its socket had no
  // size limit before ASSIGN). Now ZeroMQ drops the connection at the frame's header (for good: a
  // connection dropped for a protocol error is not made again), the worker's memory stays put, and it
  // leaves as having lost its coordinator once the liveness window has passed.
  void aHugeFrameDoesNotGrowTheWorker() {
    const std::string huge(std::size_t{256} << 20, 'x');  // made first: under load that takes a while
    FakeCoordinator coordinator;
    QProcess worker;
    worker.start(workerPath(), {"--connect", QString::fromStdString(coordinator.endpoint())});
    QVERIFY2(worker.waitForStarted(5000), qPrintable(worker.errorString()));
    auto hello = coordinator.receiveKind(MessageKind::Hello, 5000);
    QVERIFY2(hello, "no HELLO from the worker");
    coordinator.send(
        hello->identity,
        Message::withJson(MessageKind::Welcome, {{"worker_id", 0}, {"heartbeat_ms", 200}, {"liveness", 25}}));
    QVERIFY(coordinator.receiveKind(MessageKind::Heartbeat, 5000));
    const long before = peakKb(worker.processId());
    QVERIFY(before > 0);
    coordinator.sendRaw(hello->identity, huge);
    long peak = before;
    while (!worker.waitForFinished(50)) peak = std::max(peak, peakKb(worker.processId()));
    qInfo("worker peak RSS %ld kB before, %ld kB after a 256 MiB frame", before, peak);
    QVERIFY2(peak - before < 32 * 1024,
             (std::to_string(before) + " -> " + std::to_string(peak) + " kB").c_str());
    QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker.exitCode(), 3);  // coordinator lost
  }

  void exitsWhenCoordinatorIsSilent() {
    FakeCoordinator coordinator;
    QProcess worker;
    worker.start(workerPath(), {"--connect", QString::fromStdString(coordinator.endpoint())});
    QVERIFY(worker.waitForStarted(5000));
    auto hello = coordinator.receiveKind(MessageKind::Hello, 5000);
    QVERIFY(hello);
    QVERIFY((*hello->message.jsonPayload())["worker_id"].is_null());
    coordinator.send(hello->identity,
                     Message::withJson(MessageKind::Welcome,
                                       {{"worker_id", 0}, {"heartbeat_ms", 50}, {"liveness", 3}}));
    QElapsedTimer timer;
    timer.start();
    // The test now stays silent: liveness x interval = 150 ms, then the worker must leave.
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitCode(), 3);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
  }

  // A worker started before its coordinator (or while it is busy starting a thousand others) waits for
  // its first answer for --wait seconds (default 60), where it used to give up after the 3 s liveness
  // window (issue "Hostile input and faults", item 11); told a short wait, it gives up and says why.
  void waitsForACoordinatorThatIsNotUpYet() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString endpoint = "ipc://" + dir.filePath("coordinator");
    QProcess worker;
    worker.start(workerPath(), {"--connect", endpoint});
    QVERIFY(worker.waitForStarted(5000));
    QVERIFY2(!worker.waitForFinished(4000), worker.readAllStandardError().constData());  // > 3 x 1000 ms
    FakeCoordinator coordinator(endpoint.toStdString());
    auto hello = coordinator.receiveKind(MessageKind::Hello, 10000);
    QVERIFY(hello);
    coordinator.send(hello->identity, Message::withJson(MessageKind::Stop, {{"reason", "done"}}));
    QVERIFY(worker.waitForFinished(10000));
    QCOMPARE(worker.exitCode(), 0);

    QProcess impatient;
    // --opt=value as well as --opt value.
    impatient.start(workerPath(), {"--connect=ipc://" + dir.filePath("nobody"), "--wait=0.3"});
    QVERIFY(impatient.waitForFinished(10000));
    QCOMPARE(impatient.exitCode(), 3);
    const QByteArray err = impatient.readAllStandardError();
    QVERIFY2(err.contains("no answer") && err.contains("--wait"), err.constData());
    for (const char* bad : {"0", "-1", "x", "1e9"}) {
      QProcess refused;
      refused.start(workerPath(), {"--connect", endpoint, "--wait", bad});
      QVERIFY(refused.waitForFinished(10000));
      QCOMPARE(refused.exitCode(), 2);
      QVERIFY(refused.readAllStandardError().contains("--wait: '" + QByteArray(bad) + "' is not a number"));
    }
  }

  void refusesOtherProtocolVersion() {
    FakeCoordinator coordinator;
    QProcess worker;
    worker.start(workerPath(), {"--connect", QString::fromStdString(coordinator.endpoint())});
    QVERIFY(worker.waitForStarted(5000));
    auto hello = coordinator.receiveKind(MessageKind::Hello, 5000);
    QVERIFY(hello);
    Message welcome = Message::withJson(MessageKind::Welcome, {{"worker_id", 1}});
    welcome.version = kProtocolVersion + 1;
    coordinator.send(hello->identity, std::move(welcome));
    auto error = coordinator.receiveKind(MessageKind::Error, 5000);
    QVERIFY(error);
    QCOMPARE((*error->message.jsonPayload())["code"].get<std::string>(), std::string("version_mismatch"));
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitCode(), 4);
  }

  void badCommandLineExitsTwo() {
    QProcess worker;
    worker.start(workerPath(), {"--connect", "nonsense"});
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitCode(), 2);
    QVERIFY(worker.readAllStandardError().contains("endpoint"));
    // Each refused with a reason on stderr and exit 2, before anything connects.
    const QList<std::pair<QStringList, QByteArray>> refusals = {
        {{"--connect=nonsense"}, "endpoint"},
        {{"--connect", "tcp://127.0.0.1:9", "--id=-1"}, "--id: '-1' is not an integer from 0"},
        {{"--connect", "tcp://127.0.0.1:9", "--id=7x"}, "--id: '7x'"},
        {{"--connect="}, "--connect= has no value after '='"},
        {{"--connect"}, "--connect needs a value"},
        {{"--connect", "tcp://127.0.0.1:9", "stray"}, "unexpected argument 'stray'"},
        {{"--connect", "tcp://127.0.0.1:9", "--frobnicate=1"}, "unknown option '--frobnicate=1'"},
        {{"--connect", "tcp://127.0.0.1:9", "--key-file", "k.json", "--join-token", "-"},
         "--key-file and --join-token exclude each other"},
    };
    for (const auto& [arguments, reason] : refusals) {
      QProcess refused;
      refused.start(workerPath(), arguments);
      QVERIFY(refused.waitForFinished(5000));
      const QByteArray err = refused.readAllStandardError();
      QVERIFY2(refused.exitCode() == 2, qPrintable(arguments.join(' ') + ": " + err));
      QVERIFY2(err.startsWith("distopt-worker: ") && err.contains(reason), qPrintable(arguments.join(' ') + ": " + err));
    }
  }

  void headerRoundTripAndDecoderRejections() {
    Message original = Message::of(MessageKind::Stop);
    original.seq = 0xA1B2C3D4;
    const std::string header = encodeHeader(original);
    QCOMPARE(header.size(), kHeaderSize);
    QCOMPARE(header.substr(0, 4), std::string("DOPT"));
    QCOMPARE(static_cast<unsigned char>(header[6]), static_cast<unsigned char>(6));  // kind, LE
    QCOMPARE(static_cast<unsigned char>(header[12]), static_cast<unsigned char>(0xD4));  // seq, LE

    std::vector<zmq::message_t> frames;
    frames.emplace_back(header.data(), header.size());
    DecodeError error;
    auto decoded = decode(std::move(frames), &error);
    QVERIFY(decoded);
    QCOMPARE(decoded->seq, 0xA1B2C3D4u);
    QVERIFY(decoded->kind == MessageKind::Stop);

    std::vector<zmq::message_t> none;
    QVERIFY(!decode(std::move(none), &error));
    QVERIFY(error == DecodeError::NoFrames);

    std::string unknown = header;
    unknown[6] = 99;
    std::vector<zmq::message_t> bad;
    bad.emplace_back(unknown.data(), unknown.size());
    QVERIFY(!decode(std::move(bad), &error));
    QVERIFY(error == DecodeError::UnknownKind);
  }
};

QTEST_GUILESS_MAIN(TestWorkerSession)
#include "test_worker_session.moc"
