// The compressed family's wire messages (PROTOCOL.md §10): every kind round-trips, the kind follows the
// codec class, and anything that does not match the protocol — random bytes, truncation, a frame of
// another round, sender or N, a codec the kind does not announce — is refused with a reason, never a
// crash.
#include <QtTest>
#include <random>

#include "core/codec/dense_codec.hpp"
#include "core/codec/sign_codec.hpp"
#include "net/families/compressed/compressed_messages.hpp"

using namespace distopt;
using namespace distopt::net;

namespace {

constexpr std::uint64_t kN = 37;

EncodedMessage someMessage(CodecId codec, std::size_t bytes, std::uint64_t bits, std::uint8_t fill) {
  EncodedMessage message;
  message.codec = codec;
  message.payloadBits = bits;
  message.bytes.assign(bytes, fill);
  return message;
}

/// A copy of `message` whose frames went through the wire encoding and back.
Message throughTheWire(Message&& message) {
  auto frames = encode(std::move(message));
  DecodeError error = DecodeError::None;
  auto decoded = decode(std::move(frames), &error);
  return std::move(*decoded);
}

}  // namespace

class TestCompressedMessages : public QObject {
  Q_OBJECT

 private slots:
  void roundOrdersRoundTrip() {
    RoundOrder start{.round = 0, .startTime = 0.0, .downlink = std::nullopt};
    Message first = throughTheWire(makeRoundOrder(start, kN));
    QCOMPARE(first.kind, MessageKind::CompRoundStart);
    RoundOrder parsed;
    std::string why;
    QVERIFY2(parseRoundOrder(first, kN, &parsed, &why), why.c_str());
    QCOMPARE(parsed.round, std::uint64_t{0});
    QVERIFY(!parsed.downlink);

    const EncodedMessage down = someMessage(CodecId::TernT2, 10, 74, 0x5A);
    Message next =
        throughTheWire(makeRoundOrder(RoundOrder{.round = 7, .startTime = 3.25, .downlink = down}, kN));
    QCOMPARE(next.kind, MessageKind::CompDownTernary);
    QVERIFY2(parseRoundOrder(next, kN, &parsed, &why), why.c_str());
    QCOMPARE(parsed.round, std::uint64_t{7});
    QCOMPARE(parsed.startTime, 3.25);
    QVERIFY(parsed.downlink.has_value());
    QCOMPARE(parsed.downlink->codec, CodecId::TernT2);
    QCOMPARE(parsed.downlink->payloadBits, std::uint64_t{74});
    QVERIFY(parsed.downlink->bytes == down.bytes);
  }

  void uplinksRoundTripWithTheirAccounting() {
    UplinkReport report;
    report.round = 12;
    report.tauTarget = 1.5;
    report.computeTime = 0.004;
    report.lowerBoundBits = 61.25;
    report.message = someMessage(CodecId::SparseSignRice, 9, 70, 0xC3);
    Message message = throughTheWire(makeUplink(report, kN, 3));
    QCOMPARE(message.kind, MessageKind::CompUpSparseSign);
    // Sizes exactly as PROTOCOL.md §10: 32-byte meta, then the 32-byte §3.1 header and the payload.
    QCOMPARE(message.payload.size(), std::size_t{2});
    QCOMPARE(message.payload[0].size(), kUplinkMetaSize);
    QCOMPARE(message.payload[1].size(), kCompressedHeaderSize + 9);
    UplinkReport parsed;
    std::string why;
    QVERIFY2(parseUplink(message, kN, 3, &parsed, &why), why.c_str());
    QCOMPARE(parsed.round, std::uint64_t{12});
    QCOMPARE(parsed.tauTarget, 1.5);
    QCOMPARE(parsed.computeTime, 0.004);
    QCOMPARE(parsed.message.lowerBoundBits, 61.25);
    QCOMPARE(parsed.message.codec, CodecId::SparseSignRice);
    QVERIFY(parsed.message.bytes == report.message.bytes);
  }

  void replicaHashRoundTrips() {
    Message message = throughTheWire(makeReplicaHash(200, 0x0123456789ABCDEFull, kN, 5));
    std::uint64_t round = 0;
    std::uint64_t hash = 0;
    std::string why;
    QVERIFY2(parseReplicaHash(message, kN, 5, &round, &hash, &why), why.c_str());
    QCOMPARE(round, std::uint64_t{200});
    QCOMPARE(hash, 0x0123456789ABCDEFull);
    QVERIFY(!parseReplicaHash(throughTheWire(makeReplicaHash(200, 1, kN, 5)), kN, 4, &round, &hash, &why));
  }

  void framesThatDoNotMatchTheirMessageAreRefused() {
    UplinkReport report;
    report.round = 4;
    report.message = someMessage(CodecId::Sign1, 5, kN, 0xFF);
    std::string why;
    UplinkReport parsed;
    // Another sender, another N.
    QVERIFY(!parseUplink(throughTheWire(makeUplink(report, kN, 1)), kN, 2, &parsed, &why));
    QVERIFY(!parseUplink(throughTheWire(makeUplink(report, kN, 1)), kN + 1, 1, &parsed, &why));
    // The kind announces a codec class the frame does not carry.
    Message wrongKind = throughTheWire(makeUplink(report, kN, 1));
    wrongKind.kind = MessageKind::CompUpDenseF32;
    QVERIFY(!parseUplink(wrongKind, kN, 1, &parsed, &why));
    QVERIFY(why.find("codec") != std::string::npos);
    // A downlink whose §3.1 iteration is not round - 1.
    Message order = throughTheWire(makeRoundOrder(
        RoundOrder{.round = 5, .startTime = 0.0, .downlink = someMessage(CodecId::Sign1, 5, kN, 1)}, kN));
    auto* iteration = static_cast<std::uint8_t*>(order.payload[1].data()) + 8;
    iteration[0] = 9;
    RoundOrder parsedOrder;
    QVERIFY(!parseRoundOrder(order, kN, &parsedOrder, &why));
    // A payload whose length does not hold payload_bits.
    Message shortPayload = throughTheWire(makeUplink(report, kN, 1));
    shortPayload.payload[1] =
        zmq::message_t(shortPayload.payload[1].data(), shortPayload.payload[1].size() - 1);
    QVERIFY(!parseUplink(shortPayload, kN, 1, &parsed, &why));
  }

  void randomAndTruncatedFramesNeverCrash() {
    std::mt19937_64 random(7);
    UplinkReport report;
    report.round = 3;
    report.message = someMessage(CodecId::QsgdElias, 17, 131, 0x42);
    int refused = 0;
    int trials = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      Message message = throughTheWire(
          trial % 2
              ? makeUplink(report, kN, 0)
              : makeRoundOrder(RoundOrder{.round = 3, .startTime = 1.0, .downlink = report.message}, kN));
      // Truncate or scribble over one frame.
      auto& frame = message.payload[random() % message.payload.size()];
      if (trial % 3 == 0) {
        frame = zmq::message_t(frame.data(), frame.size() ? random() % frame.size() : 0);
      } else {
        auto* bytes = static_cast<std::uint8_t*>(frame.data());
        for (int k = 0; k < 4 && frame.size(); ++k)
          bytes[random() % frame.size()] = static_cast<std::uint8_t>(random());
      }
      if (trial % 5 == 0) message.payload.pop_back();
      std::string why;
      UplinkReport up;
      RoundOrder down;
      std::uint64_t round = 0;
      std::uint64_t hash = 0;
      const bool ok = parseUplink(message, kN, 0, &up, &why) || parseRoundOrder(message, kN, &down, &why) ||
                      parseReplicaHash(message, kN, 0, &round, &hash, &why);
      refused += ok ? 0 : 1;
      ++trials;
    }
    // Scribbles over payload bytes are legal messages; truncations and lost frames are not.
    QVERIFY2(refused > trials / 3, std::to_string(refused).c_str());
  }
};

QTEST_GUILESS_MAIN(TestCompressedMessages)
#include "test_compressed_messages.moc"
