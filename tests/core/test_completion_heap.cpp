// CompletionHeap against a reference ordered set, under random set/remove/pop sequences: the simulator's
// event order (time, then worker: async-sgd §2.0) rests on it; a wrong position index corrupts it quietly.
#include <QtTest>

#include <random>
#include <set>
#include <utility>

#include "core/sim/completion_heap.hpp"

using namespace distopt;

class TestCompletionHeap : public QObject {
  Q_OBJECT

 private slots:
  void orderIsTimeThenWorker() {
    CompletionHeap heap(4);
    heap.set(3, 2.0);
    heap.set(1, 2.0);
    heap.set(2, 1.0);
    heap.set(0, 5.0);
    QCOMPARE(heap.top().worker, 2);
    heap.pop();
    QCOMPARE(heap.top().worker, 1);  // a tie goes to the lower worker
    heap.pop();
    QCOMPARE(heap.top().worker, 3);
    heap.set(0, 0.5);  // an entry moved up in place
    QCOMPARE(heap.top().worker, 0);
    QCOMPARE(heap.size(), std::size_t(2));
    QCOMPARE(heap.remove(0), 0.5);
    QVERIFY(heap.remove(0) < 0.0);
    QVERIFY(!heap.contains(0));
    QCOMPARE(heap.top().worker, 3);
  }

  void matchesAReferenceUnderRandomOperations() {
    for (const int workers : {1, 2, 7, 64, 1000}) {
      std::mt19937_64 random(static_cast<std::uint64_t>(workers) * 7919);
      CompletionHeap heap(workers);
      std::set<std::pair<double, int>> reference;
      std::vector<double> timeOf(static_cast<std::size_t>(workers), -1.0);
      std::uniform_int_distribution<int> pickWorker(0, workers - 1);
      std::uniform_int_distribution<int> pickOperation(0, 9);
      // Few distinct times, so ties between workers are common.
      std::uniform_int_distribution<int> pickTime(0, 50);
      for (int step = 0; step < 20000; ++step) {
        const int operation = pickOperation(random);
        const int worker = pickWorker(random);
        const auto w = static_cast<std::size_t>(worker);
        if (operation < 6) {
          const double time = pickTime(random) * 0.25;
          if (timeOf[w] >= 0.0) reference.erase({timeOf[w], worker});
          reference.insert({time, worker});
          timeOf[w] = time;
          heap.set(worker, time);
        } else if (operation < 8) {
          const double removed = heap.remove(worker);
          QCOMPARE(removed, timeOf[w] >= 0.0 ? timeOf[w] : removed);
          QCOMPARE(removed >= 0.0, timeOf[w] >= 0.0);
          if (timeOf[w] >= 0.0) reference.erase({timeOf[w], worker});
          timeOf[w] = -1.0;
        } else if (!reference.empty()) {
          const auto first = *reference.begin();
          QCOMPARE(heap.top().time, first.first);
          QCOMPARE(heap.top().worker, first.second);
          heap.pop();
          reference.erase(reference.begin());
          timeOf[static_cast<std::size_t>(first.second)] = -1.0;
        }
        QCOMPARE(heap.size(), reference.size());
        QCOMPARE(heap.contains(worker), timeOf[w] >= 0.0);
        if (!reference.empty()) {
          QCOMPARE(heap.top().time, reference.begin()->first);
          QCOMPARE(heap.top().worker, reference.begin()->second);
        }
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestCompletionHeap)
#include "test_completion_heap.moc"
