#pragma once
// Registry entries of the compressed-SGD family (docs/papers.md, compressed-sgd): sgd, signsgd-mv, signum-mv,
// sparse-signsgd-mv, topk-ef, ef-signsgd, qsgd. Each builds a CompressedSimRun (engine "sim"); the live
// driver (net/families/compressed) builds the same roles from makeCompressedMethod.

#include <vector>

#include "core/registry/algorithm_entry.hpp"
#include "core/compressed/compressed_roles.hpp"

namespace distopt {

std::vector<AlgorithmEntry> compressedAlgorithmEntries();

/// The roles an entry's params describe (validated and defaults filled), for a run of `context`; throws
/// InputError naming the field. Exposed so tests and a live engine build exactly what the SimRun runs.
CompressedMethod makeCompressedMethod(const std::string& name, const nlohmann::json& params,
                                      const SimRunContext& context);

}  // namespace distopt
