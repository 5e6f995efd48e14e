#include "net/coordinator/live_options.hpp"

#include "net/protocol/endpoint.hpp"

namespace distopt::net {

bool LiveOptions::isValid(std::string* why) const {
  auto fail = [why](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  std::string reason;
  if (!parseEndpoint(bindEndpoint, &reason)) return fail("bind: " + reason);
  if (heartbeatMs < 10) return fail("heartbeat_ms: must be >= 10");
  if (liveness < 2) return fail("liveness: must be >= 2");
  if (!(setupTimeoutSeconds > 0)) return fail("setup_timeout: must be > 0");
  if (malformedLimit < 0) return fail("malformed_limit: must be >= 0 (0 = never exclude)");
  if (maxFrameBytes < 0) return fail("max_frame_bytes: must be >= 0 (0 = from the run)");
  if (!security.enabled && !isLoopbackEndpoint(bindEndpoint, &reason))
    return fail("bind: " + reason +
                "; binding beyond loopback needs CURVE security (distopt-run --secure): unauthenticated "
                "workers must not be able to join");
  for (const auto* endpoint : {&telemetryEndpoint, &controlEndpoint})
    if (!endpoint->empty() && !isLoopbackEndpoint(*endpoint, &reason))
      return fail(
          std::string(endpoint == &controlEndpoint ? "control" : "telemetry") + ": " + reason +
          "; these sockets bind to loopback only (whoever reaches control can stop the run); dashboards on "
          "other machines attach to the dashboard feed (--dashboard ENDPOINT --secure)");
  if (!dashboardEndpoint.empty()) {
    if (!parseEndpoint(dashboardEndpoint, &reason)) return fail("dashboard: " + reason);
    if (!security.enabled && !isLoopbackEndpoint(dashboardEndpoint, &reason))
      return fail("dashboard: " + reason +
                  "; a dashboard feed beyond loopback needs CURVE security (distopt-run --secure): only "
                  "dashboards with an allowed key may read the run");
  }
  if (security.enabled) {
    if (!curveAvailable()) return fail("secure: this libzmq was built without CURVE");
    if (!security.serverKeys.secretKey.empty() && !keyPairFromSecret(security.serverKeys.secretKey))
      return fail("secure: the server secret key is not a Z85 CURVE key");
    if (!security.joinKeys.secretKey.empty() && !keyPairFromSecret(security.joinKeys.secretKey))
      return fail("secure: the join token is not a Z85 CURVE secret key");
    for (const auto& key : security.allowedKeys)
      if (!isCurveKey(key))
        return fail("allow_key: '" + key + "' is not a 40-character Z85 CURVE public key");
    for (const auto& key : security.dashboardKeys)
      if (!isCurveKey(key))
        return fail("allow_dashboard_key: '" + key + "' is not a 40-character Z85 CURVE public key");
  }
  return true;
}

}  // namespace distopt::net
