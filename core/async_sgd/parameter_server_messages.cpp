#include "core/async_sgd/parameter_server_messages.hpp"

#include "core/sim/sim_engine.hpp"

namespace distopt {
namespace {

constexpr WireSizeModel kWire;

std::uint64_t vectorBytes(Eigen::Index size) { return static_cast<std::uint64_t>(size) * kWire.bytesPerScalar; }

}  // namespace

WireSize psDownWireSize(const PsDown& message) {
  if (const auto* job = std::get_if<PsJob>(&message))
    return {.bytes = kWire.jobFixed + vectorBytes(job->model.size()), .kind = "JOB"};
  return {.bytes = kWire.cancel, .kind = "CANCEL"};
}

WireSize psUpWireSize(const PsUp& message) {
  return {.bytes = kWire.gradFixed + vectorBytes(message.gradient.size()), .kind = "GRAD"};
}

}  // namespace distopt
