#pragma once
// Recording a distopt-run run in the run store: the run row is created before the engine starts, and a
// StoreWriter sink streams its telemetry in batched transactions, so a killed coordinator still leaves
// everything up to the last batch readable (DESIGN.md §4).

#include <memory>
#include <string>

#include "core/config/experiment.hpp"
#include "core/store/store_writer.hpp"

namespace distopt::app {

/// Opens (creating if needed) the store at `path`, adds a run row for `experiment`, records which row in
/// RUN_DIR/store.json (so the GUI can find a run it reattaches to), and returns the writer for it.
/// Throws InputError naming the path when the store cannot be used.
/// `provenance` (provenanceToJson) goes into the run's provenance_json.
std::unique_ptr<StoreWriter> startRecording(const std::string& path, const Experiment& experiment,
                                            const std::string& runDirectory,
                                            const nlohmann::json& provenance);

}  // namespace distopt::app
