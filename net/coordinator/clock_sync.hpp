#pragma once
// ClockSync: one worker's clock offset as the coordinator estimates it from clock probes (NTP's
// four-timestamp exchange over heartbeats, net/PROTOCOL.md §4.3). Remote timestamps (a GRAD's
// worker_clock) are turned into coordinator time with it, so every chart runs on one clock.
//
// Queueing delay only ever lengthens a round trip and skews its offset estimate, so of the last
// kWindow exchanges the one with the shortest round trip is trusted (the classic minimum filter).

#include <cstddef>
#include <cstdint>
#include <deque>

namespace distopt::net {

class ClockSync {
 public:
  static constexpr std::size_t kWindow = 16;

  /// One exchange, all in nanoseconds: the probe left the coordinator at `probeSent` (coordinator
  /// clock); the worker held it `hold` and answered at `answerSent` (worker clock); the answer arrived
  /// at `answerReceived` (coordinator clock). False (ignored) when the numbers are impossible: a
  /// negative round trip.
  bool addExchange(std::int64_t probeSent, std::int64_t answerSent, std::int64_t hold,
                   std::int64_t answerReceived);

  bool valid() const { return !m_window.empty(); }
  /// Worker clock minus coordinator clock, seconds (0 before the first exchange).
  double offsetSeconds() const;
  /// The round trip of the exchange the offset comes from, seconds.
  double roundTripSeconds() const;
  /// A time on the worker's clock (seconds since its epoch) on the coordinator's clock.
  double toCoordinatorSeconds(double workerSeconds) const { return workerSeconds - offsetSeconds(); }
  std::size_t exchanges() const { return m_exchanges; }

 private:
  struct Exchange {
    std::int64_t offsetNs;
    std::int64_t roundTripNs;
  };
  const Exchange* best() const;

  std::deque<Exchange> m_window;
  std::size_t m_exchanges = 0;
};

}  // namespace distopt::net
