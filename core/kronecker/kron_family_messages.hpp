#pragma once
// The Kronecker family's messages as its roles exchange them (kron_family_coordinator, kron_family_worker)
// and what each costs on the wire: the exact kron_protocol encodings (net/PROTOCOL.md §13 carries those
// bytes in one frame), so the simulator counts what a live run sends.

#include <variant>

#include "core/kronecker/kron_protocol.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

/// Coordinator to worker.
using KronDown =
    std::variant<kron::InitMessage, kron::StartMessage, kron::BatchMessage, kron::ResidMessage, kron::EvalMessage>;
/// Worker to coordinator.
using KronUp = std::variant<kron::ReadyMessage, kron::PartialMessage, kron::LossMessage, kron::CoFireMessage,
                            kron::StatsMessage>;

WireSize kronDownWireSize(const KronDown& message);
WireSize kronUpWireSize(const KronUp& message);

}  // namespace distopt
