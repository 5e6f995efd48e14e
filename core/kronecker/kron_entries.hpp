#pragma once
// The Kronecker family's registry entries: "kron-naive" and "kron-fast" (their options, how their params
// become KronSimRun::Settings) and the "kron-two-layer" problem. The simulator itself is kron_sim_run.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/algorithm_entry.hpp"
#include "core/kronecker/kron_sim_run.hpp"
#include "core/registry/component.hpp"

namespace distopt {

/// The settings of `algorithm` ("kron-naive" or "kron-fast") from its normalised params (defaults
/// filled by the registry); throws InputError naming `path`.field. The live coordinator uses it too.
KronSimRun::Settings kronSettingsFrom(const std::string& algorithm, const nlohmann::json& params,
                                      const std::string& path);
/// The problem of a kronecker run; throws InputError when it is not "kron-two-layer".
const KronTwoLayerProblem& kronProblemOf(const SimRunContext& context);

/// Registry entries "kron-naive" and "kron-fast" (family "kronecker").
std::vector<AlgorithmEntry> kronAlgorithmEntries();
/// Registry entry "kron-two-layer".
std::vector<ProblemEntry> kronProblemEntries();

}  // namespace distopt
