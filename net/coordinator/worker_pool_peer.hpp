#pragma once
// WorkerPool's private parts shared by its source files (worker_pool*.cpp): a worker as the coordinator
// sees it, and the helpers the session, control and telemetry files all use. Not for other users.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "net/coordinator/worker_pool.hpp"

namespace distopt::net {

namespace pool_detail {

using Clock = std::chrono::steady_clock;

inline constexpr const char* kLinkLostReason =
    "link_lost: the connection to the worker was cut, and this method cannot replay the messages lost with "
    "it";

inline double secondsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace pool_detail

/// A worker as the coordinator sees it.
struct WorkerPool::Peer {
  enum class State { Expected, Joined, Ready, Dead };
  State state = State::Expected;
  std::string identity;  // ROUTER routing id
  std::string host;
  std::string slurmStep;  // from HELLO: the Slurm step it runs in, empty outside Slurm
  int pid = 0;
  int cores = 0;
  std::string version;  // the worker program's, from HELLO
  std::string key;      // the CURVE public key it joined with (empty unsecured): a resume must present it
  std::string reason;
  int resumes = 0;              // connections made again within liveness (PROTOCOL.md §4.4)
  bool linkDown = false;        // a send found no connection; it may come back within liveness
  std::uint64_t malformed = 0;  // its messages refused (PROTOCOL.md §8)
  pool_detail::Clock::time_point lastHeard{};
  pool_detail::Clock::time_point lastSent{};
  std::array<std::uint64_t, kKindSlots> bytesUp{}, bytesDown{}, messagesUp{}, messagesDown{};
  std::uint64_t totalUp = 0;
  std::uint64_t totalDown = 0;
  ClockSync clock;
  pool_detail::Clock::time_point lastProbe{};
  double transitSum = 0.0;  // seconds, over `transits` messages that said when they left
  std::uint64_t transits = 0;

  const char* stateName() const {
    switch (state) {
      case State::Expected:
      case State::Joined:
        return "starting";
      case State::Ready:
        return "alive";
      case State::Dead:
        return "dead";
    }
    return "unknown";
  }
};

}  // namespace distopt::net
