#pragma once
// The parameter-server family's messages as its roles exchange them (net/PROTOCOL.md §5-§7 on the wire):
// a JOB carries the model of one version, shared by every JOB of that version; a CANCEL stops a job; a
// GRAD answers one. The wire sizes are the live protocol's dense float64 encoding (WireSizeModel), so a
// simulated run counts the bytes a live one moves.

#include <cstdint>
#include <limits>
#include <variant>

#include "core/async_sgd/server.hpp"
#include "core/transport/vector_payload.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

struct PsJob {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;
  int gradients = 1;  ///< stochastic gradients to average (minibatch's local b)
  /// The coordinator's time when it sent the job, in the experiment's units: the time a time model that
  /// changes over the run draws the job's duration at (the worker's own clock starts elsewhere, live).
  double startTime = 0.0;
  /// The job's duration when the coordinator sets it (PROTOCOL.md §5's tau override); NaN: the worker's
  /// time model draws it.
  double tau = std::numeric_limits<double>::quiet_NaN();
  VectorPayload model;  ///< x at `version`, shared by every JOB of that version
};

struct PsCancel {
  std::uint64_t jobId = 0;
};

using PsDown = std::variant<PsJob, PsCancel>;

struct PsGrad {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;  ///< echoed from the JOB
  double tau = 0.0;           ///< the job's emulated duration, units
  double computeSeconds = 0.0;  ///< of real work for the gradient (0 in virtual time)
  /// What only the moment the GRAD leaves the worker knows, written live as it leaves (and read by the
  /// coordinator for the worker's status row): seconds since its JOB arrived, and the worker's steady
  /// clock (uplink transit). 0 and NaN in virtual time.
  double elapsed = 0.0;
  double sentClock = std::numeric_limits<double>::quiet_NaN();
  VectorPayload gradient;
};

using PsUp = PsGrad;

WireSize psDownWireSize(const PsDown& message);
WireSize psUpWireSize(const PsUp& message);

}  // namespace distopt
