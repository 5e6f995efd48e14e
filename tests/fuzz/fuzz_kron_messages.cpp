// The Kronecker family: every kron_protocol decoder (core/kronecker/kron_protocol) on raw bytes, and
// the DOPT wrapping that checks the kind against the kron type (net/families/kronecker/kron_messages).
#include <cstddef>
#include <cstdint>

#include "core/kronecker/kron_protocol.hpp"
#include "fuzz_messages.hpp"
#include "net/families/kronecker/kron_messages.hpp"

namespace {

template <typename Out>
void decodeBoth(distopt::net::Message& message, std::span<const std::uint8_t> bytes) {
  std::string why;
  Out direct;
  (void)distopt::kron::decode(bytes, direct, &why);
  Out wrapped;
  (void)distopt::net::parseKronMessage(message, wrapped, &why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  using namespace distopt::net;
  fuzz::FuzzInput input(data, size);
  const auto type = static_cast<kron::MessageType>(1 + input.byte() % 10);
  const auto bytes = input.rest();
  kron::MessageType peeked{};
  (void)kron::peekType(bytes, &peeked);
  Message message = Message::of(kronKind(type));
  message.payload.emplace_back(bytes.data(), bytes.size());
  switch (type) {
    case kron::MessageType::Init:
      decodeBoth<kron::InitMessage>(message, bytes);
      break;
    case kron::MessageType::Ready:
      decodeBoth<kron::ReadyMessage>(message, bytes);
      break;
    case kron::MessageType::Start:
      decodeBoth<kron::StartMessage>(message, bytes);
      break;
    case kron::MessageType::Batch:
      decodeBoth<kron::BatchMessage>(message, bytes);
      break;
    case kron::MessageType::Partial:
      decodeBoth<kron::PartialMessage>(message, bytes);
      break;
    case kron::MessageType::Resid:
      decodeBoth<kron::ResidMessage>(message, bytes);
      break;
    case kron::MessageType::Loss:
      decodeBoth<kron::LossMessage>(message, bytes);
      break;
    case kron::MessageType::CoFire:
      decodeBoth<kron::CoFireMessage>(message, bytes);
      break;
    case kron::MessageType::Eval:
      decodeBoth<kron::EvalMessage>(message, bytes);
      break;
    case kron::MessageType::Stats:
      decodeBoth<kron::StatsMessage>(message, bytes);
      break;
  }
  return 0;
}
