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

void ChunkHelper::work() {
  while (true) {
    const std::int64_t begin = m_next.fetch_add(m_chunk, std::memory_order_relaxed);
    if (begin >= m_count) return;
    (*m_body)(begin, std::min(begin + m_chunk, m_count));
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
  work();
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
    lock.unlock();
    work();
    lock.lock();
    m_helperInside = false;
    m_left.notify_one();
  }
}

}  // namespace distopt
