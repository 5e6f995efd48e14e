#pragma once
// Every registered problem, time model and algorithm, by name. Front ends (experiment files,
// `distopt-run --list`, GUI forms) look components up here and nowhere else.

#include <string>
#include <vector>

#include "core/registry/algorithm_entry.hpp"
#include "core/registry/component.hpp"

namespace distopt {

const std::vector<ProblemEntry>& problemEntries();
const std::vector<TimeModelEntry>& timeModelEntries();
const std::vector<AlgorithmEntry>& algorithmEntries();

/// nullptr when unknown.
const ProblemEntry* findProblem(const std::string& name);
const TimeModelEntry* findTimeModel(const std::string& name);
const AlgorithmEntry* findAlgorithm(const std::string& name);

/// Throws InputError when `problem` lacks something `algorithm` needs with these validated params: the
/// field is "problem.name" (or the algorithm option that asks for it), the message names the
/// algorithm, what it needs and the problems that offer it.
void checkProblemNeeds(const AlgorithmEntry& algorithm, const nlohmann::json& algorithmParams,
                       const ProblemEntry& problem);

/// "a, b, c" list of registered names, for error messages.
std::string problemNames();
std::string timeModelNames();
std::string algorithmNames();

}  // namespace distopt
