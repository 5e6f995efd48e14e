#pragma once
// Recording a distopt-run run in the run store: the run row is created before the engine starts, and a
// StoreWriter sink streams its telemetry in batched transactions, so a killed coordinator still leaves
// everything up to the last batch readable (docs/architecture.md, rule 4).

#include <memory>
#include <string>

#include "core/config/experiment.hpp"
#include "core/store/store_writer.hpp"
#include "core/telemetry/run_files.hpp"

namespace distopt::app {

/// Opens (creating if needed) the store at `path`, adds a run row for `experiment`, records which row in
/// RUN_DIR/store.json (so the GUI can find a run it reattaches to), and returns the writer for it.
/// Throws InputError naming the path when the store cannot be used.
/// What the experiment's "events" field asks the run to keep (parseExperiment has checked it).
EventLog eventLogOf(const Experiment& experiment);

/// The writer keeps what eventLogOf(experiment) says; `provenance` (provenanceToJson) goes into the
/// run's provenance_json.
std::unique_ptr<StoreWriter> startRecording(const std::string& path, const Experiment& experiment,
                                            const std::string& runDirectory,
                                            const nlohmann::json& provenance);

/// The result files' options for `experiment` (its event log; the sample seeded by the run's seed).
RunFileWriter::Options resultFileOptions(const Experiment& experiment);

/// A run's outputs: its result files and, unless the run is not stored, its store record.
struct RunOutputs {
  std::unique_ptr<RunFileWriter> files;
  std::unique_ptr<StoreWriter> recording;  ///< null with --no-store

  /// Adds both to `sinks`, the store writer first: the files take its digest at the finish.
  void addTo(TelemetryFanout& sinks) const;
};

/// Creates the result files in `outDirectory`, then (when `storePath` is not empty) the run's store record:
/// in that order, so a folder that cannot be made leaves no row behind. The files take the store writer's
/// digest of the events rather than counting them again. Throws InputError as the two parts do.
RunOutputs openRunOutputs(const std::string& outDirectory, const std::string& storePath,
                          const Experiment& experiment, const nlohmann::json& provenance);

/// Stops `writer` once everything is committed; the reason its record is incomplete (a failed write,
/// e.g. a full disk), or empty when it is whole.
std::string finishRecording(std::unique_ptr<StoreWriter> writer);

}  // namespace distopt::app
