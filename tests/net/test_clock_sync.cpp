// Clock offsets from heartbeats (net/PROTOCOL.md §4.3): the estimator recovers a known offset from
// exchanges with queueing noise, trusts the shortest round trip, refuses impossible exchanges; the
// HEARTBEAT clock frame round-trips and malformed ones are refused.
#include <QtTest>
#include <random>

#include "net/coordinator/clock_sync.hpp"
#include "net/protocol/heartbeat_messages.hpp"

using namespace distopt::net;

namespace {

/// One simulated exchange: worker clock = coordinator clock + offset; the probe takes `down` ns, the
/// answer `up` ns, the worker holds it `hold` ns.
void exchange(ClockSync& sync, std::int64_t t0, std::int64_t offset, std::int64_t down, std::int64_t hold,
              std::int64_t up) {
  const std::int64_t t1 = t0 + down + offset;  // worker clock
  const std::int64_t t2 = t1 + hold;
  const std::int64_t t3 = t0 + down + hold + up;  // coordinator clock
  QVERIFY(sync.addExchange(t0, t2, hold, t3));
}

}  // namespace

class TestClockSync : public QObject {
  Q_OBJECT

 private slots:
  void symmetricPathGivesTheExactOffset() {
    ClockSync sync;
    QVERIFY(!sync.valid());
    QCOMPARE(sync.offsetSeconds(), 0.0);
    const std::int64_t offset = 3'600'000'000'000LL;  // the other machine booted an hour earlier
    exchange(sync, 1'000'000, offset, 40'000'000, 2'000'000, 40'000'000);
    QVERIFY(sync.valid());
    QCOMPARE(sync.offsetSeconds(), 3600.0);
    QCOMPARE(sync.roundTripSeconds(), 0.080);
    QCOMPARE(sync.toCoordinatorSeconds(3600.5), 0.5);
  }

  void theShortestRoundTripWinsOverQueueing() {
    ClockSync sync;
    const std::int64_t offset = -250'000'000;  // worker clock 0.25 s behind
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> queue(1.0 / 20e6);  // mean 20 ms of one-sided queueing
    std::int64_t t0 = 5'000'000'000;
    for (int i = 0; i < 40; ++i, t0 += 1'000'000'000) {
      // Base path 1 ms each way; queueing on the uplink only (a worker busy sending gradients), which
      // skews every exchange's own offset estimate.
      const auto extra = static_cast<std::int64_t>(queue(rng));
      exchange(sync, t0, offset, 1'000'000, 500'000, 1'000'000 + extra);
    }
    // Within the window's best exchange: its queueing was the smallest of the last 16.
    QVERIFY2(std::abs(sync.offsetSeconds() - (-0.25)) < 0.004,
             qPrintable(QString::number(sync.offsetSeconds())));
    QVERIFY(sync.roundTripSeconds() < 0.010);
    QCOMPARE(sync.exchanges(), std::size_t{40});
    // A single exchange with 200 ms of one-way queueing would be off by 100 ms: the filter keeps it out.
    exchange(sync, t0, offset, 1'000'000, 500'000, 201'000'000);
    QVERIFY(std::abs(sync.offsetSeconds() - (-0.25)) < 0.004);
  }

  void impossibleExchangesAreIgnored() {
    ClockSync sync;
    // The answer "arrived" before the probe left (minus the hold): a negative round trip.
    QVERIFY(!sync.addExchange(1'000'000'000, 5, 10'000'000, 1'005'000'000));
    QVERIFY(!sync.addExchange(1'000, 2'000, -1, 3'000));
    QVERIFY(!sync.valid());
  }

  void clockFrameRoundTrip() {
    const ClockMeta sent{.sentNs = 123'456'789'012, .echoNs = 98'765, .holdNs = 4'321};
    const Message message = makeClockHeartbeat(sent);
    QCOMPARE(message.kind, MessageKind::Heartbeat);
    QCOMPARE(message.payload.size(), std::size_t{1});
    QCOMPARE(message.payload.front().size(), kClockMetaSize);
    // Little-endian at the documented offsets.
    const auto* bytes = static_cast<const unsigned char*>(message.payload.front().data());
    QCOMPARE(bytes[8], static_cast<unsigned char>(98'765 & 0xFF));
    QCOMPARE(bytes[16], static_cast<unsigned char>(4'321 & 0xFF));
    std::optional<ClockMeta> parsed;
    std::string why;
    QVERIFY2(parseHeartbeat(message, &parsed, &why), why.c_str());
    QVERIFY(parsed);
    QCOMPARE(parsed->sentNs, sent.sentNs);
    QCOMPARE(parsed->echoNs, sent.echoNs);
    QCOMPARE(parsed->holdNs, sent.holdNs);
    QVERIFY(!parsed->isProbe());
    // A plain heartbeat has no clock frame, and is fine.
    QVERIFY(parseHeartbeat(makeHeartbeat(), &parsed, &why));
    QVERIFY(!parsed);
  }

  void malformedClockFramesAreRefused() {
    std::optional<ClockMeta> parsed;
    std::string why;
    Message shortFrame = Message::of(MessageKind::Heartbeat);
    shortFrame.payload.emplace_back(23);
    QVERIFY(!parseHeartbeat(shortFrame, &parsed, &why));
    QVERIFY(why.find("24") != std::string::npos);
    Message twoFrames = makeClockHeartbeat({});
    twoFrames.payload.emplace_back(24);
    QVERIFY(!parseHeartbeat(twoFrames, &parsed, &why));
    QVERIFY(!parseHeartbeat(makeClockHeartbeat({.sentNs = -5, .echoNs = 0, .holdNs = 0}), &parsed, &why));
  }
};

QTEST_GUILESS_MAIN(TestClockSync)
#include "test_clock_sync.moc"
