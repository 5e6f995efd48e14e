#pragma once
// Small, fast experiment documents of the families that run their own roles, known to run live and
// simulated in a second or two: shared by the live conformance harness (test_family_live_conformance)
// and the per-family live tests, so both exercise the same runs.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace family_documents {

using nlohmann::json;

/// Compressed SGD on a 300-dimensional noisy quadratic, `workers` workers of linear speeds.
inline json compressedExperiment(const std::string& algorithm, const json& params, int workers,
                                 std::uint64_t rounds, const std::string& engine = "live", double unitMs = 1.0) {
  return json{{"name", "compressed-live-test"},
              {"seed", 3},
              {"engine", engine},
              {"problem",
               {{"name", "quadratic"}, {"params", {{"d", 300}, {"noise", "scalar"}, {"noise_std", 0.05}}}}},
              {"algorithm", {{"name", algorithm}, {"params", params}}},
              {"workers",
               {{"count", workers},
                {"time_model", {{"name", "fixed"}, {"params", {{"h", "linear"}}}}},
                {"unit_ms", unitMs}}},
              {"stop", {{"updates", rounds}}},
              {"eval", {{"every_updates", 5}, {"grad_norm", false}}}};
}

/// A hybrid-order method on a 60-dimensional log-spaced diagonal quadratic (λ from 0.01 to 200).
inline json hybridQuadraticDocument(const std::string& algorithm, const json& params, int workers, int updates) {
  return json{
      {"name", "hybrid-live-test"},
      {"description", "test"},
      {"seed", 7},
      {"engine", "live"},
      {"problem",
       {{"name", "diagonal-quadratic"},
        {"params",
         {{"d", 60}, {"lambda_min", 0.01}, {"lambda_max", 200}, {"spacing", "log"}, {"noise_std", 0.0}}}}},
      {"algorithm", {{"name", algorithm}, {"params", params}}},
      {"workers",
       {{"count", workers}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}}, {"unit_ms", 1}}},
      {"stop", {{"updates", updates}}},
      {"eval", {{"every_updates", 5}}}};
}

/// DHO2's (and FOSI's) parameters for hybridQuadraticDocument: k = 4 of m = 12 Lanczos steps every T = 6;
/// `mode` empty leaves update_mode at its default.
inline json dho2Params(const std::string& mode) {
  json params = {{"base", "heavy-ball"},
                 {"lr", 0.005},
                 {"k", 4},
                 {"m", 12},
                 {"T", 6},
                 {"W", 1},
                 {"alpha", 0.1},
                 {"c_max", 100},
                 {"hvp_cost", 1},
                 {"ese_batch_ratio", 1}};
  if (!mode.empty()) params["update_mode"] = mode;
  return params;
}

/// kron-fast on the Kronecker two-layer problem (m = 64 neurons, n = 16 samples, d = d1·d2).
inline json kronExperiment(const std::string& engine, int workers, int staleness, std::int64_t d1, std::int64_t d2,
                           int updates, const std::string& timeModel = "natural") {
  return json{{"name", "kron-live-test"},
              {"seed", 7},
              {"engine", engine},
              {"problem",
               {{"name", "kron-two-layer"},
                {"params", {{"m", 64}, {"n", 16}, {"d1", d1}, {"d2", d2}, {"batch", 4}}}}},
              {"algorithm", {{"name", "kron-fast"}, {"params", {{"staleness", staleness}}}}},
              {"workers",
               {{"count", workers},
                {"time_model", {{"name", timeModel}, {"params", json::object()}}},
                {"unit_ms", 1.0}}},
              {"stop", {{"updates", updates}, {"time", 1e6}}},
              {"eval", {{"every_updates", 4}, {"grad_norm", true}}}};
}

}  // namespace family_documents
