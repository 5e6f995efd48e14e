#pragma once
// "Prune…" in the run history: delete the runs beyond the newest N, or those older than D days, as
// `distopt-run runs prune` does (the same rule, core/store/run_prune). The user first sees how many runs
// go and how much space the store gives back, measured on the store itself, and confirms.
// Thread: GUI thread only.

#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/store/run_prune.hpp"

class QWidget;

namespace distopt::ui {

/// What a prune deletes and the bytes the store file gives back.
struct PrunePlan {
  std::vector<RunInfo> runs;
  std::uint64_t bytes = 0;
};

/// The plan for `rule` on `store` (nothing is deleted). Throws what the store throws.
PrunePlan planPrune(RunStore& store, const PruneRule& rule);

/// The confirmation: how many runs, which (the first few), and how much space.
QString pruneQuestion(const PrunePlan& plan);

/// Asks for the rule (keep the newest N / delete older than D days); nullopt when cancelled.
std::optional<PruneRule> askPruneRule(QWidget* parent);

}  // namespace distopt::ui
