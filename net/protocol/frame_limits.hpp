#pragma once
// How large a frame a peer may send (ZMQ_MAXMSGSIZE: ZeroMQ disconnects a peer that announces a larger
// frame before it allocates it), and how many messages may wait per peer (ZMQ_SNDHWM/ZMQ_RCVHWM). Without
// a limit an unauthenticated peer's frame header declaring 2 GiB made the coordinator allocate what it
// sent; without a high-water mark a peer that never reads grew the coordinator's queues without bound.
// net/PROTOCOL.md §1 lists the values.

#include <cstdint>

namespace distopt::net {

/// Never below this (JSON messages, meta frames and small models fit with room to spare).
inline constexpr std::int64_t kMinFrameLimit = std::int64_t{4} << 20;
/// What a worker accepts until it has built its assignment: HELLO's answers and ASSIGN, whose experiment
/// document is a few KB. Only then does it know the run's dimension, and with it the run's limit.
inline constexpr std::int64_t kSetupFrameLimit = std::int64_t{16} << 20;
/// Control requests are one small JSON object.
inline constexpr std::int64_t kControlFrameLimit = std::int64_t{64} << 10;
/// A dashboard only ever sends subscriptions (a topic name).
inline constexpr std::int64_t kSubscriptionFrameLimit = 1024;

/// Messages queued per peer on the worker socket, each way. A worker has at most a few messages in
/// flight (a job, a cancel, heartbeats; a family's pipeline of τ + 1 rounds): one that lets this many
/// pile up does not read, and is declared dead ("not_reading").
inline constexpr int kWorkerQueueMessages = 1000;
/// Replies queued per control client: a client polls once a second and reads each reply.
inline constexpr int kControlQueueMessages = 16;

/// The frame limit for a run whose largest legitimate frame is `largestFrame` bytes: twice that plus
/// 1 MiB, never below kMinFrameLimit.
std::int64_t frameLimitFor(std::int64_t largestFrame);
/// The largest frame of a run of model dimension `dimension` whose messages carry at most two float64
/// vectors of it per frame (a model or gradient, §6; the decentralized family's packed XY gossip, 2p).
std::int64_t vectorRunLargestFrame(std::int64_t dimension);

}  // namespace distopt::net
