#pragma once
// The simulator's pending job completions, at most one per worker: a binary min-heap ordered by
// (time, worker) — the tie rule of async-sgd §2.0 — with each worker's position kept, so a job that is
// cancelled leaves the heap at once and a new job for the same worker moves its entry in place.
//
// Why not std::priority_queue with lazy deletion: at E1's scale (6174 workers) nearly every job is
// cancelled (3.09 M of 3.10 M), and every cancelled completion stayed in the heap until its time came,
// so the heap held several times more entries than workers and every pop walked a deeper, colder tree.
// Here the heap never holds more than one entry per worker (16 bytes each: E1's fits in the L2 cache).

#include <cstdint>
#include <vector>

namespace distopt {

class CompletionHeap {
 public:
  struct Entry {
    double time = 0.0;
    int worker = 0;
  };

  explicit CompletionHeap(int workers);

  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  /// The earliest completion (ties: the lower worker). Not empty.
  const Entry& top() const { return m_heap.front(); }
  /// Removes top().
  void pop();
  /// Sets `worker`'s completion to `time`, adding it or moving the worker's existing entry.
  void set(int worker, double time);
  /// Removes `worker`'s entry, if it has one; returns its time (or a negative value when it had none).
  double remove(int worker);
  bool contains(int worker) const { return m_position[static_cast<std::size_t>(worker)] >= 0; }

 private:
  static bool earlier(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.worker < b.worker);
  }
  void place(std::size_t index, const Entry& entry);
  /// Moves the entry at `index` up or down to where the order wants it.
  void restore(std::size_t index);
  void siftUp(std::size_t index);
  void siftDown(std::size_t index);

  std::vector<Entry> m_heap;
  std::vector<std::int32_t> m_position;  // index in m_heap per worker, -1 when absent
};

}  // namespace distopt
