#pragma once
// The parameter-server family's messages as its roles exchange them (net/PROTOCOL.md §5-§7 on the wire):
// a JOB carries the model of one version, shared by every JOB of that version; a CANCEL stops a job; a
// GRAD answers one. The wire sizes are the live protocol's dense float64 encoding (WireSizeModel), so a
// simulated run counts the bytes a live one moves.

#include <cstdint>
#include <memory>
#include <variant>

#include "core/async_sgd/server.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

struct PsJob {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;
  int gradients = 1;                    ///< stochastic gradients to average (minibatch's local b)
  std::shared_ptr<const Vector> model;  ///< x at `version`
};

struct PsCancel {
  std::uint64_t jobId = 0;
};

using PsDown = std::variant<PsJob, PsCancel>;

struct PsGrad {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;  ///< echoed from the JOB
  Vector gradient;
};

using PsUp = PsGrad;

WireSize psDownWireSize(const PsDown& message);
WireSize psUpWireSize(const PsUp& message);

}  // namespace distopt
