#include "core/kronecker/kron_protocol.hpp"

#include <bit>
#include <cstring>

namespace distopt::kron {

static_assert(std::endian::native == std::endian::little,
              "the Kronecker codec writes host order = little-endian");

namespace {

class Writer {
 public:
  Writer(MessageType type, std::uint64_t iteration, std::size_t total) {
    m_bytes.reserve(total);
    put<std::uint8_t>(static_cast<std::uint8_t>(type));
    for (int i = 0; i < 7; ++i) put<std::uint8_t>(0);
    put<std::uint64_t>(iteration);
  }
  template <typename T>
  void put(T value) {
    const auto at = m_bytes.size();
    m_bytes.resize(at + sizeof(T));
    std::memcpy(m_bytes.data() + at, &value, sizeof(T));
  }
  template <typename T>
  void putAll(const T* values, std::size_t count) {
    const auto at = m_bytes.size();
    m_bytes.resize(at + sizeof(T) * count);
    if (count > 0) std::memcpy(m_bytes.data() + at, values, sizeof(T) * count);
  }
  Bytes take() { return std::move(m_bytes); }

 private:
  Bytes m_bytes;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}
  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, m_bytes.data() + m_at, sizeof(T));
    m_at += sizeof(T);
    return value;
  }
  template <typename T>
  void getAll(T* out, std::size_t count) {
    if (count > 0) std::memcpy(out, m_bytes.data() + m_at, sizeof(T) * count);
    m_at += sizeof(T) * count;
  }

 private:
  std::span<const std::uint8_t> m_bytes;
  std::size_t m_at = 0;
};

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

/// Checks the header; returns the iteration field.
bool readHeader(std::span<const std::uint8_t> bytes, MessageType expected, std::uint64_t* iteration,
                std::string* why) {
  if (bytes.size() < kHeaderBytes) return fail(why, "shorter than the 16-byte header");
  if (bytes[0] != static_cast<std::uint8_t>(expected))
    return fail(why, std::string("not a ") + messageTypeName(expected) + " message");
  for (int i = 1; i < 8; ++i)
    if (bytes[static_cast<std::size_t>(i)] != 0) return fail(why, "non-zero header padding");
  std::memcpy(iteration, bytes.data() + 8, 8);
  return true;
}

}  // namespace

const char* messageTypeName(MessageType type) {
  switch (type) {
    case MessageType::Init:
      return "INIT";
    case MessageType::Ready:
      return "READY";
    case MessageType::Start:
      return "START";
    case MessageType::Batch:
      return "BATCH";
    case MessageType::Partial:
      return "PARTIAL";
    case MessageType::Resid:
      return "RESID";
    case MessageType::Loss:
      return "LOSS";
    case MessageType::CoFire:
      return "COFIRE";
    case MessageType::Eval:
      return "EVAL";
    case MessageType::Stats:
      return "STATS";
  }
  return "?";
}

bool peekType(std::span<const std::uint8_t> bytes, MessageType* type) {
  if (bytes.size() < kHeaderBytes || bytes[0] < 1 || bytes[0] > 10) return false;
  *type = static_cast<MessageType>(bytes[0]);
  return true;
}

Bytes encode(const InitMessage& message) {
  Writer w(MessageType::Init, 0, initBytes(message.n, message.d1, message.d2));
  for (const std::uint64_t value : {message.m, message.n, message.d1, message.d2, message.batch})
    w.put(value);
  w.put(message.threshold);
  for (const std::uint64_t value :
       {message.dataSeed, message.modelSeed, message.blockBegin, message.blockEnd})
    w.put(value);
  w.put(message.staleness);
  w.put(message.algorithm);
  w.put(message.index);
  w.put(message.gram);
  w.put<std::uint8_t>(0);
  w.put(message.resyncEvery);
  w.putAll(message.u.data(), static_cast<std::size_t>(message.u.size()));
  w.putAll(message.v.data(), static_cast<std::size_t>(message.v.size()));
  return w.take();
}

Bytes encode(const ReadyMessage& message) {
  Writer w(MessageType::Ready, 0, readyBytes());
  w.put(message.firedPairs);
  return w.take();
}

Bytes encode(const StartMessage& message) {
  Writer w(MessageType::Start, 0, startBytes());
  w.put(message.eta);
  return w.take();
}

Bytes encode(const BatchMessage& message) {
  Writer w(MessageType::Batch, message.iteration, batchBytes(message.indices.size()));
  w.putAll(message.indices.data(), message.indices.size());
  return w.take();
}

Bytes encode(const PartialMessage& message) {
  Writer w(MessageType::Partial, message.iteration, partialBytes(message.sums.size()));
  w.put(message.appliedVersion);
  w.putAll(message.sums.data(), message.sums.size());
  w.putAll(message.counts.data(), message.counts.size());
  return w.take();
}

Bytes encode(const ResidMessage& message) {
  Writer w(MessageType::Resid, message.iteration, residBytes(message.residuals.size()));
  w.putAll(message.residuals.data(), message.residuals.size());
  return w.take();
}

Bytes encode(const LossMessage& message) {
  Writer w(MessageType::Loss, message.version, lossBytes(message.outputSums.size()));
  w.put(message.firedPairs);
  w.putAll(message.outputSums.data(), message.outputSums.size());
  return w.take();
}

Bytes encode(const CoFireMessage& message) {
  Writer w(MessageType::CoFire, message.version, coFireBytes(message.n));
  w.putAll(message.upper.data(), message.upper.size());
  return w.take();
}

Bytes encode(const EvalMessage& message) {
  Writer w(MessageType::Eval, message.version, evalBytes());
  w.put<std::uint64_t>(message.coFire ? 1 : 0);
  return w.take();
}

Bytes encode(const StatsMessage& message) {
  Writer w(MessageType::Stats, message.version, statsBytes());
  w.put(message.nnz);
  w.put(message.updatedNeurons);
  w.put<std::uint64_t>(message.flips.value_or(0));
  w.put<std::uint64_t>(message.flips ? 1 : 0);
  w.put(message.cpuSeconds);
  return w.take();
}

bool decode(std::span<const std::uint8_t> bytes, InitMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Init, &iteration, why)) return false;
  if (bytes.size() < kHeaderBytes + 96) return fail(why, "INIT shorter than its configuration");
  Reader r(bytes.subspan(kHeaderBytes));
  InitMessage m;
  m.m = r.get<std::uint64_t>();
  m.n = r.get<std::uint64_t>();
  m.d1 = r.get<std::uint64_t>();
  m.d2 = r.get<std::uint64_t>();
  m.batch = r.get<std::uint64_t>();
  m.threshold = r.get<double>();
  m.dataSeed = r.get<std::uint64_t>();
  m.modelSeed = r.get<std::uint64_t>();
  m.blockBegin = r.get<std::uint64_t>();
  m.blockEnd = r.get<std::uint64_t>();
  m.staleness = r.get<std::uint32_t>();
  m.algorithm = r.get<std::uint8_t>();
  m.index = r.get<std::uint8_t>();
  m.gram = r.get<std::uint8_t>();
  if (r.get<std::uint8_t>() != 0) return fail(why, "INIT: non-zero padding");
  m.resyncEvery = r.get<std::uint64_t>();
  // Guard the products before trusting them for a size check.
  if (m.n == 0 || m.d1 == 0 || m.d2 == 0 || m.n > (1u << 30) || m.d1 > (1u << 20) || m.d2 > (1u << 20))
    return fail(why, "INIT: implausible n, d1 or d2");
  if (bytes.size() != initBytes(m.n, m.d1, m.d2)) return fail(why, "INIT: length does not match n·(d1 + d2)");
  m.u.resize(static_cast<Eigen::Index>(m.d1), static_cast<Eigen::Index>(m.n));
  m.v.resize(static_cast<Eigen::Index>(m.d2), static_cast<Eigen::Index>(m.n));
  r.getAll(m.u.data(), static_cast<std::size_t>(m.u.size()));
  r.getAll(m.v.data(), static_cast<std::size_t>(m.v.size()));
  out = std::move(m);
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, ReadyMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Ready, &iteration, why)) return false;
  if (bytes.size() != readyBytes()) return fail(why, "READY: wrong length");
  out.firedPairs = Reader(bytes.subspan(kHeaderBytes)).get<std::uint64_t>();
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, StartMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Start, &iteration, why)) return false;
  if (bytes.size() != startBytes()) return fail(why, "START: wrong length");
  out.eta = Reader(bytes.subspan(kHeaderBytes)).get<double>();
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, BatchMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Batch, &iteration, why)) return false;
  const std::size_t payload = bytes.size() - kHeaderBytes;
  if (payload == 0 || payload % 4 != 0) return fail(why, "BATCH: payload is not a non-empty list of u32");
  out.iteration = iteration;
  out.indices.resize(payload / 4);
  Reader(bytes.subspan(kHeaderBytes)).getAll(out.indices.data(), out.indices.size());
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, PartialMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Partial, &iteration, why)) return false;
  if (bytes.size() < kHeaderBytes + 8 + 12 || (bytes.size() - kHeaderBytes - 8) % 12 != 0)
    return fail(why, "PARTIAL: length is not 24 + 12·S");
  const std::size_t s = (bytes.size() - kHeaderBytes - 8) / 12;
  Reader r(bytes.subspan(kHeaderBytes));
  out.iteration = iteration;
  out.appliedVersion = r.get<std::uint64_t>();
  out.sums.resize(s);
  out.counts.resize(s);
  r.getAll(out.sums.data(), s);
  r.getAll(out.counts.data(), s);
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, ResidMessage& out, std::string* why) {
  std::uint64_t iteration = 0;
  if (!readHeader(bytes, MessageType::Resid, &iteration, why)) return false;
  const std::size_t payload = bytes.size() - kHeaderBytes;
  if (payload == 0 || payload % 8 != 0) return fail(why, "RESID: payload is not a non-empty list of f64");
  out.iteration = iteration;
  out.residuals.resize(payload / 8);
  Reader(bytes.subspan(kHeaderBytes)).getAll(out.residuals.data(), out.residuals.size());
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, LossMessage& out, std::string* why) {
  std::uint64_t version = 0;
  if (!readHeader(bytes, MessageType::Loss, &version, why)) return false;
  if (bytes.size() < kHeaderBytes + 16 || (bytes.size() - kHeaderBytes - 8) % 8 != 0)
    return fail(why, "LOSS: length is not 24 + 8·n");
  Reader r(bytes.subspan(kHeaderBytes));
  out.version = version;
  out.firedPairs = r.get<std::uint64_t>();
  out.outputSums.resize((bytes.size() - kHeaderBytes - 8) / 8);
  r.getAll(out.outputSums.data(), out.outputSums.size());
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, CoFireMessage& out, std::string* why) {
  std::uint64_t version = 0;
  if (!readHeader(bytes, MessageType::CoFire, &version, why)) return false;
  const std::size_t payload = bytes.size() - kHeaderBytes;
  if (payload == 0 || payload % 4 != 0) return fail(why, "COFIRE: payload is not a list of u32");
  const std::size_t entries = payload / 4;
  // n(n+1)/2 = entries must have an integer solution.
  std::size_t n = 0;
  while ((n + 1) * (n + 2) / 2 <= entries) ++n;
  if (n * (n + 1) / 2 != entries) return fail(why, "COFIRE: length is not 16 + 2·n(n+1)");
  out.version = version;
  out.n = static_cast<std::uint32_t>(n);
  out.upper.resize(entries);
  Reader(bytes.subspan(kHeaderBytes)).getAll(out.upper.data(), entries);
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, EvalMessage& out, std::string* why) {
  std::uint64_t version = 0;
  if (!readHeader(bytes, MessageType::Eval, &version, why)) return false;
  if (bytes.size() != evalBytes()) return fail(why, "EVAL: wrong length");
  const auto flags = Reader(bytes.subspan(kHeaderBytes)).get<std::uint64_t>();
  if (flags > 1) return fail(why, "EVAL: unknown flag bits");
  out.version = version;
  out.coFire = flags == 1;
  return true;
}

bool decode(std::span<const std::uint8_t> bytes, StatsMessage& out, std::string* why) {
  std::uint64_t version = 0;
  if (!readHeader(bytes, MessageType::Stats, &version, why)) return false;
  if (bytes.size() != statsBytes()) return fail(why, "STATS: wrong length");
  Reader r(bytes.subspan(kHeaderBytes));
  StatsMessage m{.version = version};
  m.nnz = r.get<std::uint64_t>();
  m.updatedNeurons = r.get<std::uint64_t>();
  const auto flips = r.get<std::uint64_t>();
  const auto flags = r.get<std::uint64_t>();
  if (flags > 1) return fail(why, "STATS: unknown flag bits");
  if (flags == 1)
    m.flips = flips;
  else if (flips != 0)
    return fail(why, "STATS: flips without its flag");
  m.cpuSeconds = r.get<double>();
  out = m;
  return true;
}

}  // namespace distopt::kron
