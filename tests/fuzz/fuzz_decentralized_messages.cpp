// The decentralized family's DOPT messages (net/families/decentralized/decentralized_messages:
// DEC_START, DEC_ENDPOINT, DEC_PEERS, DEC_GOSSIP, DEC_PROGRESS, DEC_STATE) and the gossip frame a node
// decodes from DEC_GOSSIP (core/decentralized/gossip_message).
#include <cstddef>
#include <cstdint>

#include "core/decentralized/gossip_message.hpp"
#include "fuzz_messages.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  using namespace distopt::net;
  fuzz::FuzzInput input(data, size);
  const std::int64_t dimension = static_cast<std::int64_t>(input.upTo(4096)) - 1;
  const bool tracking = input.byte() & 1U;
  const auto kind =
      static_cast<MessageKind>(static_cast<std::uint16_t>(MessageKind::DecStart) + input.byte() % 6);
  Message message = fuzz::messageOf(kind, input);
  std::string why;
  switch (kind) {
    case MessageKind::DecStart: {
      DecStart start;
      (void)parseDecStart(message, &start, &why);
      break;
    }
    case MessageKind::DecEndpoint: {
      std::string endpoint;
      (void)parseDecEndpoint(message, &endpoint, &why);
      break;
    }
    case MessageKind::DecPeers: {
      std::vector<PeerEndpoint> peers;
      (void)parseDecPeers(message, &peers, &why);
      break;
    }
    case MessageKind::DecGossip: {
      std::span<const std::uint8_t> gossip;
      if (!parseDecGossip(message, &gossip, &why)) break;
      GossipTag tag;
      (void)peekGossipTag(gossip, tag);
      Vector payload;
      (void)decodeGossipMessage(gossip, dimension, tag, payload, &why);
      break;
    }
    default: {
      NodeReport report;
      NodeStateVectors state;
      (void)parseDecReport(message, dimension, tracking, &report,
                           kind == MessageKind::DecState ? &state : nullptr, &why);
      break;
    }
  }
  return 0;
}
