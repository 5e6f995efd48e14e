#pragma once
// The parameter-server family live: its core roles (core/async_sgd/parameter_server_{coordinator,worker},
// the ones the roles simulator runs on the virtual network) on ZeroMQ (net/families/role_sockets.hpp, with
// the frames of parameter_server_frames). The coordinator role drives the run's AsyncServer.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver parameterServerLiveDriver();

}  // namespace distopt::net
