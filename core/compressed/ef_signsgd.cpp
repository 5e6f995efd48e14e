#include "core/compressed/ef_signsgd.hpp"

#include <cmath>

#include "core/codec/sign_codec.hpp"
#include "core/util/check.hpp"

namespace distopt {

bool EfSignSgdOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!step.isValid(why)) return false;
  if (!(beta >= 0.0 && beta < 1.0)) return fail("beta: must be in [0, 1)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  return true;
}

namespace {

// Scaled sign of p per segment: the message and its decoded value Δ.
EncodedMessage scaledSign(const Vector& p, const SegmentLayout& layout, Vector& decoded) {
  std::vector<float> scales;
  decoded.resize(p.size());
  Eigen::Index offset = 0;
  for (std::uint64_t size : layout.sizes) {
    const auto length = static_cast<Eigen::Index>(size);
    const float scale = static_cast<float>(p.segment(offset, length).lpNorm<1>() / static_cast<double>(size));
    scales.push_back(scale);
    for (Eigen::Index i = offset; i < offset + length; ++i)
      decoded[i] = p[i] < 0.0 ? -double(scale) : double(scale);
    offset += length;
  }
  return encodeScaledSign(scales, p);
}

bool decodeScaled(const EncodedMessage& message, const SegmentLayout& layout, Vector& out, std::string* why) {
  std::vector<float> scales;
  std::vector<std::int8_t> signs;
  if (!decodeScaledSign(message, layout.total(), layout.sizes.size(), scales, signs, why)) return false;
  out.resize(static_cast<Eigen::Index>(layout.total()));
  Eigen::Index i = 0;
  for (std::size_t l = 0; l < layout.sizes.size(); ++l)
    for (std::uint64_t j = 0; j < layout.sizes[l]; ++j, ++i)
      out[i] = signs[static_cast<std::size_t>(i)] * double(scales[l]);
  return true;
}

struct EfReplica {
  EfSignSgdOptions options;
  SegmentLayout layout;
  Vector u;
  bool apply(Vector& x, const EncodedMessage& message, std::string* why) {
    const bool ok = options.serverEf ? decodeScaled(message, layout, u, why)
                                     : decodeDenseF32(message, static_cast<std::uint64_t>(x.size()), u, why);
    if (!ok) return false;
    x -= u;
    return true;
  }
};

class EfSignWorker final : public CompressedWorker {
 public:
  EfSignWorker(const EfSignSgdOptions& options, const SegmentLayout& layout, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, layout, {}} {}

  EncodedMessage compress(const Vector& gradient, std::uint64_t t) override {
    const auto& options = m_replica.options;
    Vector d = gradient + options.lambda * m_x;
    if (options.beta > 0.0) {
      m_buffer = m_buffer.size() == 0 ? d : Vector(options.beta * m_buffer + d);
      d = m_buffer;
    }
    if (m_memory.size() != d.size()) m_memory = Vector::Zero(d.size());
    m_memory += options.step.at(t) * d;  // p
    Vector decoded;
    EncodedMessage message = scaledSign(m_memory, m_replica.layout, decoded);
    m_memory -= decoded;
    return message;
  }

  bool applyDownlink(const EncodedMessage& message, std::uint64_t, std::string* why) override {
    return m_replica.apply(m_x, message, why);
  }
  const Vector* memory() const override { return m_memory.size() > 0 ? &m_memory : nullptr; }

 private:
  EfReplica m_replica;
  Vector m_buffer;
  Vector m_memory;
};

class EfSignServer final : public CompressedServer {
 public:
  EfSignServer(const EfSignSgdOptions& options, const SegmentLayout& layout, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0),
        m_replica{options, layout, {}},
        m_received(static_cast<std::size_t>(numWorkers)) {}

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    return decodeScaled(message, m_replica.layout, m_received[static_cast<std::size_t>(worker)], why);
  }

  EncodedMessage finishRound(std::uint64_t, RoundReport& report) override {
    Vector u = Vector::Zero(m_x.size());
    for (const Vector& delta : m_received) u += delta;
    u /= static_cast<double>(m_numWorkers);
    EncodedMessage down;
    if (m_replica.options.serverEf) {
      if (m_memory.size() != u.size()) m_memory = Vector::Zero(u.size());
      m_memory += u;  // q
      Vector decoded;
      down = scaledSign(m_memory, m_replica.layout, decoded);
      m_memory -= decoded;
    } else {
      down = encodeDenseF32(u);
    }
    report.downNonzeroFraction = 1.0;
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, &why), why.c_str());
    return down;
  }

 private:
  EfReplica m_replica;
  std::vector<Vector> m_received;
  Vector m_memory;
};

}  // namespace

CompressedMethod makeEfSignSgd(const EfSignSgdOptions& options, const SegmentLayout& layout, int numWorkers,
                               const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr) && layout.total() == static_cast<std::uint64_t>(x0.size()));
  const SegmentLayout scaleLayout =
      options.scope == TopKScope::Global ? SegmentLayout::single(layout.total()) : layout;
  return {
      .name = "ef-signsgd",
      .makeWorker =
          [options, scaleLayout, x0](int) {
            return std::unique_ptr<CompressedWorker>(new EfSignWorker(options, scaleLayout, x0));
          },
      .makeServer =
          [options, scaleLayout, numWorkers, x0]() {
            return std::unique_ptr<CompressedServer>(new EfSignServer(options, scaleLayout, numWorkers, x0));
          }};
}

}  // namespace distopt
