#pragma once
// What one of a family's messages costs on the wire as the simulator counts it: the bytes its papers
// count (the encoded message, no transport framing) and the bandwidth kind it is charted under.

#include <cstdint>
#include <string_view>

namespace distopt {

struct WireSize {
  std::uint64_t bytes = 0;  ///< 0: nothing the family's papers count (e.g. an order without payload)
  /// A string with static storage (a literal or a kind table's entry): the simulator keeps the view for
  /// the whole run, and building no string per message keeps a message's cost to its own bytes.
  std::string_view kind;
};

}  // namespace distopt
