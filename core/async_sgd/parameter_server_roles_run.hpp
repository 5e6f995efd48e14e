#pragma once
// The parameter-server family's roles on the virtual network: its simulator in the shape every family
// has (core/transport/virtual_network.hpp). Every job is a JOB message with its model, computed at once
// and answered when its time-model duration has passed; a cancelled job's answer is called off. The
// SimEngine (core/sim) runs the same method without the messages — lazy gradients, no copy of a model
// per version — for the papers' thousands of workers; test_parameter_server_roles holds the two equal.

#include "core/async_sgd/parameter_server_messages.hpp"
#include "core/transport/virtual_network.hpp"

namespace distopt {

class ParameterServerRolesRun final : public RolesOnVirtualNetwork<PsDown, PsUp> {
 public:
  /// `server` (the method, built for context.numWorkers workers at context.x0) must outlive the run, as
  /// must the problem and time model in `context`.
  ParameterServerRolesRun(AsyncServer& server, const SimRunContext& context, VirtualLinkOptions links = {});
};

}  // namespace distopt
