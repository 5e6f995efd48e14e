// ChunkHelper: every chunk runs exactly once whoever takes it, the helper really takes a share when it
// has a core, results are visible to the caller on return, a loop the helper wakes too late for is
// not waited for, and many loops back to back (the live coordinator's steps) never mix up.

#include <QtTest>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/util/chunk_helper.hpp"

using namespace distopt;

class TestChunkHelper : public QObject {
  Q_OBJECT

 private slots:
  void everyChunkExactlyOnce() {
    ChunkHelper helper;
    for (const auto& [count, chunk] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {1, 1}, {7, 100}, {100, 100}, {101, 100}, {1000, 7}, {65536, 4096}, {100000, 333}}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
      std::atomic<int> badRanges{0};
      helper.run(count, chunk, [&](std::int64_t begin, std::int64_t end) {
        if (begin < 0 || end > count || end <= begin || end - begin > chunk) ++badRanges;
        for (std::int64_t i = begin; i < end; ++i) hits[static_cast<std::size_t>(i)].fetch_add(1);
      });
      QCOMPARE(badRanges.load(), 0);
      for (std::int64_t i = 0; i < count; ++i) QCOMPARE(hits[static_cast<std::size_t>(i)].load(), 1);
    }
    helper.run(0, 10, [](std::int64_t, std::int64_t) { QFAIL("no chunk for an empty loop"); });
  }

  void helperTakesAShareAndItsWritesAreVisible() {
    // Slow chunks give the helper time to wake; plain (non-atomic) writes from both threads must all be
    // seen once run() returns.
    ChunkHelper helper;
    std::vector<double> out(64, 0.0);
    // Until the helper has taken chunks (at once on an idle machine; a loaded one may need rounds).
    for (int round = 0; round < 400 && (round < 20 || helper.helperChunks() == 0); ++round) {
      helper.run(64, 1, [&](std::int64_t begin, std::int64_t end) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        for (std::int64_t i = begin; i < end; ++i) out[static_cast<std::size_t>(i)] = round + 0.5 * static_cast<double>(i);
      });
      for (int i = 0; i < 64; ++i) QCOMPARE(out[static_cast<std::size_t>(i)], round + 0.5 * i);
    }
    QVERIFY2(helper.helperChunks() > 0, "the helper never took a chunk");
  }

  void manyShortLoopsInARow() {
    // Loops shorter than a wake-up: the helper mostly arrives after the caller is done, and must neither
    // run a finished loop's body nor be waited for.
    ChunkHelper helper;
    std::int64_t total = 0;
    for (int round = 0; round < 20000; ++round) {
      std::atomic<std::int64_t> sum{0};
      helper.run(4, 1, [&](std::int64_t begin, std::int64_t) { sum.fetch_add(begin + round); });
      QCOMPARE(sum.load(), std::int64_t{6} + 4 * round);
      total += sum.load();
    }
    QVERIFY(total > 0);
  }

  void destroyedWhileIdleOrJustAfterALoop() {
    for (int k = 0; k < 200; ++k) {
      ChunkHelper helper;
      if (k % 2) helper.run(8, 1, [](std::int64_t, std::int64_t) {});
    }
  }
};

QTEST_APPLESS_MAIN(TestChunkHelper)
#include "test_chunk_helper.moc"
