#include "net/telemetry/history_subscription.hpp"

namespace distopt::net {

std::optional<std::string> historyTopicOf(std::string_view frame) {
  const std::string_view prefix = kHistoryTopicPrefix;
  if (frame.size() < 1 + prefix.size() + 1 || frame[0] != 1 || frame.substr(1, prefix.size()) != prefix)
    return std::nullopt;
  const std::string_view topic = frame.substr(1);
  if (topic.size() > prefix.size() + kMaxHistoryTokenBytes) return std::nullopt;
  return std::string(topic);
}

}  // namespace distopt::net
