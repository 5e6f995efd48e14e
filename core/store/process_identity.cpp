#include "core/store/process_identity.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>

#include <signal.h>
#include <unistd.h>

namespace distopt {
namespace {

// Field 22 of /proc/PID/stat; the command name (field 2) is in parentheses and may hold spaces, so
// fields are counted after its closing parenthesis.
std::uint64_t startTicksOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return 0;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int index = 3; fields >> field; ++index)
    if (index == 22) return std::strtoull(field.c_str(), nullptr, 10);
  return 0;
}

}  // namespace

std::string ProcessIdentity::localHost() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

ProcessIdentity ProcessIdentity::current() {
  const int pid = static_cast<int>(getpid());
  return ProcessIdentity{.host = localHost(), .pid = pid, .startTicks = startTicksOf(pid)};
}

bool ProcessIdentity::knownGone() const {
  if (pid <= 0 || host.empty() || host != localHost()) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  // A process with that pid exists; it is ours only if it started when ours did.
  if (startTicks == 0) return false;
  const std::uint64_t now = startTicksOf(pid);
  return now != 0 && now != startTicks;
}

}  // namespace distopt
