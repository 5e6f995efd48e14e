#pragma once
// The parameter-server family on live workers: each worker runs the core worker role
// (core/async_sgd/parameter_server_worker) on ZeroMQ (net/families/role_sockets.hpp, with the frames of
// parameter_server_frames) — the role the roles simulator runs on the virtual network; the coordinator is
// the ParameterServerRole around the run's AsyncServer.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver parameterServerLiveDriver();

}  // namespace distopt::net
