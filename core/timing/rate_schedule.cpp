#include "core/timing/rate_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/util/check.hpp"

namespace distopt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

RateSchedule RateSchedule::constant(double rate) {
  DISTOPT_CHECK(std::isfinite(rate) && rate >= 0.0);
  RateSchedule schedule;
  schedule.m_pieces.push_back(Piece{0.0, rate});
  return schedule;
}

RateSchedule::RateSchedule(std::vector<Piece> pieces) {
  DISTOPT_CHECK(isValidPieces(pieces, nullptr));
  for (const Piece& piece : pieces)
    if (m_pieces.empty() || m_pieces.back().rate != piece.rate) m_pieces.push_back(piece);
}

bool RateSchedule::isValidPieces(const std::vector<Piece>& pieces, std::string* why) {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (pieces.empty()) return fail("must have at least one [time, rate] entry");
  if (pieces.front().start != 0.0) return fail("entry 0 must start at time 0");
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    const std::string entry = "entry " + std::to_string(k);
    if (!std::isfinite(pieces[k].start)) return fail(entry + ": time must be finite");
    if (k > 0 && !(pieces[k].start > pieces[k - 1].start))
      return fail(entry + ": times must be strictly increasing");
    if (!(std::isfinite(pieces[k].rate) && pieces[k].rate >= 0.0))
      return fail(entry + ": rate must be a finite number >= 0");
  }
  return true;
}

std::size_t RateSchedule::pieceIndex(double t) const {
  const auto after = std::upper_bound(m_pieces.begin(), m_pieces.end(), t,
                                      [](double value, const Piece& piece) { return value < piece.start; });
  return after == m_pieces.begin() ? 0 : static_cast<std::size_t>(after - m_pieces.begin()) - 1;
}

double RateSchedule::pieceEnd(std::size_t k) const {
  return k + 1 < m_pieces.size() ? m_pieces[k + 1].start : kInf;
}

double RateSchedule::rateAt(double t) const { return m_pieces[pieceIndex(t)].rate; }

double RateSchedule::integral(double from, double to) const {
  if (!(to > from)) return 0.0;
  double total = 0.0;
  for (std::size_t k = pieceIndex(from); k < m_pieces.size(); ++k) {
    const double lo = std::max(from, k == 0 ? from : m_pieces[k].start);
    const double hi = std::min(to, pieceEnd(k));
    if (hi > lo && m_pieces[k].rate > 0.0) total += m_pieces[k].rate * (hi - lo);
    if (pieceEnd(k) >= to) break;
  }
  return total;
}

double RateSchedule::timeToAccumulate(double from, double amount) const {
  DISTOPT_CHECK(std::isfinite(from) && amount >= 0.0);
  if (amount == 0.0) return from;
  double now = from;
  double remaining = amount;
  for (std::size_t k = pieceIndex(from);; ++k) {
    const double rate = m_pieces[k].rate;
    const double end = pieceEnd(k);
    if (rate > 0.0) {
      const double capacity = end == kInf ? kInf : rate * (end - now);
      // Clamped to the piece so rounding cannot push the finish past a following outage's start.
      if (capacity >= remaining) return std::min(now + remaining / rate, end);
      remaining -= capacity;
    } else if (end == kInf) {
      return kInf;
    }
    now = end;
  }
}

RateSchedule RateSchedule::withOutage(double from, double to) const {
  DISTOPT_CHECK(std::isfinite(from) && from < to);
  std::vector<double> breaks;
  for (const Piece& piece : m_pieces) breaks.push_back(piece.start);
  if (from > 0.0) breaks.push_back(from);
  if (std::isfinite(to) && to > 0.0) breaks.push_back(to);
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  std::vector<Piece> pieces;
  for (double start : breaks)
    pieces.push_back(Piece{start, start >= from && start < to ? 0.0 : rateAt(start)});
  return RateSchedule(std::move(pieces));
}

}  // namespace distopt
