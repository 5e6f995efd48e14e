#include "core/registry/registry.hpp"

#include "core/async_sgd/asgd.hpp"
#include "core/async_sgd/da_asgd.hpp"
#include "core/async_sgd/minibatch.hpp"
#include "core/async_sgd/naive_optimal.hpp"
#include "core/async_sgd/rennala.hpp"
#include "core/async_sgd/ringmaster.hpp"
#include "core/compressed/compressed_entries.hpp"
#include "core/decentralized/decentralized_entries.hpp"
#include "core/hybrid/hybrid_entries.hpp"
#include "core/kronecker/kron_entries.hpp"
#include "core/problems/diagonal_quadratic_problem.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/logistic_problem.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/problems/quadratic_problem.hpp"
#include "core/problems/softmax_problem.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

template <typename Entry>
const Entry* findIn(const std::vector<Entry>& entries, const std::string& name) {
  for (const auto& entry : entries)
    if (entry.name == name) return &entry;
  return nullptr;
}

template <typename Entry>
std::string namesOf(const std::vector<Entry>& entries) {
  std::string names;
  for (const auto& entry : entries) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

// What each family adds to the registry.
struct FamilyEntries {
  std::vector<AlgorithmEntry> algorithms;
  std::vector<ProblemEntry> problems;  ///< the family's own problems, after the general ones
};

// The registry's one list. No default: a new FamilyId does not build until it is here.
FamilyEntries entriesOf(FamilyId family) {
  switch (family) {
    case FamilyId::Async:
      return {.algorithms = {ringmasterAlgorithmEntry(), asgdAlgorithmEntry(), daAsgdAlgorithmEntry(),
                             rennalaAlgorithmEntry(), minibatchAlgorithmEntry(),
                             naiveOptimalAlgorithmEntry()}};
    case FamilyId::Compressed:
      return {.algorithms = compressedAlgorithmEntries()};
    case FamilyId::Decentralized:
      return {.algorithms = decentralizedAlgorithmEntries(), .problems = decentralizedProblemEntries()};
    case FamilyId::Kronecker:
      return {.algorithms = kronAlgorithmEntries(), .problems = kronProblemEntries()};
    case FamilyId::Hybrid:
      return {.algorithms = hybridAlgorithmEntries()};
  }
  return {};
}

// The family's needs first: what the family's roles need is refused before what an option asks for.
void addFamilyNeeds(AlgorithmEntry& entry, const FamilyDescriptor& family) {
  std::vector<ProblemNeed> needs;
  for (const ProblemCapability capability : family.problemNeeds) needs.push_back({.capability = capability});
  needs.insert(needs.end(), entry.problemNeeds.begin(), entry.problemNeeds.end());
  entry.problemNeeds = std::move(needs);
}

// Indexed by FamilyId, each algorithm stamped with its family and given the family's needs.
const std::vector<FamilyEntries>& familyEntries() {
  static const std::vector<FamilyEntries> all = [] {
    std::vector<FamilyEntries> families;
    for (const auto& family : kFamilyDescriptors) {
      FamilyEntries entries = entriesOf(family.id);
      for (auto& entry : entries.algorithms) {
        entry.family = family.id;
        addFamilyNeeds(entry, family);
      }
      families.push_back(std::move(entries));
    }
    return families;
  }();
  return all;
}

}  // namespace

const std::vector<ProblemEntry>& problemEntries() {
  static const std::vector<ProblemEntry> entries = [] {
    std::vector<ProblemEntry> all = {quadraticProblemEntry(),    diagonalQuadraticProblemEntry(),
                                     leastSquaresProblemEntry(), logisticProblemEntry(),
                                     softmaxProblemEntry(),      mlpProblemEntry()};
    for (const auto& family : familyEntries())
      all.insert(all.end(), family.problems.begin(), family.problems.end());
    return all;
  }();
  return entries;
}

const std::vector<TimeModelEntry>& timeModelEntries() {
  static const std::vector<TimeModelEntry> entries = allTimeModelEntries();
  return entries;
}

const std::vector<AlgorithmEntry>& algorithmEntries() {
  static const std::vector<AlgorithmEntry> entries = [] {
    std::vector<AlgorithmEntry> all;
    for (const auto& family : familyEntries())
      all.insert(all.end(), family.algorithms.begin(), family.algorithms.end());
    return all;
  }();
  return entries;
}

const ProblemEntry* findProblem(const std::string& name) { return findIn(problemEntries(), name); }
const TimeModelEntry* findTimeModel(const std::string& name) { return findIn(timeModelEntries(), name); }
const AlgorithmEntry* findAlgorithm(const std::string& name) { return findIn(algorithmEntries(), name); }

const char* problemCapabilityText(ProblemCapability capability) {
  switch (capability) {
    case ProblemCapability::HessianVectorProduct:
      return "a Hessian-vector product";
    case ProblemCapability::BatchHessianVectorProduct:
      return "a per-batch Hessian-vector product";
    case ProblemCapability::FiniteDataSet:
      return "a finite data set";
    case ProblemCapability::KronTwoLayer:
      return "the Kronecker two-layer network";
  }
  return "?";
}

void checkProblemNeeds(const AlgorithmEntry& algorithm, const nlohmann::json& algorithmParams,
                       const ProblemEntry& problem) {
  for (const ProblemNeed& need : algorithm.problemNeeds) {
    if (problem.has(need.capability)) continue;
    if (!need.option.empty() && need.when && !need.when(algorithmParams)) continue;
    std::string offering;
    for (const auto& entry : problemEntries())
      if (entry.has(need.capability)) offering += (offering.empty() ? "" : ", ") + entry.name;
    const std::string who =
        need.option.empty() ? "algorithm \"" + algorithm.name + "\"" : "\"" + need.option + "\" as set";
    throw InputError(need.option.empty() ? "problem.name" : "algorithm.params." + need.option,
                     who + " needs a problem with " + problemCapabilityText(need.capability) + "; \"" +
                         problem.name + "\" has none (problems that have it: " +
                         (offering.empty() ? std::string("none") : offering) + ")");
  }
}

std::string problemNames() { return namesOf(problemEntries()); }
std::string timeModelNames() { return namesOf(timeModelEntries()); }
std::string algorithmNames() { return namesOf(algorithmEntries()); }

}  // namespace distopt
