// The hybrid-order family's DOPT messages (net/families/hybrid/hybrid_messages: HY_*, LZ_*): the meta
// frame alone, then meta and vector frame with the count the receiving role expects.
#include <cstddef>
#include <cstdint>

#include "fuzz_messages.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  using namespace distopt::net;
  fuzz::FuzzInput input(data, size);
  const std::int64_t expectedCount = static_cast<std::int64_t>(input.upTo(4096)) - 1;
  // Every kind of the family's range, including the unassigned ones a parser must refuse.
  const auto kind =
      static_cast<MessageKind>(static_cast<std::uint16_t>(MessageKind::HyBegin) + input.byte() % 16);
  Message message = fuzz::messageOf(kind, input);
  std::string why;
  HybridMeta meta;
  (void)parseHybridMeta(message, &meta, &why);
  Vector values;
  (void)parseHybrid(message, expectedCount, &meta, &values, &why);
  return 0;
}
