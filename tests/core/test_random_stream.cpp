#include <QtTest>

#include <cmath>
#include <set>

#include "core/util/random_stream.hpp"

using distopt::RandomStream;
using distopt::StreamKey;
using distopt::StreamPurpose;

class TestRandomStream : public QObject {
  Q_OBJECT

 private slots:
  void sameKeySameSequence() {
    const StreamKey key{.runSeed = 7, .purpose = StreamPurpose::Gradient, .worker = 3, .job = 11};
    RandomStream a(key);
    RandomStream b(key);
    for (int i = 0; i < 1000; ++i) QCOMPARE(a.next(), b.next());
  }

  void everyKeyFieldMatters() {
    const StreamKey base{.runSeed = 1, .purpose = StreamPurpose::Gradient, .worker = 2, .job = 3};
    std::set<std::uint64_t> hashes;
    hashes.insert(distopt::hashStreamKey(base));
    auto variant = base;
    variant.runSeed = 2;
    hashes.insert(distopt::hashStreamKey(variant));
    variant = base;
    variant.purpose = StreamPurpose::ComputeTime;
    hashes.insert(distopt::hashStreamKey(variant));
    variant = base;
    variant.worker = 3;
    hashes.insert(distopt::hashStreamKey(variant));
    variant = base;
    variant.job = 4;
    hashes.insert(distopt::hashStreamKey(variant));
    // Swapping worker and job must not give the same stream.
    variant = base;
    variant.worker = 3;
    variant.job = 2;
    hashes.insert(distopt::hashStreamKey(variant));
    QCOMPARE(hashes.size(), std::size_t{6});
  }

  void knownFirstValuesArePinned() {
    // Pins the generator so that a change to it (which would silently change every seeded result
    // and golden run in the project) is caught here first.
    RandomStream s = RandomStream::fromSeed(0);
    const std::uint64_t first = s.next();
    RandomStream again = RandomStream::fromSeed(0);
    QCOMPARE(again.next(), first);
    // xoshiro256** seeded by SplitMix64(0): reference value computed from the published algorithms.
    QCOMPARE(first, std::uint64_t{0x99ec5f36cb75f2b4ULL});
  }

  void uniformMomentsAndRange() {
    RandomStream s = RandomStream::fromSeed(42);
    const int n = 200000;
    double sum = 0.0;
    double sumSq = 0.0;
    for (int i = 0; i < n; ++i) {
      const double u = s.uniform();
      QVERIFY(u >= 0.0 && u < 1.0);
      sum += u;
      sumSq += u * u;
    }
    const double mean = sum / n;
    const double var = sumSq / n - mean * mean;
    QVERIFY(std::abs(mean - 0.5) < 0.005);
    QVERIFY(std::abs(var - 1.0 / 12.0) < 0.002);
  }

  void normalMoments() {
    RandomStream s = RandomStream::fromSeed(5);
    const int n = 200000;
    double sum = 0.0;
    double sumSq = 0.0;
    double sumFourth = 0.0;
    for (int i = 0; i < n; ++i) {
      const double z = s.normal();
      sum += z;
      sumSq += z * z;
      sumFourth += z * z * z * z;
    }
    QVERIFY(std::abs(sum / n) < 0.01);
    QVERIFY(std::abs(sumSq / n - 1.0) < 0.02);
    QVERIFY(std::abs(sumFourth / n - 3.0) < 0.1);  // kurtosis of a Gaussian
  }

  void uniformIntIsUnbiasedAndInRange() {
    RandomStream s = RandomStream::fromSeed(9);
    const std::uint64_t bound = 7;
    int counts[7] = {};
    const int n = 70000;
    for (int i = 0; i < n; ++i) {
      const auto v = s.uniformInt(bound);
      QVERIFY(v < bound);
      ++counts[v];
    }
    for (int c : counts) QVERIFY(std::abs(c - n / 7) < 400);
    QCOMPARE(s.uniformInt(1), std::uint64_t{0});
  }
};

QTEST_APPLESS_MAIN(TestRandomStream)
#include "test_random_stream.moc"
