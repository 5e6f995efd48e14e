#pragma once
// The session's JSON messages (net/PROTOCOL.md §3-§4): HELLO, WELCOME, ASSIGN, READY, ERROR, STOP.
// Strict parsers, free of sockets (a fuzz target calls them on any bytes): each takes a decoded Message,
// and returns its fields or false with a reason naming the message and the field. Every field is read
// through JsonFields, so no type, range or size a peer sends can throw.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net/protocol/message.hpp"

namespace distopt::net {

/// HELLO (worker -> coordinator). Absent fields keep these defaults; present ones must have the type
/// PROTOCOL.md gives.
struct HelloBody {
  std::optional<int> workerId;  ///< null or absent: any free slot
  int protocol = kProtocolVersion;
  std::string programVersion;
  std::string host = "?";
  int cores = 0;
  int pid = 0;
  /// "JOB.STEP" of the Slurm step the worker runs in (SLURM_JOB_ID, SLURM_STEP_ID); empty outside Slurm.
  std::string slurmStep;
};
bool parseHello(const Message& message, HelloBody* hello, std::string* why);

/// WELCOME (coordinator -> worker).
struct WelcomeBody {
  int workerId = 0;
  std::optional<int> heartbeatMs;  ///< absent: keep the worker's own
  std::optional<int> liveness;
};
bool parseWelcome(const Message& message, WelcomeBody* welcome, std::string* why);

/// ASSIGN (coordinator -> worker). The experiment document is checked later, by parseExperiment.
struct AssignBody {
  int workerId = 0;
  std::string baseDirectory = ".";
  std::optional<double> unitMs;  ///< absent: the experiment's
  nlohmann::json experiment;
};
bool parseAssign(const Message& message, AssignBody* assign, std::string* why);

/// READY (worker -> coordinator).
struct ReadyBody {
  std::int64_t dimension = 0;
  std::int64_t shardSize = 0;
  double setupSeconds = 0.0;
};
bool parseReady(const Message& message, ReadyBody* ready, std::string* why);

/// ERROR (both ways) and STOP (coordinator -> worker; the payload is optional).
struct ErrorBody {
  std::string code = "error";
  std::string message;
};
bool parseError(const Message& message, ErrorBody* error, std::string* why);
bool parseStop(const Message& message, std::string* reason, std::string* why);

}  // namespace distopt::net
