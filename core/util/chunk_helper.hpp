#pragma once
// ChunkHelper: one helper thread that joins a loop over chunks when it can. The live coordinator's step
// over a large model is memory-bound work on the run's critical path; with few local workers a core
// sits idle meanwhile (the worker waits for the next model), and two cores stream memory faster than
// one. A helper that wakes after the caller has claimed every chunk is not waited for. One preempted
// inside a chunk it claimed is: the caller waits for that chunk, so give a helper only to a loop that
// has a free core (the live engine: local workers + 1 <= cores).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace distopt {

class ChunkHelper {
 public:
  ChunkHelper();
  ~ChunkHelper();
  ChunkHelper(const ChunkHelper&) = delete;
  ChunkHelper& operator=(const ChunkHelper&) = delete;

  /// Calls body(begin, end) over [0, count) in chunks of `chunk` (the last may be shorter), each
  /// chunk exactly once, on this thread or the helper; returns when every chunk is done. `body` must
  /// be safe to run on two chunks at once and must not throw. One caller at a time.
  void run(std::int64_t count, std::int64_t chunk, const std::function<void(std::int64_t, std::int64_t)>& body);

  /// Chunks the helper did over this object's life (for tests and profiling).
  std::uint64_t helperChunks() const { return m_helperChunks.load(std::memory_order_relaxed); }

 private:
  using Body = std::function<void(std::int64_t, std::int64_t)>;
  void loop();
  /// Claims and runs chunks of the current loop until none is left.
  void work(const Body& body, std::int64_t count, std::int64_t chunk);

  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_left;
  // The loop under way: set and cleared under m_mutex; the helper only enters while it is set.
  const std::function<void(std::int64_t, std::int64_t)>* m_body = nullptr;
  std::int64_t m_count = 0;
  std::int64_t m_chunk = 1;
  std::atomic<std::int64_t> m_next{0};
  std::uint64_t m_generation = 0;
  bool m_helperInside = false;
  bool m_stopping = false;
  std::atomic<std::uint64_t> m_helperChunks{0};
  std::thread m_thread;
};

}  // namespace distopt
