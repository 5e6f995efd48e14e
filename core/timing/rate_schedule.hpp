#pragma once
// A piecewise-constant compute rate p(t) >= 0 (gradients per time unit) for the universal computation
// model (docs/papers.md, async-sgd §3 TM-5, §2.3): p(t) = rate_k on [t_k, t_{k+1}), the last rate holding
// forever; outages are pieces with rate 0. All integrals are exact sums over pieces, so a job's
// completion time is exact up to one rounding per piece crossed (exact for dyadic inputs).

#include <string>
#include <vector>

namespace distopt {

class RateSchedule {
 public:
  struct Piece {
    double start = 0.0;  ///< t_k (time units)
    double rate = 0.0;   ///< rate_k (gradients per time unit), >= 0
  };

  /// p(t) = rate for every t; rate finite and >= 0.
  static RateSchedule constant(double rate);
  /// Requires isValidPieces(pieces). Adjacent pieces with equal rates are merged.
  explicit RateSchedule(std::vector<Piece> pieces);
  /// First start 0, starts finite and strictly increasing, rates finite and >= 0; on failure *why
  /// says which entry (0-based) is wrong.
  static bool isValidPieces(const std::vector<Piece>& pieces, std::string* why);

  /// p(t); before 0 the first rate extends backwards.
  double rateAt(double t) const;
  /// Integral of p over [from, to] (0 when to <= from); +inf never occurs for finite bounds.
  double integral(double from, double to) const;
  /// The first t >= from with integral(from, t) = amount (amount >= 0), or +inf if p stays 0 before
  /// that much work is done.
  double timeToAccumulate(double from, double amount) const;
  /// This schedule with p = 0 on [from, to); `to` may be +inf (a worker that stops for good).
  /// Requires from < to.
  RateSchedule withOutage(double from, double to) const;
  /// True when p is the same at every t.
  bool isConstant() const { return m_pieces.size() == 1; }
  const std::vector<Piece>& pieces() const { return m_pieces; }

 private:
  RateSchedule() = default;
  /// Index of the piece holding t (0 for t before the first start).
  std::size_t pieceIndex(double t) const;
  /// End of piece k (+inf for the last one).
  double pieceEnd(std::size_t k) const;

  std::vector<Piece> m_pieces;
};

}  // namespace distopt
