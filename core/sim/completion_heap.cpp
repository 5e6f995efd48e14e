#include "core/sim/completion_heap.hpp"

#include "core/util/check.hpp"

namespace distopt {

CompletionHeap::CompletionHeap(int workers) : m_position(static_cast<std::size_t>(workers), -1) {
  m_heap.reserve(static_cast<std::size_t>(workers));
}

void CompletionHeap::place(std::size_t index, const Entry& entry) {
  m_heap[index] = entry;
  m_position[static_cast<std::size_t>(entry.worker)] = static_cast<std::int32_t>(index);
}

void CompletionHeap::siftUp(std::size_t index) {
  const Entry moving = m_heap[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!earlier(moving, m_heap[parent])) break;
    place(index, m_heap[parent]);
    index = parent;
  }
  place(index, moving);
}

void CompletionHeap::siftDown(std::size_t index) {
  const Entry moving = m_heap[index];
  const std::size_t size = m_heap.size();
  for (;;) {
    std::size_t child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && earlier(m_heap[child + 1], m_heap[child])) ++child;
    if (!earlier(m_heap[child], moving)) break;
    place(index, m_heap[child]);
    index = child;
  }
  place(index, moving);
}

void CompletionHeap::restore(std::size_t index) {
  if (index > 0 && earlier(m_heap[index], m_heap[(index - 1) / 2]))
    siftUp(index);
  else
    siftDown(index);
}

void CompletionHeap::pop() {
  DISTOPT_CHECK(!m_heap.empty());
  remove(m_heap.front().worker);
}

void CompletionHeap::set(int worker, double time) {
  DISTOPT_CHECK(worker >= 0 && static_cast<std::size_t>(worker) < m_position.size());
  const std::int32_t at = m_position[static_cast<std::size_t>(worker)];
  if (at < 0) {
    m_heap.push_back({time, worker});
    m_position[static_cast<std::size_t>(worker)] = static_cast<std::int32_t>(m_heap.size() - 1);
    siftUp(m_heap.size() - 1);
    return;
  }
  m_heap[static_cast<std::size_t>(at)].time = time;
  restore(static_cast<std::size_t>(at));
}

double CompletionHeap::remove(int worker) {
  DISTOPT_CHECK(worker >= 0 && static_cast<std::size_t>(worker) < m_position.size());
  const std::int32_t at = m_position[static_cast<std::size_t>(worker)];
  if (at < 0) return -1.0;
  const double time = m_heap[static_cast<std::size_t>(at)].time;
  m_position[static_cast<std::size_t>(worker)] = -1;
  const Entry last = m_heap.back();
  m_heap.pop_back();
  if (static_cast<std::size_t>(at) < m_heap.size()) {
    place(static_cast<std::size_t>(at), last);
    restore(static_cast<std::size_t>(at));
  }
  return time;
}

}  // namespace distopt
