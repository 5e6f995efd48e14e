#include "core/telemetry/telemetry.hpp"

namespace distopt {

const char* terminationName(Termination termination) {
  switch (termination) {
    case Termination::TimeLimit: return "time_limit";
    case Termination::UpdateLimit: return "update_limit";
    case Termination::TargetReached: return "target_reached";
    case Termination::Diverged: return "diverged";
    case Termination::Stopped: return "stopped";
    case Termination::Stalled: return "stalled";
    case Termination::Failed: return "failed";
    case Termination::ByteLimit: return "byte_limit";
    case Termination::GradientLimit: return "gradient_limit";
  }
  return "unknown";
}

}  // namespace distopt
