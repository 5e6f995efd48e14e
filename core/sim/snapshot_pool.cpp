#include "core/sim/snapshot_pool.hpp"

#include "core/util/check.hpp"

namespace distopt {

SnapshotPool::Handle SnapshotPool::share(std::uint64_t version, const Vector& model) {
  if (m_current == kNone || m_currentVersion != version) {
    const Handle previous = m_current;
    if (m_free.empty()) {
      DISTOPT_CHECK(m_slots.size() < kNone);
      m_current = static_cast<Handle>(m_slots.size());
      m_slots.emplace_back();
    } else {
      m_current = m_free.back();
      m_free.pop_back();
    }
    m_slots[m_current].model = model;   // same size as the last: no allocation
    m_slots[m_current].references = 1;  // the pool's own, until the next version
    m_currentVersion = version;
    release(previous);
  }
  ++m_slots[m_current].references;
  return m_current;
}

void SnapshotPool::retain(Handle handle) {
  if (handle == kNone) return;
  DISTOPT_CHECK(m_slots[handle].references > 0);
  ++m_slots[handle].references;
}

void SnapshotPool::release(Handle handle) {
  if (handle == kNone) return;
  Slot& slot = m_slots[handle];
  DISTOPT_CHECK(slot.references > 0);
  if (--slot.references == 0) m_free.push_back(handle);
}

}  // namespace distopt
