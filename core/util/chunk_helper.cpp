#include "core/util/chunk_helper.hpp"

#include <algorithm>

namespace distopt {

ChunkHelper::ChunkHelper() : m_thread([this] { loop(); }) {}

ChunkHelper::~ChunkHelper() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void ChunkHelper::work(const Body& body, std::int64_t count, std::int64_t chunk) {
  while (true) {
    const std::int64_t begin = m_next.fetch_add(chunk, std::memory_order_relaxed);
    if (begin >= count) return;
    body(begin, std::min(begin + chunk, count));
    if (std::this_thread::get_id() == m_thread.get_id()) m_helperChunks.fetch_add(1, std::memory_order_relaxed);
  }
}

void ChunkHelper::run(std::int64_t count, std::int64_t chunk,
                      const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (count <= 0) return;
  chunk = std::max<std::int64_t>(1, chunk);
  if (count <= chunk) {
    body(0, count);
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    m_body = &body;
    m_count = count;
    m_chunk = chunk;
    m_next.store(0, std::memory_order_relaxed);
    ++m_generation;
  }
  m_wake.notify_one();
  work(body, count, chunk);
  // Every chunk is claimed. Close the loop to the helper; wait only if it is inside, finishing a
  // chunk it claimed.
  std::unique_lock lock(m_mutex);
  m_body = nullptr;
  m_left.wait(lock, [this] { return !m_helperInside; });
}

void ChunkHelper::loop() {
  std::uint64_t seen = 0;
  std::unique_lock lock(m_mutex);
  while (true) {
    m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
    if (m_stopping) return;
    seen = m_generation;
    if (!m_body) continue;  // woke after that loop was over
    m_helperInside = true;
    // Taken under the lock: once the last chunk is claimed the caller clears m_body, which can be before
    // this thread calls the body on the chunk it claimed last (that read m_body as null: the coordinator
    // throughput benchmark crashed at d = 1e6).
    const Body& body = *m_body;
    const std::int64_t count = m_count;
    const std::int64_t chunk = m_chunk;
    lock.unlock();
    work(body, count, chunk);
    lock.lock();
    m_helperInside = false;
    m_left.notify_one();
  }
}

}  // namespace distopt
