#include "net/launcher/spawn_queue.hpp"

#include <algorithm>
#include <thread>

#include <sys/resource.h>

namespace distopt::net {

SpawnQueue::SpawnQueue(LocalLauncher& launcher, std::vector<ProcessSpec> specs, int maxStarting)
    : m_launcher(launcher), m_specs(std::move(specs)), m_maxStarting(std::max(1, maxStarting)) {}

bool SpawnQueue::spawnMore(const std::function<bool(int workerId)>& isReady, std::string* why) {
  std::erase_if(m_starting, isReady);
  while (!done() && static_cast<int>(m_starting.size()) < m_maxStarting) {
    const ProcessSpec& spec = m_specs[m_next++];
    if (!m_launcher.spawn(spec, why)) {
      if (why && !spec.label.empty()) *why = spec.label + ": " + *why;
      return false;
    }
    m_starting.push_back(spec.workerId);
  }
  return true;
}

int defaultMaxStarting() {
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  return std::clamp(4 * cores, 8, 64);
}

long raiseOpenFileLimit(long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur != RLIM_INFINITY && static_cast<long>(limit.rlim_cur) < wanted) {
    const rlim_t target = limit.rlim_max == RLIM_INFINITY
                              ? static_cast<rlim_t>(wanted)
                              : std::min(static_cast<rlim_t>(wanted), limit.rlim_max);
    limit.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? wanted : static_cast<long>(limit.rlim_cur);
}

}  // namespace distopt::net
