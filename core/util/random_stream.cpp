#include "core/util/random_stream.hpp"

#include <array>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {
namespace {

std::uint64_t splitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t hashStreamKey(const StreamKey& key) {
  // Chained SplitMix64 finalisers: each field changes every output bit, and fields are not
  // interchangeable (worker 1 / job 2 differs from worker 2 / job 1).
  std::uint64_t state = key.runSeed;
  std::uint64_t h = splitMix64(state);
  const std::array<std::uint64_t, 3> fields = {static_cast<std::uint64_t>(key.purpose), key.worker, key.job};
  for (std::uint64_t field : fields) {
    state = h ^ field;
    h = splitMix64(state);
  }
  return h;
}

RandomStream::RandomStream(const StreamKey& key) { seedFrom(hashStreamKey(key)); }

RandomStream RandomStream::fromSeed(std::uint64_t seed) {
  RandomStream stream;
  stream.seedFrom(seed);
  return stream;
}

void RandomStream::seedFrom(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : m_s) word = splitMix64(state);
}

std::uint64_t RandomStream::next() {
  const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
  const std::uint64_t t = m_s[1] << 17;
  m_s[2] ^= m_s[0];
  m_s[3] ^= m_s[1];
  m_s[1] ^= m_s[2];
  m_s[0] ^= m_s[3];
  m_s[2] ^= t;
  m_s[3] = rotl(m_s[3], 45);
  return result;
}

double RandomStream::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t RandomStream::uniformInt(std::uint64_t bound) {
  DISTOPT_CHECK(bound > 0);
  // Lemire's multiply-shift with rejection: exact and mostly division-free.
  __extension__ using Uint128 = unsigned __int128;
  Uint128 m = static_cast<Uint128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<Uint128>(next()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::normal() {
  if (m_hasSpare) {
    m_hasSpare = false;
    return m_spareNormal;
  }
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  m_spareNormal = v * factor;
  m_hasSpare = true;
  return u * factor;
}

}  // namespace distopt
