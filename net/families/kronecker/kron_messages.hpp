#pragma once
// The Kronecker family's DOPT messages (net/PROTOCOL.md §13): one kind per kron message type
// (kind = 63 + type, 64..73), one payload frame holding the exact kron_protocol encoding. The only
// code of the family that builds or parses its frames.

#include <string>

#include "core/kronecker/kron_protocol.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

inline constexpr std::uint16_t kKronKindOffset = 63;

/// The DOPT kind of a kron message type.
MessageKind kronKind(kron::MessageType type);

Message makeKronMessage(const kron::InitMessage& message);
Message makeKronMessage(const kron::ReadyMessage& message);
Message makeKronMessage(const kron::StartMessage& message);
Message makeKronMessage(const kron::BatchMessage& message);
Message makeKronMessage(const kron::PartialMessage& message);
Message makeKronMessage(const kron::ResidMessage& message);
Message makeKronMessage(const kron::LossMessage& message);
Message makeKronMessage(const kron::CoFireMessage& message);
Message makeKronMessage(const kron::EvalMessage& message);
Message makeKronMessage(const kron::StatsMessage& message);
/// A message carrying already-encoded kron bytes (e.g. one BATCH encoded once for every worker).
Message makeKronMessage(const kron::Bytes& bytes);

/// Strict parsers: false (why set) unless the message has exactly one payload frame whose kron type
/// matches the DOPT kind and whose bytes decode as that type (length, padding, flags).
bool parseKronMessage(const Message& message, kron::InitMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::ReadyMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::StartMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::BatchMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::PartialMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::ResidMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::LossMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::CoFireMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::EvalMessage& out, std::string* why);
bool parseKronMessage(const Message& message, kron::StatsMessage& out, std::string* why);

}  // namespace distopt::net
