#pragma once
// What a dashboard's subscription frame asks of the feed (telemetry_publisher.hpp): free of sockets so
// that a fuzz target (tests/fuzz/fuzz_dashboard_subscriptions) feeds it any bytes an XPUB socket can
// hand up. Only a history request is ever answered; every other frame is ignored.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace distopt::net {

/// A dashboard subscribes to kHistoryTopicPrefix + TOKEN to get its history once, on that topic.
inline constexpr const char* kHistoryTopicPrefix = "history/";
/// A history token is 1 to this many bytes (a UUID fits).
inline constexpr std::size_t kMaxHistoryTokenBytes = 64;

/// The topic of a history request ("history/TOKEN") in a frame an XPUB socket hands up (0x01 + topic
/// for a subscription, 0x00 + topic for its end), or nullopt for anything else: an unsubscription, a
/// topic without the prefix, an empty or over-long token.
std::optional<std::string> historyTopicOf(std::string_view frame);

}  // namespace distopt::net
