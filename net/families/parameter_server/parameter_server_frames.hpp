#pragma once
// The parameter-server family's frames (net/PROTOCOL.md §5-§7: JOB, CANCEL, GRAD) for its core roles'
// messages (core/async_sgd/parameter_server_messages), without copies: a received vector is read in its
// frame, and a vector the worker writes for sending (RoleCodec::outgoingVector) is the frame it leaves in.

#include <cstdint>

#include "core/async_sgd/parameter_server_messages.hpp"
#include "net/families/role_sockets.hpp"

namespace distopt::net {

/// JOB, CANCEL and GRAD of a model of `dimension` coordinates (-1: any).
RoleCodec<PsDown, PsUp> parameterServerCodec(std::int64_t dimension);

}  // namespace distopt::net
