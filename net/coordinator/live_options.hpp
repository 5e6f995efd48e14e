#pragma once
// The options of a live run's worker pool (WorkerPool, worker_pool.hpp): its endpoints, heartbeat and
// limits, and CURVE security; checked by LiveOptions::isValid before anything is bound.

#include <cstdint>
#include <string>
#include <vector>

#include "net/security/curve_keys.hpp"

namespace distopt::net {

/// CURVE on the worker socket. Required to bind it beyond loopback (docs/architecture.md, rule 7:
/// unauthenticated peers are refused); local runs on loopback may go without.
struct SecurityOptions {
  bool enabled = false;
  /// The coordinator's key pair for this run; made fresh when empty.
  CurveKeyPair serverKeys;
  /// Public keys (Z85) of the workers allowed in, besides the join token's.
  std::vector<std::string> allowedKeys;
  /// Make a per-run join token: the secret key of a client key pair whose public key is allowed. It is
  /// what the "connect a remote worker" command line carries.
  bool joinToken = true;
  /// The join token's key pair when it is fixed in advance (distopt-run: DISTOPT_JOIN_TOKEN, for workers
  /// that get it from a cluster's secret store); made fresh when empty.
  CurveKeyPair joinKeys;
  /// Public keys (Z85) of the dashboards allowed to attach to the dashboard feed (their own keys, made
  /// by each workbench once: ui/remote/dashboard_identity). Worker keys are not dashboard keys.
  std::vector<std::string> dashboardKeys;
  /// Make a per-run dashboard token too (the secret key of another client pair, allowed on the
  /// dashboard feed only): what the attach command line carries.
  bool dashboardToken = true;
};

struct LiveOptions {
  /// Where workers connect (ROUTER bind). A wildcard port ("*") picks a free one.
  std::string bindEndpoint = "tcp://127.0.0.1:*";
  /// Workers to spawn on this machine; -1 = all of them; fewer = wait for the rest to connect.
  int localWorkers = -1;
  /// distopt-worker program; empty = beside the running program.
  std::string workerBinary;
  /// Heartbeat interval (ms) both ways, and intervals of silence before a peer counts as lost.
  int heartbeatMs = 1000;
  int liveness = 3;
  /// Seconds to wait for every worker to connect and load its data (distopt-run --setup-timeout); local
  /// workers are told to wait as long for the coordinator's first answer (distopt-worker --wait).
  double setupTimeoutSeconds = 60.0;
  /// A worker whose messages were refused (malformed, PROTOCOL.md §8) this many times is excluded from
  /// the run with the reason "malformed: ..." (its job counts as lost); 0 = never.
  int malformedLimit = 20;
  /// The largest frame a worker may send (ZMQ_MAXMSGSIZE on the worker socket; a peer that sends a
  /// larger one is disconnected before it is stored); 0 = from the run (net/protocol/frame_limits.hpp).
  std::int64_t maxFrameBytes = 0;
  /// Telemetry PUB endpoint (batched, <= 20 Hz); empty = none.
  std::string telemetryEndpoint;
  /// Control ROUTER endpoint (status, stop, exclude, allow_key); empty = none. An ipc:// socket in a
  /// private folder (run_directory.hpp): whoever reaches it can stop the run and read the join token.
  /// bind() takes that folder for the run (creating it when missing) and removes it at the end.
  std::string controlEndpoint;
  /// Dashboard feed (read-only telemetry for dashboards on other machines, with history for late
  /// attachers; net/telemetry/telemetry_publisher.hpp); empty = none. Beyond loopback it needs security.
  std::string dashboardEndpoint;
  SecurityOptions security;

  bool isValid(std::string* why) const;
};

}  // namespace distopt::net
