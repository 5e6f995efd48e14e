#include "net/families/kronecker/kron_messages.hpp"

#include "core/util/check.hpp"

namespace distopt::net {

namespace {

template <typename T>
Message encodeAs(const T& message) {
  return makeKronMessage(kron::encode(message));
}

template <typename T>
bool parseAs(const Message& message, T& out, std::string* why) {
  if (message.payload.size() != 1) {
    if (why) *why = "a Kronecker message has exactly one payload frame";
    return false;
  }
  const auto& frame = message.payload.front();
  const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(frame.data()), frame.size());
  kron::MessageType type;
  if (!kron::peekType(bytes, &type) || kronKind(type) != message.kind) {
    if (why) *why = "the kron type does not match the message kind";
    return false;
  }
  return kron::decode(bytes, out, why);
}

}  // namespace

MessageKind kronKind(kron::MessageType type) {
  return static_cast<MessageKind>(kKronKindOffset + static_cast<std::uint16_t>(type));
}

Message makeKronMessage(const kron::Bytes& bytes) {
  kron::MessageType type;
  DISTOPT_CHECK(kron::peekType(bytes, &type));
  Message message = Message::of(kronKind(type));
  message.payload.emplace_back(bytes.data(), bytes.size());
  return message;
}

Message makeKronMessage(const kron::InitMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::ReadyMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::StartMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::BatchMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::PartialMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::ResidMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::LossMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::CoFireMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::EvalMessage& m) { return encodeAs(m); }
Message makeKronMessage(const kron::StatsMessage& m) { return encodeAs(m); }

bool parseKronMessage(const Message& message, kron::InitMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::ReadyMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::StartMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::BatchMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::PartialMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::ResidMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::LossMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::CoFireMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::EvalMessage& out, std::string* why) {
  return parseAs(message, out, why);
}
bool parseKronMessage(const Message& message, kron::StatsMessage& out, std::string* why) {
  return parseAs(message, out, why);
}

}  // namespace distopt::net
