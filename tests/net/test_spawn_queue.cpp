// Starting many workers (issue "Hostile input and faults", item 11): the coordinator starts them a few at
// a time, the next ones only when earlier ones are ready, so that it keeps serving the first while the
// last are forked. Here with `sleep` processes standing in for workers.
#include <QtTest>
#include <set>

#include "net/launcher/spawn_queue.hpp"

using namespace distopt::net;

class TestSpawnQueue : public QObject {
  Q_OBJECT

 private slots:
  void startsAtMostMaxStartingUntilTheyAreReady() {
    LocalLauncher launcher;
    std::vector<ProcessSpec> specs;
    for (int id = 0; id < 10; ++id)
      specs.push_back(ProcessSpec{
          .workerId = id, .argv = {"sleep", "30"}, .environment = {}, .stdinText = {}, .label = {}});
    SpawnQueue queue(launcher, std::move(specs), 4);
    std::set<int> ready;
    const auto isReady = [&](int id) { return ready.count(id) > 0; };
    std::string why;
    QVERIFY2(queue.spawnMore(isReady, &why), why.c_str());
    QCOMPARE(queue.spawned(), std::size_t{4});
    QCOMPARE(launcher.running(), 4);
    QVERIFY(queue.spawnMore(isReady, &why));  // nobody ready yet: nothing more
    QCOMPARE(queue.spawned(), std::size_t{4});
    ready.insert({0, 2});
    QVERIFY(queue.spawnMore(isReady, &why));
    QCOMPARE(queue.spawned(), std::size_t{6});
    QVERIFY(launcher.pidOf(5) > 0 && launcher.pidOf(6) < 0);
    for (int id = 0; id < 10; ++id) ready.insert(id);
    QVERIFY(queue.spawnMore(isReady, &why));
    QVERIFY(queue.done());
    QCOMPARE(launcher.running(), 10);
    launcher.stopAll(std::chrono::milliseconds(200));
  }

  void theDefaultKeepsTheCoordinatorServed() {
    const int starting = defaultMaxStarting();
    QVERIFY(starting >= 8 && starting <= 64);
    QVERIFY(raiseOpenFileLimit(64) >= 64);
  }
};

QTEST_GUILESS_MAIN(TestSpawnQueue)
#include "test_spawn_queue.moc"
