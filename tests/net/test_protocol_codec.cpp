// Wire codec (net/PROTOCOL.md §2-§8): every message kind through encode -> frames -> decode -> parse with
// every field checked; the byte layout of the header, the JOB/CANCEL/GRAD meta frames and the vector
// prefix, written out offset by offset from the protocol text; float32 vectors; and seeded random,
// mutated and truncated inputs that the decoder and the strict parsers must refuse with a reason,
// never crash on.
#include <QtTest>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/codec/dense_codec.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"

using namespace distopt;
using namespace distopt::net;
using nlohmann::json;

namespace {

/// Copies of the frames' bytes, as a receiver would see them after the wire (no shared buffers).
std::vector<zmq::message_t> overTheWire(std::vector<zmq::message_t>&& frames) {
  std::vector<zmq::message_t> copies;
  for (const auto& frame : frames) copies.emplace_back(frame.data(), frame.size());
  return copies;
}

/// Message -> frames -> bytes -> decoded Message.
std::optional<Message> roundTrip(Message&& message, DecodeError* error = nullptr) {
  DecodeError local = DecodeError::None;
  auto decoded = decode(overTheWire(encode(std::move(message))), error ? error : &local);
  return decoded;
}

std::string bytesOf(const zmq::message_t& frame) {
  return std::string(static_cast<const char*>(frame.data()), frame.size());
}

// Little-endian readers written independently of the code under test.
std::uint64_t le(const std::string& bytes, std::size_t offset, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes.at(offset + i))) << (8 * i);
  return value;
}
double leDouble(const std::string& bytes, std::size_t offset) { return std::bit_cast<double>(le(bytes, offset, 8)); }
float leFloat(const std::string& bytes, std::size_t offset) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(le(bytes, offset, 4)));
}

Vector ramp(Eigen::Index d) {
  Vector x(d);
  for (Eigen::Index i = 0; i < d; ++i) x[i] = 0.5 * static_cast<double>(i) - 3.0 + 1.0 / (1.0 + static_cast<double>(i));
  return x;
}

Message jsonMessage(MessageKind kind, const json& body, std::uint32_t seq) {
  Message message = Message::withJson(kind, body);
  message.seq = seq;
  return message;
}

/// Round trip of a one-JSON-frame message: kind, seq, version, flags and the body.
void checkJsonRoundTrip(MessageKind kind, const json& body, std::uint32_t seq) {
  auto decoded = roundTrip(jsonMessage(kind, body, seq));
  QVERIFY2(decoded, messageKindName(kind));
  QCOMPARE(decoded->kind, kind);
  QCOMPARE(decoded->version, kProtocolVersion);
  QCOMPARE(decoded->flags, 0u);
  QCOMPARE(decoded->seq, seq);
  QCOMPARE(decoded->payload.size(), std::size_t{1});
  auto parsed = decoded->jsonPayload();
  QVERIFY(parsed);
  QVERIFY2(*parsed == body, parsed->dump().c_str());
  QVERIFY(!decoded->jsonPayload(1));  // no second frame
}

/// Runs every parser on `message`; each must either accept or refuse with a non-empty reason.
/// Returns how many accepted.
int exerciseParsers(const Message& message, std::int64_t dimension) {
  int accepted = 0;
  JobMeta job;
  GradMeta grad;
  Vector vector;
  std::uint64_t jobId = 0;
  for (const std::int64_t expected : {dimension, std::int64_t{-1}}) {
    std::string why;
    if (parseJob(message, expected, &job, &vector, &why)) ++accepted;
    else if (why.empty()) QTest::qFail("parseJob refused without a reason", __FILE__, __LINE__);
    why.clear();
    if (parseGrad(message, expected, &grad, &vector, &why)) ++accepted;
    else if (why.empty()) QTest::qFail("parseGrad refused without a reason", __FILE__, __LINE__);
  }
  std::string why;
  if (parseCancel(message, &jobId, &why)) ++accepted;
  else if (why.empty()) QTest::qFail("parseCancel refused without a reason", __FILE__, __LINE__);
  for (std::size_t i = 0; i <= message.payload.size(); ++i) (void)message.jsonPayload(i);
  return accepted;
}

}  // namespace

class TestProtocolCodec : public QObject {
  Q_OBJECT

 private slots:
  // ---- round trips of every kind ----

  void controlMessagesRoundTrip() {
    checkJsonRoundTrip(MessageKind::Hello,
                       {{"worker_id", 7}, {"protocol", 1}, {"program_version", "0.1.0"}, {"host", "node-3"},
                        {"cores", 8}, {"pid", 4242}},
                       0);
    checkJsonRoundTrip(MessageKind::Hello,
                       {{"worker_id", nullptr}, {"protocol", 1}, {"program_version", "x"}, {"host", "h"},
                        {"cores", 1}, {"pid", 1}},
                       1);
    checkJsonRoundTrip(MessageKind::Welcome, {{"worker_id", 3}, {"heartbeat_ms", 1000}, {"liveness", 3}}, 2);
    checkJsonRoundTrip(MessageKind::Stop, {{"reason", "time_limit"}}, 3);
    checkJsonRoundTrip(MessageKind::Assign,
                       {{"worker_id", 3}, {"workers", 32}, {"seed", 1}, {"unit_ms", 5.0},
                        {"base_directory", "/abs/dir"},
                        {"experiment", {{"name", "e3"}, {"problem", {{"name", "quadratic"}, {"params", {{"d", 1729}}}}}}}},
                       4);
    checkJsonRoundTrip(MessageKind::Ready, {{"dimension", 1729}, {"shard_size", 0}, {"setup_seconds", 0.0125}}, 5);
    checkJsonRoundTrip(MessageKind::Error, {{"code", "bad_assignment"}, {"message", "problem.params.train: ünïcode"}},
                       0xFFFFFFFFu);
  }

  void payloadFreeAndEchoRoundTrip() {
    for (const MessageKind kind : {MessageKind::Heartbeat, MessageKind::Stop}) {
      Message message = Message::of(kind);
      message.seq = 77;
      auto decoded = roundTrip(std::move(message));
      QVERIFY(decoded);
      QCOMPARE(decoded->kind, kind);
      QCOMPARE(decoded->seq, 77u);
      QVERIFY(decoded->payload.empty());
      QVERIFY(!decoded->jsonPayload());
    }
    // ECHO: any number of frames of any content, byte for byte, including empty frames and NULs.
    const std::vector<std::string> frames = {std::string("\x00\x01\xff\x7f", 4), std::string(), std::string(1000, 'z'),
                                             std::string("DOPT\x01\x00", 6)};
    for (const MessageKind kind : {MessageKind::EchoRequest, MessageKind::EchoReply}) {
      Message message = Message::of(kind);
      message.seq = 9;
      for (const auto& frame : frames) message.payload.emplace_back(frame.data(), frame.size());
      auto decoded = roundTrip(std::move(message));
      QVERIFY(decoded);
      QCOMPARE(decoded->kind, kind);
      QCOMPARE(decoded->payload.size(), frames.size());
      for (std::size_t i = 0; i < frames.size(); ++i) QCOMPARE(bytesOf(decoded->payload[i]), frames[i]);
    }
    QCOMPARE(std::string(messageKindName(MessageKind::EchoRequest)), std::string("ECHO_REQUEST"));
    QCOMPARE(std::string(messageKindName(MessageKind::Grad)), std::string("GRAD"));
    QCOMPARE(std::string(messageKindName(static_cast<MessageKind>(99))), std::string("UNKNOWN"));
  }

  void jobRoundTrip() {
    const Vector model = ramp(37);
    JobMeta meta;
    meta.jobId = 0x0102030405060708ULL;
    meta.version = 123456789012ULL;
    meta.startTime = 17.25;
    meta.gradients = 6;
    meta.tauOverride = 2.5;
    Message message = makeJob(meta, encodeVectorFrame(model));
    message.seq = 41;
    auto decoded = roundTrip(std::move(message));
    QVERIFY(decoded);
    QCOMPARE(decoded->kind, MessageKind::Job);
    QCOMPARE(decoded->seq, 41u);
    JobMeta parsed;
    Vector received;
    std::string why;
    QVERIFY2(parseJob(*decoded, 37, &parsed, &received, &why), why.c_str());
    QCOMPARE(parsed.jobId, meta.jobId);
    QCOMPARE(parsed.version, meta.version);
    QCOMPARE(parsed.startTime, meta.startTime);
    QCOMPARE(parsed.gradients, meta.gradients);
    QCOMPARE(parsed.tauOverride, meta.tauOverride);
    QVERIFY(received == model);  // float64: bit exact
    // Any dimension accepted with -1; NaN tau_override (the default: "none") survives as NaN.
    JobMeta defaults;
    auto again = roundTrip(makeJob(defaults, encodeVectorFrame(model)));
    QVERIFY(again);
    QVERIFY2(parseJob(*again, -1, &parsed, &received, &why), why.c_str());
    QVERIFY(std::isnan(parsed.tauOverride));
    QCOMPARE(parsed.gradients, 1u);
    QCOMPARE(parsed.jobId, std::uint64_t{0});
  }

  void cancelRoundTrip() {
    for (const std::uint64_t id : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}}) {
      Message message = makeCancel(id);
      message.seq = 5;
      auto decoded = roundTrip(std::move(message));
      QVERIFY(decoded);
      QCOMPARE(decoded->kind, MessageKind::Cancel);
      std::uint64_t parsed = 12345;
      std::string why;
      QVERIFY2(parseCancel(*decoded, &parsed, &why), why.c_str());
      QCOMPARE(parsed, id);
    }
  }

  void gradRoundTrip() {
    const Vector gradient = ramp(1729);
    GradMeta meta;
    meta.jobId = 99;
    meta.version = 98;
    meta.tauTarget = 3.75;
    meta.elapsed = 0.01875;
    meta.computeTime = 1.5e-4;
    meta.workerClock = 123456.789;
    Message message = makeGrad(meta, gradient);
    message.seq = 1000;
    auto decoded = roundTrip(std::move(message));
    QVERIFY(decoded);
    QCOMPARE(decoded->kind, MessageKind::Grad);
    QCOMPARE(decoded->seq, 1000u);
    GradMeta parsed;
    Vector received;
    std::string why;
    QVERIFY2(parseGrad(*decoded, 1729, &parsed, &received, &why), why.c_str());
    QCOMPARE(parsed.jobId, meta.jobId);
    QCOMPARE(parsed.version, meta.version);
    QCOMPARE(parsed.tauTarget, meta.tauTarget);
    QCOMPARE(parsed.elapsed, meta.elapsed);
    QCOMPARE(parsed.computeTime, meta.computeTime);
    QCOMPARE(parsed.workerClock, meta.workerClock);
    QVERIFY(received == gradient);
  }

  // The worker's in-place paths: the model viewed where it arrived, the gradient computed into a frame
  // started with beginFloat64Frame; both must match the copying builders and parsers byte for byte.
  void inPlaceJobAndGradFrames() {
    const Vector model = ramp(300);
    JobMeta meta;
    meta.jobId = 7;
    meta.version = 6;
    auto decoded = roundTrip(makeJob(meta, encodeVectorFrame(model)));
    QVERIFY(decoded);
    JobMeta parsed;
    DenseFrameView view;
    std::string why;
    QVERIFY2(parseJobView(*decoded, 300, &parsed, &view, &why), why.c_str());
    QCOMPARE(parsed.jobId, meta.jobId);
    Vector scratch;
    QVERIFY(view.view(scratch) == model);
    QCOMPARE(scratch.size(), Eigen::Index{0});  // float64: nothing converted
    QVERIFY(!parseJobView(*decoded, 301, &parsed, &view, &why));

    zmq::message_t frame(denseFrameSize(300, VectorEncoding::DenseFloat64));
    Eigen::Map<Vector>(beginFloat64Frame(300, frame.data()), 300) = model;
    const zmq::message_t reference = encodeVectorFrame(model);
    QCOMPARE(frame.size(), reference.size());
    QVERIFY(std::memcmp(frame.data(), reference.data(), frame.size()) == 0);
    GradMeta gradMeta;
    gradMeta.jobId = 3;
    auto grad = roundTrip(makeGrad(gradMeta, std::move(frame)));
    QVERIFY(grad);
    GradMeta parsedGrad;
    Vector received;
    QVERIFY2(parseGrad(*grad, 300, &parsedGrad, &received, &why), why.c_str());
    QCOMPARE(parsedGrad.jobId, gradMeta.jobId);
    QVERIFY(received == model);
  }

  void otherVersionStillDecodes() {
    // PROTOCOL.md §8: a different version decodes; the receiver refuses it with version_mismatch.
    Message message = Message::of(MessageKind::Hello);
    message.version = 2;
    message.flags = 0xA5A5A5A5u;  // reserved: carried, ignored
    auto decoded = roundTrip(std::move(message));
    QVERIFY(decoded);
    QCOMPARE(decoded->version, std::uint16_t{2});
    QCOMPARE(decoded->kind, MessageKind::Hello);
    QCOMPARE(decoded->flags, 0xA5A5A5A5u);
  }

  // ---- byte layout against PROTOCOL.md ----

  void headerLayout() {
    Message message = Message::of(MessageKind::Grad);
    message.seq = 0x0A0B0C0Du;
    const std::string header = encodeHeader(message);
    QCOMPARE(header.size(), std::size_t{16});
    QCOMPARE(kHeaderSize, std::size_t{16});
    QCOMPARE(header.substr(0, 4), std::string("DOPT"));
    QCOMPARE(static_cast<unsigned char>(header[0]), static_cast<unsigned char>(0x44));
    QCOMPARE(le(header, 4, 2), std::uint64_t{1});   // version
    QCOMPARE(le(header, 6, 2), std::uint64_t{11});  // kind GRAD
    QCOMPARE(le(header, 8, 4), std::uint64_t{0});   // flags
    QCOMPARE(le(header, 12, 4), std::uint64_t{0x0A0B0C0Du});
    QCOMPARE(static_cast<unsigned char>(header[12]), static_cast<unsigned char>(0x0D));  // little-endian

    // encode() puts the same header first and the payload after, unchanged.
    auto frames = encode(Message::withJson(MessageKind::Ready, {{"dimension", 3}}));
    QCOMPARE(frames.size(), std::size_t{2});
    QCOMPARE(le(bytesOf(frames[0]), 6, 2), std::uint64_t{8});
    QCOMPARE(bytesOf(frames[1]), std::string(R"({"dimension":3})"));

    // Kind numbers as in §3.
    const std::pair<MessageKind, int> kinds[] = {
        {MessageKind::Hello, 1},        {MessageKind::Welcome, 2}, {MessageKind::Heartbeat, 3},
        {MessageKind::EchoRequest, 4},  {MessageKind::EchoReply, 5}, {MessageKind::Stop, 6},
        {MessageKind::Assign, 7},       {MessageKind::Ready, 8},   {MessageKind::Job, 9},
        {MessageKind::Cancel, 10},      {MessageKind::Grad, 11},   {MessageKind::Error, 15}};
    for (const auto& [kind, number] : kinds) {
      QCOMPARE(le(encodeHeader(Message::of(kind)), 6, 2), static_cast<std::uint64_t>(number));
    }
  }

  void jobMetaLayout() {
    JobMeta meta;
    meta.jobId = 0x1122334455667788ULL;
    meta.version = 0x0102030405060708ULL;
    meta.startTime = -1234.5;
    meta.gradients = 0xCAFEBABEu;
    meta.tauOverride = 6.0;
    auto frames = encode(makeJob(meta, encodeVectorFrame(ramp(3))));
    QCOMPARE(frames.size(), std::size_t{3});
    const std::string bytes = bytesOf(frames[1]);
    QCOMPARE(bytes.size(), std::size_t{40});
    QCOMPARE(kJobMetaSize, std::size_t{40});
    QCOMPARE(le(bytes, 0, 8), meta.jobId);
    QCOMPARE(static_cast<unsigned char>(bytes[0]), static_cast<unsigned char>(0x88));
    QCOMPARE(le(bytes, 8, 8), meta.version);
    QCOMPARE(leDouble(bytes, 16), -1234.5);
    QCOMPARE(le(bytes, 24, 4), std::uint64_t{0xCAFEBABEu});
    QCOMPARE(le(bytes, 28, 4), std::uint64_t{0});  // reserved
    QCOMPARE(leDouble(bytes, 32), 6.0);
    // "none" is NaN on the wire.
    auto none = encode(makeJob(JobMeta{}, encodeVectorFrame(ramp(1))));
    QVERIFY(std::isnan(leDouble(bytesOf(none[1]), 32)));
  }

  void cancelMetaLayout() {
    auto frames = encode(makeCancel(0x8877665544332211ULL));
    QCOMPARE(frames.size(), std::size_t{2});
    const std::string bytes = bytesOf(frames[1]);
    QCOMPARE(bytes.size(), std::size_t{8});
    QCOMPARE(kCancelMetaSize, std::size_t{8});
    QCOMPARE(static_cast<unsigned char>(bytes[0]), static_cast<unsigned char>(0x11));
    QCOMPARE(le(bytes, 0, 8), std::uint64_t{0x8877665544332211ULL});
    QCOMPARE(le(bytesOf(frames[0]), 6, 2), std::uint64_t{10});
  }

  void gradMetaLayout() {
    GradMeta meta;
    meta.jobId = 0x0000000100000002ULL;
    meta.version = 0xFFFFFFFFFFFFFFFEULL;
    meta.tauTarget = 1.0 / 3.0;
    meta.elapsed = 2.0;
    meta.computeTime = 0.125;
    meta.workerClock = 1.0e9 + 0.5;
    auto frames = encode(makeGrad(meta, ramp(5)));
    QCOMPARE(frames.size(), std::size_t{3});
    const std::string bytes = bytesOf(frames[1]);
    QCOMPARE(bytes.size(), std::size_t{48});
    QCOMPARE(kGradMetaSize, std::size_t{48});
    QCOMPARE(le(bytes, 0, 8), meta.jobId);
    QCOMPARE(le(bytes, 8, 8), meta.version);
    QCOMPARE(leDouble(bytes, 16), 1.0 / 3.0);
    QCOMPARE(leDouble(bytes, 24), 2.0);
    QCOMPARE(leDouble(bytes, 32), 0.125);
    QCOMPARE(leDouble(bytes, 40), 1.0e9 + 0.5);
  }

  void vectorFrameLayout() {
    const Vector x = ramp(300);
    const std::string dense = bytesOf(encodeVectorFrame(x));
    QCOMPARE(dense.size(), std::size_t{8 + 300 * 8});
    QCOMPARE(denseFrameSize(300, VectorEncoding::DenseFloat64), dense.size());
    QCOMPARE(static_cast<unsigned char>(dense[0]), static_cast<unsigned char>(1));  // dense float64
    QCOMPARE(le(dense, 1, 3), std::uint64_t{0});                                    // reserved
    QCOMPARE(le(dense, 4, 4), std::uint64_t{300});                                  // count
    QCOMPARE(static_cast<unsigned char>(dense[5]), static_cast<unsigned char>(1));  // 300 = 0x012C, LE
    for (int i = 0; i < 300; ++i) QCOMPARE(leDouble(dense, 8 + 8 * static_cast<std::size_t>(i)), x[i]);

    // A count above 2^16 uses all four count bytes.
    const std::string wide = bytesOf(encodeVectorFrame(Vector::Zero(70000)));
    QCOMPARE(le(wide, 4, 4), std::uint64_t{70000});

    // The GRAD's vector frame is the same frame.
    auto frames = encode(makeGrad(GradMeta{}, x));
    QCOMPARE(bytesOf(frames[2]), dense);
    // The empty vector: the prefix alone.
    const std::string empty = bytesOf(encodeVectorFrame(Vector(0)));
    QCOMPARE(empty.size(), std::size_t{8});
    QCOMPARE(le(empty, 4, 4), std::uint64_t{0});
  }

  void float32Vectors() {
    Vector x(6);
    x << 0.5, -1.25, 0.1, 1e-50, 3.0e38, -0.0;
    const std::string frame = bytesOf(encodeVectorFrame(x, VectorEncoding::DenseFloat32));
    QCOMPARE(frame.size(), std::size_t{8 + 6 * 4});
    QCOMPARE(denseFrameSize(6, VectorEncoding::DenseFloat32), frame.size());
    QCOMPARE(static_cast<unsigned char>(frame[0]), static_cast<unsigned char>(2));
    QCOMPARE(le(frame, 1, 3), std::uint64_t{0});
    QCOMPARE(le(frame, 4, 4), std::uint64_t{6});
    for (int i = 0; i < 6; ++i) QCOMPARE(leFloat(frame, 8 + 4 * static_cast<std::size_t>(i)), static_cast<float>(x[i]));
    QCOMPARE(le(frame, 8, 4), std::uint64_t{0x3F000000u});  // 0.5f
    QCOMPARE(le(frame, 12, 4), std::uint64_t{0xBFA00000u}); // -1.25f

    Vector decoded;
    std::string why;
    QVERIFY2(readDenseFrame(frame.data(), frame.size(), 6, decoded, &why), why.c_str());
    QCOMPARE(decoded.size(), Eigen::Index{6});
    QCOMPARE(decoded[0], 0.5);
    QCOMPARE(decoded[1], -1.25);
    QCOMPARE(decoded[2], static_cast<double>(0.1f));  // rounded to float, then widened exactly
    QVERIFY(decoded[2] != 0.1);
    QCOMPARE(decoded[3], 0.0);  // underflows in float32
    QCOMPARE(decoded[4], static_cast<double>(3.0e38f));
    QVERIFY(std::signbit(decoded[5]));

    // A GRAD in float32 parses the same way.
    GradMeta meta;
    meta.jobId = 4;
    auto message = roundTrip(makeGrad(meta, x, VectorEncoding::DenseFloat32));
    QVERIFY(message);
    GradMeta parsedMeta;
    Vector parsed;
    QVERIFY2(parseGrad(*message, 6, &parsedMeta, &parsed, &why), why.c_str());
    QVERIFY(parsed == decoded);
    QCOMPARE(parsedMeta.jobId, std::uint64_t{4});
  }

  // ---- refusals, each with a reason ----

  void decoderRefusals() {
    DecodeError error = DecodeError::None;
    QVERIFY(!decode({}, &error));
    QCOMPARE(error, DecodeError::NoFrames);

    auto single = [](const std::string& bytes) {
      std::vector<zmq::message_t> frames;
      frames.emplace_back(bytes.data(), bytes.size());
      return frames;
    };
    QVERIFY(!decode(single(std::string(15, 'D')), &error));
    QCOMPARE(error, DecodeError::BadHeaderSize);
    QVERIFY(!decode(single(std::string()), &error));
    QCOMPARE(error, DecodeError::BadHeaderSize);
    const std::string good = encodeHeader(Message::of(MessageKind::Heartbeat));
    QVERIFY(!decode(single(good + "x"), &error));
    QCOMPARE(error, DecodeError::BadHeaderSize);
    std::string badMagic = good;
    badMagic[3] = 'X';
    QVERIFY(!decode(single(badMagic), &error));
    QCOMPARE(error, DecodeError::BadMagic);
    // Every kind the table does not list is unknown (the families' ranges fill up as drivers land).
    std::vector<int> unknown = {0xFFFF, static_cast<int>(kKindSlots), 200};
    for (int kind = 0; kind < static_cast<int>(kKindSlots); ++kind)
      if (std::string(messageKindName(static_cast<MessageKind>(kind))) == "UNKNOWN") unknown.push_back(kind);
    QVERIFY(unknown.size() > 4);
    for (const auto& info : messageKinds()) {
      std::string header = good;
      header[6] = static_cast<char>(static_cast<int>(info.kind) & 0xff);
      header[7] = static_cast<char>((static_cast<int>(info.kind) >> 8) & 0xff);
      QVERIFY2(decode(single(header), &error), info.name);
    }
    for (const int kind : unknown) {
      std::string header = good;
      header[6] = static_cast<char>(kind & 0xff);
      header[7] = static_cast<char>((kind >> 8) & 0xff);
      QVERIFY2(!decode(single(header), &error), std::to_string(kind).c_str());
      QCOMPARE(error, DecodeError::UnknownKind);
    }
    QVERIFY(decode(single(good), &error));
    QCOMPARE(error, DecodeError::None);
    QVERIFY(decode(single(good), nullptr));  // error pointer is optional
    for (const auto e : {DecodeError::None, DecodeError::NoFrames, DecodeError::BadHeaderSize, DecodeError::BadMagic,
                         DecodeError::UnknownKind})
      QVERIFY(std::string(decodeErrorName(e)).size() > 0);
  }

  void jsonPayloadRefusals() {
    for (const std::string& text : {std::string("[1,2]"), std::string("3"), std::string("{\"a\":"), std::string(),
                                    std::string("\xff\xfe{}", 4), std::string("{} {}")}) {
      Message message = Message::of(MessageKind::Ready);
      message.payload.emplace_back(text.data(), text.size());
      auto decoded = roundTrip(std::move(message));
      QVERIFY(decoded);
      QVERIFY2(!decoded->jsonPayload(), text.c_str());
    }
  }

  void parserRefusals_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("expectedReason");
    QTest::newRow("job: wrong kind") << 0 << "expected JOB";
    QTest::newRow("job: 1 frame") << 1 << "payload frames";
    QTest::newRow("job: 3 frames") << 2 << "payload frames";
    QTest::newRow("job: meta 39 bytes") << 3 << "meta frame must be 40";
    QTest::newRow("job: meta 41 bytes") << 4 << "meta frame must be 40";
    QTest::newRow("job: gradients 0") << 5 << "gradients";
    QTest::newRow("job: wrong dimension") << 6 << "expected 10";
    QTest::newRow("job: vector one byte short") << 7 << "does not hold";
    QTest::newRow("job: vector one byte long") << 8 << "does not hold";
    QTest::newRow("job: encoding 0") << 9 << "unknown vector encoding 0";
    QTest::newRow("job: encoding 3") << 10 << "unknown vector encoding 3";
    QTest::newRow("job: vector shorter than prefix") << 11 << "prefix";
    QTest::newRow("grad: wrong kind") << 12 << "expected GRAD";
    QTest::newRow("grad: meta 47 bytes") << 13 << "meta frame must be 48";
    QTest::newRow("grad: 1 frame") << 14 << "payload frames";
    QTest::newRow("grad: wrong dimension") << 15 << "expected 10";
    QTest::newRow("grad: huge count, tiny frame") << 16 << "does not hold";
    QTest::newRow("grad: float32 size for float64 count") << 17 << "does not hold";
    QTest::newRow("cancel: wrong kind") << 18 << "expected CANCEL";
    QTest::newRow("cancel: meta 9 bytes") << 19 << "meta frame must be 8";
    QTest::newRow("cancel: no frame") << 20 << "payload frames";
    QTest::newRow("cancel: 2 frames") << 21 << "payload frames";
  }

  void parserRefusals() {
    QFETCH(int, which);
    QFETCH(QString, expectedReason);
    const Vector x = ramp(10);
    auto job = [&] { return makeJob(JobMeta{}, encodeVectorFrame(x)); };
    auto grad = [&] { return makeGrad(GradMeta{}, x); };
    auto frameOf = [](const std::string& bytes) { return zmq::message_t(bytes.data(), bytes.size()); };
    auto resized = [](const zmq::message_t& frame, std::size_t size) {
      std::string bytes(static_cast<const char*>(frame.data()), std::min(size, frame.size()));
      bytes.resize(size, '\0');
      return zmq::message_t(bytes.data(), bytes.size());
    };

    Message message;
    switch (which) {
      case 0: message = grad(); break;  // a GRAD handed to the JOB parser
      case 1: message = job(); message.payload.pop_back(); break;
      case 2: message = job(); message.payload.emplace_back(); break;
      case 3: message = job(); message.payload[0] = resized(message.payload[0], 39); break;
      case 4: message = job(); message.payload[0] = resized(message.payload[0], 41); break;
      case 5: {
        JobMeta meta;
        meta.gradients = 0;
        message = makeJob(meta, encodeVectorFrame(x));
        break;
      }
      case 6: message = makeJob(JobMeta{}, encodeVectorFrame(ramp(11))); break;
      case 7: message = job(); message.payload[1] = resized(message.payload[1], 8 + 80 - 1); break;
      case 8: message = job(); message.payload[1] = resized(message.payload[1], 8 + 80 + 1); break;
      case 9:
      case 10: {
        message = job();
        std::string bytes = bytesOf(message.payload[1]);
        bytes[0] = static_cast<char>(which == 9 ? 0 : 3);
        message.payload[1] = frameOf(bytes);
        break;
      }
      case 11: message = job(); message.payload[1] = resized(message.payload[1], 7); break;
      case 12: message = job(); break;
      case 13: message = grad(); message.payload[0] = resized(message.payload[0], 47); break;
      case 14: message = grad(); message.payload.pop_back(); break;
      case 15: message = makeGrad(GradMeta{}, ramp(9)); break;
      case 16: {
        message = grad();
        std::string prefix("\x01\x00\x00\x00\xff\xff\xff\xff", 8);
        message.payload[1] = frameOf(prefix);
        break;
      }
      case 17: {
        message = makeGrad(GradMeta{}, ramp(20), VectorEncoding::DenseFloat32);
        std::string bytes = bytesOf(message.payload[1]);  // 8 + 80 bytes: right size for 10 doubles...
        bytes[0] = 1;                                     // ...but it says count 20
        message.payload[1] = frameOf(bytes);
        break;
      }
      case 18: message = job(); break;
      case 19: message = makeCancel(1); message.payload[0] = resized(message.payload[0], 9); break;
      case 20: message = makeCancel(1); message.payload.clear(); break;
      case 21: message = makeCancel(1); message.payload.emplace_back(); break;
      default: QFAIL("no such row");
    }
    // Through the wire first: the parsers see what a receiver sees.
    const MessageKind kind = message.kind;
    auto decoded = roundTrip(std::move(message));
    QVERIFY(decoded);
    QCOMPARE(decoded->kind, kind);

    std::string why;
    JobMeta jobMeta;
    GradMeta gradMeta;
    Vector out;
    std::uint64_t id = 0;
    // Rows 16 and 17 check the size rule alone (any dimension accepted).
    const std::int64_t expected = which == 17 || which == 16 ? -1 : 10;
    bool ok = true;
    if (which <= 11) ok = parseJob(*decoded, expected, &jobMeta, &out, &why);
    else if (which <= 17) ok = parseGrad(*decoded, expected, &gradMeta, &out, &why);
    else ok = parseCancel(*decoded, &id, &why);
    QVERIFY2(!ok, "accepted a malformed message");
    QVERIFY2(QString::fromStdString(why).contains(expectedReason), why.c_str());
  }

  void refusalLeavesOutputsUntouched() {
    // A refused GRAD must not half-fill the caller's meta (the coordinator keeps its last gradient).
    GradMeta meta;
    meta.jobId = 555;
    Vector out = Vector::Constant(3, 7.0);
    GradMeta sent;
    sent.jobId = 1;
    auto message = roundTrip(makeGrad(sent, ramp(4)));
    QVERIFY(message);
    std::string why;
    QVERIFY(!parseGrad(*message, 3, &meta, &out, &why));
    QCOMPARE(meta.jobId, std::uint64_t{555});
  }

  // ---- random and truncated input ----

  void randomFramesNeverCrash() {
    std::mt19937_64 rng(20240611);
    auto uniform = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
    auto randomBytes = [&](std::size_t size) {
      std::string bytes(size, '\0');
      for (auto& b : bytes) b = static_cast<char>(rng() & 0xff);
      return bytes;
    };
    const std::string validHeaders[] = {encodeHeader(Message::of(MessageKind::Job)),
                                        encodeHeader(Message::of(MessageKind::Grad)),
                                        encodeHeader(Message::of(MessageKind::Cancel)),
                                        encodeHeader(Message::of(MessageKind::Hello))};
    int decoded = 0;
    int refused = 0;
    int parsedOk = 0;
    for (int round = 0; round < 4000; ++round) {
      std::vector<zmq::message_t> frames;
      const std::size_t count = uniform(6);
      for (std::size_t f = 0; f < count; ++f) {
        std::string bytes;
        const std::size_t shape = uniform(8);
        if (f == 0 && shape < 4) {
          bytes = validHeaders[shape];  // a plausible header, maybe damaged below
          if (uniform(3) == 0) bytes[uniform(16)] = static_cast<char>(rng() & 0xff);
        } else if (shape == 4) {
          bytes = randomBytes(40 + uniform(2) * 8);  // meta-sized
        } else if (shape == 5) {
          // A vector prefix with a random encoding and count, and a random body.
          bytes = randomBytes(8 + uniform(100));
          bytes[0] = static_cast<char>(uniform(4));
        } else {
          bytes = randomBytes(uniform(70));
        }
        frames.emplace_back(bytes.data(), bytes.size());
      }
      DecodeError error = DecodeError::None;
      auto message = decode(std::move(frames), &error);
      if (!message) {
        QVERIFY(error != DecodeError::None);
        ++refused;
        continue;
      }
      QCOMPARE(error, DecodeError::None);
      ++decoded;
      parsedOk += exerciseParsers(*message, 5);
      if (QTest::currentTestFailed()) return;
    }
    // The generator must have reached both sides of the decoder.
    QVERIFY2(decoded > 500, std::to_string(decoded).c_str());
    QVERIFY2(refused > 500, std::to_string(refused).c_str());
    qInfo("random frames: %d decoded, %d refused by the decoder, %d accepted by a parser", decoded, refused, parsedOk);
  }

  void truncatedAndMutatedValidMessages() {
    std::mt19937_64 rng(7);
    auto uniform = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
    const Eigen::Index d = 12;
    const Vector x = ramp(d);
    JobMeta jobMeta;
    jobMeta.jobId = 3;
    GradMeta gradMeta;
    gradMeta.jobId = 3;
    auto valid = [&](int which) {
      switch (which) {
        case 0: return encode(makeJob(jobMeta, encodeVectorFrame(x)));
        case 1: return encode(makeGrad(gradMeta, x));
        case 2: return encode(makeGrad(gradMeta, x, VectorEncoding::DenseFloat32));
        default: return encode(makeCancel(3));
      }
    };
    int truncations = 0;
    int mutations = 0;
    for (int round = 0; round < 3000; ++round) {
      const int which = static_cast<int>(uniform(4));
      std::vector<std::string> frames;
      for (const auto& frame : valid(which)) frames.push_back(bytesOf(frame));
      const std::size_t mode = uniform(4);
      bool mustRefuse = false;
      if (mode == 0) {
        // Truncate one frame by at least one byte.
        const std::size_t f = uniform(frames.size());
        if (frames[f].empty()) continue;
        frames[f].resize(uniform(frames[f].size()));
        mustRefuse = true;
        ++truncations;
      } else if (mode == 1) {
        // Drop trailing frames.
        frames.resize(uniform(frames.size()));
        mustRefuse = true;
        ++truncations;
      } else if (mode == 2) {
        // Extend one payload frame or append an extra frame.
        if (uniform(2) == 0 && frames.size() > 1) frames[1 + uniform(frames.size() - 1)].push_back('\0');
        else frames.emplace_back(uniform(20), 'q');
        mustRefuse = true;
        ++truncations;
      } else {
        // Flip random bytes anywhere (may or may not stay valid).
        for (int flips = 1 + static_cast<int>(uniform(4)); flips > 0; --flips) {
          auto& frame = frames[uniform(frames.size())];
          if (!frame.empty()) frame[uniform(frame.size())] ^= static_cast<char>(1 + uniform(255));
        }
        ++mutations;
      }
      std::vector<zmq::message_t> wire;
      for (const auto& frame : frames) wire.emplace_back(frame.data(), frame.size());
      DecodeError error = DecodeError::None;
      auto message = decode(std::move(wire), &error);
      if (!message) continue;
      const int accepted = exerciseParsers(*message, d);
      if (QTest::currentTestFailed()) return;
      if (mustRefuse) {
        // No parser may accept a truncated or padded JOB/GRAD/CANCEL (with the right dimension; with
        // "any dimension" a shortened vector whose count byte was hit could still be consistent, but
        // truncation changes the size without changing the count, so it never is).
        QVERIFY2(accepted == 0, ("accepted a damaged message, mode " + std::to_string(mode) + " kind " +
                                 std::to_string(which)).c_str());
      }
    }
    QVERIFY(truncations > 1500);
    QVERIFY(mutations > 500);
  }
};

QTEST_GUILESS_MAIN(TestProtocolCodec)
#include "test_protocol_codec.moc"
