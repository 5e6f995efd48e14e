#include "core/compressed/compressed_roles.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/problems/network_problem.hpp"
#include "core/util/check.hpp"

namespace distopt {

std::uint64_t SegmentLayout::total() const {
  return std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});
}

SegmentLayout SegmentLayout::single(std::uint64_t n) { return SegmentLayout{{n}}; }

SegmentLayout segmentLayoutOf(const Problem& problem) {
  const auto n = static_cast<std::uint64_t>(problem.dimension());
  const auto* network = dynamic_cast<const NetworkProblem*>(&problem);
  if (!network) return SegmentLayout::single(n);
  SegmentLayout layout;
  std::uint64_t in = static_cast<std::uint64_t>(network->numFeatures());
  std::vector<std::uint64_t> widths;
  for (int h : network->layout().hiddenSizes) widths.push_back(static_cast<std::uint64_t>(h));
  widths.push_back(static_cast<std::uint64_t>(network->numClasses()));
  for (std::uint64_t out : widths) {
    layout.sizes.push_back(out * in);
    layout.sizes.push_back(out);
    in = out;
  }
  // The documented layout must account for every parameter; otherwise fall back to one segment.
  if (layout.total() != n) return SegmentLayout::single(n);
  return layout;
}

double StepSchedule::at(std::uint64_t t) const {
  switch (kind) {
    case Kind::Constant:
      return gamma;
    case Kind::InverseTime:
      return gamma * tau / (static_cast<double>(t) + tau);
    case Kind::Step:
      if (2 * t >= totalRounds && 4 * t < 3 * totalRounds) return gamma / 10.0;
      if (4 * t >= 3 * totalRounds) return gamma / 100.0;
      return gamma;
  }
  return gamma;
}

bool StepSchedule::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0) || !std::isfinite(gamma)) return fail("gamma: must be > 0");
  if (kind == Kind::InverseTime && !(tau > 0.0)) return fail("lr_tau: must be > 0");
  if (kind == Kind::Step && totalRounds == 0)
    return fail("lr_schedule: \"step\" needs stop.updates (it divides γ at 50% and 75% of the rounds)");
  return true;
}

void SharedApply::apply(Vector& x, Vector& buffer, const Vector& u, double gammaT) const {
  if (mu == 0.0) {
    if (lambda == 0.0)
      x.noalias() -= gammaT * u;
    else
      x = x - gammaT * (u + lambda * x);
    return;
  }
  if (buffer.size() != x.size()) buffer = Vector::Zero(x.size());
  buffer = mu * buffer + (u + lambda * x);
  x.noalias() -= gammaT * buffer;
}

std::vector<std::uint32_t> topKIndices(const Vector& a, const SegmentLayout& layout,
                                       const std::vector<std::uint64_t>& k) {
  DISTOPT_CHECK(k.size() == layout.sizes.size());
  std::vector<std::uint32_t> selected;
  std::vector<std::uint32_t> candidates;
  std::uint64_t offset = 0;
  for (std::size_t l = 0; l < layout.sizes.size(); ++l) {
    const std::uint64_t size = layout.sizes[l];
    const std::uint64_t kl = std::min(k[l], size);
    candidates.resize(static_cast<std::size_t>(size));
    std::iota(candidates.begin(), candidates.end(), static_cast<std::uint32_t>(offset));
    auto before = [&a](std::uint32_t i, std::uint32_t j) {
      const double ai = std::abs(a[i]);
      const double aj = std::abs(a[j]);
      return ai != aj ? ai > aj : i < j;
    };
    // With a total order, nth_element leaves exactly the kl best in front.
    if (kl > 0 && kl < size)
      std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(kl - 1),
                       candidates.end(), before);
    selected.insert(selected.end(), candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(kl));
    offset += size;
  }
  std::sort(selected.begin(), selected.end());
  return selected;
}

std::vector<std::uint32_t> randKIndices(const SegmentLayout& layout, const std::vector<std::uint64_t>& k,
                                        RandomStream& stream) {
  std::vector<std::uint32_t> selected;
  std::vector<std::uint32_t> pool;
  std::uint64_t offset = 0;
  for (std::size_t l = 0; l < layout.sizes.size(); ++l) {
    const std::uint64_t size = layout.sizes[l];
    const std::uint64_t kl = std::min(k[l], size);
    pool.resize(static_cast<std::size_t>(size));
    std::iota(pool.begin(), pool.end(), static_cast<std::uint32_t>(offset));
    for (std::uint64_t j = 0; j < kl; ++j) {
      const std::uint64_t pick = stream.uniformInt(size - j);
      std::swap(pool[static_cast<std::size_t>(j)], pool[static_cast<std::size_t>(j + pick)]);
    }
    selected.insert(selected.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(kl));
    offset += size;
  }
  std::sort(selected.begin(), selected.end());
  return selected;
}

std::vector<std::uint64_t> perSegmentK(const SegmentLayout& layout, std::uint64_t rhoPpm) {
  std::vector<std::uint64_t> k;
  for (std::uint64_t size : layout.sizes) k.push_back((size * rhoPpm + 999999) / 1000000);
  return k;
}

std::vector<std::uint64_t> spreadK(const SegmentLayout& layout, std::uint64_t total) {
  const std::uint64_t n = layout.total();
  total = std::min(total, n);
  std::vector<std::uint64_t> k(layout.sizes.size());
  std::vector<std::pair<std::uint64_t, std::size_t>> remainders;
  std::uint64_t assigned = 0;
  for (std::size_t l = 0; l < layout.sizes.size(); ++l) {
    const std::uint64_t product = layout.sizes[l] * total;  // both < 2^32
    k[l] = static_cast<std::uint64_t>(product / n);
    remainders.push_back({static_cast<std::uint64_t>(product % n), l});
    assigned += k[l];
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t j = 0; assigned < total; ++j, ++assigned) ++k[remainders[j].second];
  return k;
}

std::uint64_t modelHash(const Vector& x) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(x.data());
  for (std::size_t i = 0; i < static_cast<std::size_t>(x.size()) * sizeof(double); ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::uint64_t splitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void VoteTally::reset(std::uint64_t n) {
  sum.assign(static_cast<std::size_t>(n), 0);
  count.assign(static_cast<std::size_t>(n), 0);
}

void VoteTally::report(RoundReport& report) const {
  std::uint64_t cast = 0;
  std::uint64_t winning = 0;
  std::uint64_t voted = 0;
  double margin = 0.0;
  for (std::size_t i = 0; i < sum.size(); ++i) {
    const std::int64_t n = count[i];
    if (n == 0) continue;
    const std::int64_t plus = (n + sum[i]) / 2;
    cast += static_cast<std::uint64_t>(n);
    winning += static_cast<std::uint64_t>(std::max(plus, n - plus));
    ++voted;
    margin += std::abs(static_cast<double>(sum[i])) / static_cast<double>(n);
  }
  report.hasVotes = true;
  report.voteAgreement = cast > 0 ? static_cast<double>(winning) / static_cast<double>(cast) : 0.0;
  report.voteMargin = voted > 0 ? margin / static_cast<double>(voted) : 0.0;
  report.voteCoverage = sum.empty() ? 0.0 : static_cast<double>(voted) / static_cast<double>(sum.size());
}

}  // namespace distopt
