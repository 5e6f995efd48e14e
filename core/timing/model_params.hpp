#pragma once
// Shared plumbing for the time-model registry entries: each make() re-validates its params so that a
// model built directly (tests, tools, a nested stragglers base) gets the same checks and messages as
// one built from an experiment file.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/option_spec.hpp"

namespace distopt {

/// Returns `params` with defaults filled, or throws InputError whose where() is "PATH.FIELD" (or PATH
/// when the params object itself is wrong), as validateAndFillOptions reports it.
nlohmann::json checkedParams(const std::vector<OptionSpec>& specs, const nlohmann::json& params,
                             const std::string& path);

/// Throws InputError(path, ...) unless numWorkers >= 1.
void requireWorkers(int numWorkers, const std::string& path);

/// The time scale option "c" (a number > 0 in time units, default 1) that several models share;
/// only its help text differs.
OptionSpec scaleOption(const std::string& help);

}  // namespace distopt
