// The frames a dashboard feed's XPUB socket hands up (net/telemetry/history_subscription:
// historyTopicOf), as many as the input holds: any bytes a subscriber can send. Only a history request
// may come out, and only one the feed can answer on its own topic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_input.hpp"
#include "net/telemetry/history_subscription.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt::net;
  distopt::fuzz::FuzzInput input(data, size);
  const std::string_view prefix = kHistoryTopicPrefix;
  while (!input.empty()) {
    const auto frame = input.frame();
    const std::string_view bytes(reinterpret_cast<const char*>(frame.data()), frame.size());
    const auto topic = historyTopicOf(bytes);
    if (!topic) continue;
    // A subscription (0x01), to "history/" + a 1..kMaxHistoryTokenBytes token, the frame's own topic.
    if (bytes[0] != 1 || topic->substr(0, prefix.size()) != prefix || topic->size() <= prefix.size() ||
        topic->size() > prefix.size() + kMaxHistoryTokenBytes || bytes.substr(1) != *topic)
      std::abort();
  }
  return 0;
}
