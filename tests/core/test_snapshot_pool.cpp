// SnapshotPool, the simulator's hand-counted model snapshots: a job must keep computing on the model it
// was sent however many versions later it is answered, and a slot is reused only when no job refers to it
// (a slot reused too early hands a job another version's model: wrong gradients, no crash).
#include <QtTest>
#include <map>
#include <random>

#include "core/sim/snapshot_pool.hpp"

using namespace distopt;

namespace {

Vector modelOf(std::uint64_t version) { return Vector::Constant(3, static_cast<double>(version)); }

}  // namespace

class TestSnapshotPool : public QObject {
  Q_OBJECT

 private slots:
  void oneSnapshotPerVersion() {
    SnapshotPool pool;
    const auto a = pool.share(0, modelOf(0));
    const auto b = pool.share(0, modelOf(99));  // the same version: not copied again
    QCOMPARE(a, b);
    QCOMPARE(pool.model(a)[0], 0.0);
    const auto c = pool.share(1, modelOf(1));
    QVERIFY(c != a);
    QCOMPARE(pool.live(), std::size_t(2));
    pool.release(a);
    pool.release(b);  // version 0 is no longer current and no job holds it: its slot is free
    QCOMPARE(pool.live(), std::size_t(1));
    const auto d = pool.share(2, modelOf(2));
    QCOMPARE(d, a);  // the freed slot, reused
    QCOMPARE(pool.model(c)[0], 1.0);
    QCOMPARE(pool.model(d)[0], 2.0);
    pool.release(SnapshotPool::kNone);  // nothing
  }

  void aRetainedSnapshotOutlivesLaterVersions() {
    SnapshotPool pool;
    const auto held = pool.share(5, modelOf(5));
    pool.retain(held);
    pool.release(held);
    for (std::uint64_t v = 6; v < 20; ++v) pool.release(pool.share(v, modelOf(v)));
    QCOMPARE(pool.model(held)[2], 5.0);
    QCOMPARE(pool.live(), std::size_t(2));  // the held one and the current one
  }

  // Jobs in flight as the simulator keeps them: random sends (at the current version), cancellations and
  // answers; every job must read back the model of the version it was sent.
  void jobsReadTheirOwnVersionUnderRandomTraffic() {
    std::mt19937_64 random(11);
    SnapshotPool pool;
    struct Job {
      SnapshotPool::Handle handle = SnapshotPool::kNone;
      std::uint64_t version = 0;
    };
    std::map<int, Job> jobs;
    std::uint64_t version = 0;
    for (int step = 0; step < 20000; ++step) {
      const int worker = static_cast<int>(random() % 32);
      switch (random() % 3) {
        case 0: {  // a new job (replaces the worker's old one)
          Job& job = jobs[worker];
          pool.release(job.handle);
          job = {pool.share(version, modelOf(version)), version};
          break;
        }
        case 1: {  // an answer or a cancellation
          auto it = jobs.find(worker);
          if (it == jobs.end()) break;
          QCOMPARE(pool.model(it->second.handle)[1], static_cast<double>(it->second.version));
          pool.release(it->second.handle);
          jobs.erase(it);
          break;
        }
        default:
          ++version;  // an update
      }
      QVERIFY(pool.live() <= jobs.size() + 1);
    }
    for (auto& [worker, job] : jobs) QCOMPARE(pool.model(job.handle)[0], static_cast<double>(job.version));
  }
};

QTEST_APPLESS_MAIN(TestSnapshotPool)
#include "test_snapshot_pool.moc"
