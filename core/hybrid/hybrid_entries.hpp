#pragma once
// The hybrid-order family's registry entries (dist-sgdm, dist-adam, fosi, dho2, mr-dho2): their options and
// how their params become HybridRunOptions, derived once here for the simulator (hybrid_sim_run) and the
// live driver (net/families/hybrid).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/algorithm_entry.hpp"
#include "core/hybrid/hybrid_run_options.hpp"
#include "core/sim/sim_run.hpp"

namespace distopt {

/// The run options of hybrid algorithm `algorithm` (a registry name of hybridAlgorithmEntries) from its
/// normalised parameters, checked against the context's problem and worker count. Throws InputError
/// naming the field. The simulator and the live driver build their options here.
HybridRunOptions hybridRunOptions(const std::string& algorithm, const nlohmann::json& params,
                                  const SimRunContext& context);

/// Registry entries: dist-sgdm, dist-adam, fosi, dho2, mr-dho2 (family "hybrid").
std::vector<AlgorithmEntry> hybridAlgorithmEntries();

}  // namespace distopt
