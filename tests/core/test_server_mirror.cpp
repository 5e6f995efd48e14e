// AsyncServer with a ModelMirror (the live coordinator keeps the model in the next JOB's frame): the
// same models bit for bit as without one, the mirror's storage holds each new model, model() catches up
// when asked, a refused (non-finite) step leaves the model as it was, and removing the mirror brings the
// model home.

#include <QtTest>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "core/async_sgd/asgd.hpp"
#include "core/util/chunk_helper.hpp"

using namespace distopt;

namespace {

class NullSink final : public ActionSink {
 public:
  void sendJob(const JobOrder& order) override { orders.push_back(order); }
  void cancelJob(int, std::uint64_t) override {}
  void record(const OutcomeRecord&) override {}
  std::vector<JobOrder> orders;
};

class FixedGradient final : public GradientSource {
 public:
  explicit FixedGradient(Vector g) : m_g(std::move(g)) {}
  Eigen::Ref<const Vector> value() override { return m_g; }

 private:
  Vector m_g;
};

// Storage 8 bytes past a 16-byte boundary, as in a frame; every version gets its own, and every one is
// kept, so a test can look at any of them.
class RecordingMirror final : public ModelMirror {
 public:
  explicit RecordingMirror(Eigen::Index d) : m_d(d) {}
  double* mirrorStorage(std::uint64_t version) override {
    auto& buffer = m_buffers.emplace_back(static_cast<std::size_t>(m_d) + 4, -1.0);
    versions.push_back(version);
    double* data = buffer.data();
    if (reinterpret_cast<std::uintptr_t>(data) % 16 == 0) ++data;
    pointers.push_back(data);
    return data;
  }
  Vector stored(std::size_t i) const { return Eigen::Map<const Vector>(pointers[i], m_d); }
  std::vector<std::uint64_t> versions;
  std::vector<double*> pointers;

 private:
  Eigen::Index m_d;
  std::vector<std::vector<double>> m_buffers;
};

Vector ramp(Eigen::Index d, double scale) {
  Vector v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = scale * (std::sin(0.37 * static_cast<double>(i)) + 0.01 * i);
  return v;
}

bool sameBits(const Vector& a, const Vector& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * 8) == 0;
}

// Worker 0's job is answered with gradient g(step) each time.
void step(AsgdServer& server, NullSink& sink, const Vector& g) {
  FixedGradient gradient(g);
  const JobOrder order = sink.orders.back();
  server.receive({.worker = 0, .jobId = order.jobId, .version = order.version, .gradient = &gradient}, sink);
}

}  // namespace

class TestServerMirror : public QObject {
  Q_OBJECT

 private slots:
  void mirroredStepsGiveTheSameModels() {
    const Eigen::Index d = 5000;  // several blocks and a partial one
    AsgdServer plain(1, ramp(d, 1.0), {.gamma = 0.1});
    AsgdServer mirrored(1, ramp(d, 1.0), {.gamma = 0.1});
    RecordingMirror mirror(d);
    mirrored.setModelMirror(&mirror);
    NullSink a;
    NullSink b;
    plain.start(a);
    mirrored.start(b);
    for (int k = 0; k < 5; ++k) {
      const Vector g = ramp(d, 0.5 + k);
      step(plain, a, g);
      step(mirrored, b, g);
      QCOMPARE(mirrored.version(), plain.version());
      QCOMPARE(mirror.versions.back(), plain.version());
      QVERIFY(sameBits(mirror.stored(mirror.pointers.size() - 1), plain.model()));
      // Asked for only every other step: the next step reads the mirror either way.
      if (k % 2 == 1) QVERIFY(sameBits(mirrored.model(), plain.model()));
    }
    QVERIFY(sameBits(mirrored.model(), plain.model()));
  }

  void refusedStepKeepsTheModel() {
    const Eigen::Index d = 3000;
    AsgdServer server(1, ramp(d, 1.0), {.gamma = 0.1});
    RecordingMirror mirror(d);
    server.setModelMirror(&mirror);
    NullSink sink;
    server.start(sink);
    step(server, sink, ramp(d, 2.0));
    const Vector good = mirror.stored(0);
    Vector bad = ramp(d, 1.0);
    bad[2500] = std::numeric_limits<double>::infinity();
    step(server, sink, bad);
    QVERIFY(server.diverged());
    QCOMPARE(server.version(), std::uint64_t{1});
    QVERIFY(sameBits(server.model(), good));
    // Huge but finite coordinates are a model, not a divergence (their sum would overflow).
    AsgdServer big(1, Vector::Constant(d, 1e308), {.gamma = 1.0});
    big.setModelMirror(&mirror);
    NullSink bigSink;
    big.start(bigSink);
    step(big, bigSink, Vector::Constant(d, -1e307));
    QVERIFY(!big.diverged());
    QCOMPARE(big.version(), std::uint64_t{1});
  }

  void helpedStepsGiveTheSameModels() {
    // Large enough to be shared with the helper, in many chunks and a partial one: the same bits, with
    // and without a mirror, and a non-finite coordinate is refused whichever thread meets it.
    const Eigen::Index d = AsyncServer::kHelpedStepMin * 3 + 777;
    ChunkHelper helper;
    AsgdServer plain(1, ramp(d, 1.0), {.gamma = 0.1});
    AsgdServer helped(1, ramp(d, 1.0), {.gamma = 0.1});
    AsgdServer helpedMirrored(1, ramp(d, 1.0), {.gamma = 0.1});
    RecordingMirror mirror(d);
    helped.setStepHelper(&helper);
    helpedMirrored.setStepHelper(&helper);
    helpedMirrored.setModelMirror(&mirror);
    NullSink a;
    NullSink b;
    NullSink c;
    plain.start(a);
    helped.start(b);
    helpedMirrored.start(c);
    for (int k = 0; k < 12; ++k) {
      const Vector g = ramp(d, 0.5 + k);
      step(plain, a, g);
      step(helped, b, g);
      step(helpedMirrored, c, g);
      QVERIFY(sameBits(helped.model(), plain.model()));
      QVERIFY(sameBits(mirror.stored(mirror.pointers.size() - 1), plain.model()));
    }
    for (const Eigen::Index where : {Eigen::Index{3}, d / 2, d - 1}) {
      Vector bad = ramp(d, 1.0);
      bad[where] = std::numeric_limits<double>::quiet_NaN();
      const Vector before = helpedMirrored.model();
      AsgdServer probe(1, before, {.gamma = 0.1});
      probe.setStepHelper(&helper);
      NullSink p;
      probe.start(p);
      step(probe, p, bad);
      QVERIFY(probe.diverged());
      QVERIFY(sameBits(probe.model(), before));
    }
  }

  void removingTheMirrorBringsTheModelHome() {
    const Eigen::Index d = 100;
    AsgdServer plain(1, ramp(d, 1.0), {.gamma = 0.2});
    AsgdServer server(1, ramp(d, 1.0), {.gamma = 0.2});
    auto mirror = std::make_unique<RecordingMirror>(d);
    server.setModelMirror(mirror.get());
    NullSink a;
    NullSink b;
    plain.start(a);
    server.start(b);
    step(plain, a, ramp(d, 3.0));
    step(server, b, ramp(d, 3.0));
    server.setModelMirror(nullptr);
    mirror.reset();  // its storage is gone: the server must not read it again
    step(plain, a, ramp(d, 4.0));
    step(server, b, ramp(d, 4.0));
    QVERIFY(sameBits(server.model(), plain.model()));
  }
};

QTEST_APPLESS_MAIN(TestServerMirror)
#include "test_server_mirror.moc"
