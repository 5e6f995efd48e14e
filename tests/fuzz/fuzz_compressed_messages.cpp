// The compressed-SGD family's DOPT messages (net/families/compressed/compressed_messages: ROUND_START,
// DOWN_*, UP_*, HASH) and, for the ones that parse, the codec decoder the receiving role runs next.
#include <cstddef>
#include <cstdint>

#include "codec_dispatch.hpp"
#include "fuzz_messages.hpp"
#include "net/families/compressed/compressed_messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  using namespace distopt::net;
  fuzz::FuzzInput input(data, size);
  const std::uint64_t dimension = 1 + input.upTo(4095);
  const int sender = static_cast<int>(input.upTo(63));
  fuzz::CodecParameters parameters;
  parameters.bucket = 1 + input.upTo(dimension - 1);
  parameters.levels = static_cast<std::uint32_t>(1 + input.upTo(255));
  parameters.segments = static_cast<std::size_t>(1 + input.upTo(15));
  const auto kind =
      static_cast<MessageKind>(static_cast<std::uint16_t>(MessageKind::CompRoundStart) + input.byte() % 16);
  Message message = fuzz::messageOf(kind, input);
  std::string why;
  if (kind == MessageKind::CompHash) {
    std::uint64_t round = 0;
    std::uint64_t hash = 0;
    (void)parseReplicaHash(message, dimension, sender, &round, &hash, &why);
  } else if (isCompressedUplinkKind(kind)) {
    UplinkReport report;
    if (parseUplink(message, dimension, sender, &report, &why))
      (void)fuzz::decodeAny(report.message, dimension, parameters);
  } else {
    RoundOrder order;
    if (parseRoundOrder(message, dimension, &order, &why) && order.downlink)
      (void)fuzz::decodeAny(*order.downlink, dimension, parameters);
  }
  return 0;
}
