#include "net/coordinator/clock_sync.hpp"

#include <algorithm>

namespace distopt::net {

bool ClockSync::addExchange(std::int64_t probeSent, std::int64_t answerSent, std::int64_t hold,
                            std::int64_t answerReceived) {
  const std::int64_t roundTrip = (answerReceived - probeSent) - hold;
  if (roundTrip < 0 || hold < 0) return false;
  const std::int64_t probeReceived = answerSent - hold;  // worker clock
  // ((t1 - t0) + (t2 - t3)) / 2: the mean of the two one-way differences, exact for a symmetric path.
  const std::int64_t offset = ((probeReceived - probeSent) + (answerSent - answerReceived)) / 2;
  m_window.push_back({offset, roundTrip});
  if (m_window.size() > kWindow) m_window.pop_front();
  ++m_exchanges;
  return true;
}

const ClockSync::Exchange* ClockSync::best() const {
  if (m_window.empty()) return nullptr;
  return &*std::min_element(m_window.begin(), m_window.end(), [](const Exchange& a, const Exchange& b) {
    return a.roundTripNs < b.roundTripNs;
  });
}

double ClockSync::offsetSeconds() const {
  const Exchange* exchange = best();
  return exchange ? static_cast<double>(exchange->offsetNs) * 1e-9 : 0.0;
}

double ClockSync::roundTripSeconds() const {
  const Exchange* exchange = best();
  return exchange ? static_cast<double>(exchange->roundTripNs) * 1e-9 : 0.0;
}

}  // namespace distopt::net
