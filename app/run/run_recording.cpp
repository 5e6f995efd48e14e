#include "run_recording.hpp"

#include <filesystem>

#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/util/build_info.hpp"

namespace distopt::app {

EventLog eventLogOf(const Experiment& experiment) {
  const auto& document = experiment.document;
  if (!document.is_object() || !document.contains("events") || !document["events"].is_string())
    return EventLog::Aggregates;
  return eventLogFromName(document["events"].get<std::string>()).value_or(EventLog::Aggregates);
}

std::unique_ptr<StoreWriter> startRecording(const std::string& path, const Experiment& experiment,
                                            const std::string& runDirectory,
                                            const nlohmann::json& provenance) {
  auto store = RunStore::open(path);
  RunRecord record;
  record.name = experiment.name;
  record.experimentJson = experiment.document.dump();
  record.programVersion = programVersion();
  record.provenanceJson = provenance.dump();
  record.seed = experiment.seed;
  record.algorithm = experiment.algorithm.name;
  record.problem = experiment.problem.name;
  record.engine = experiment.engine;
  record.workers = experiment.workers;
  record.eventLog = eventLogOf(experiment);
  const std::int64_t runId = store->createRun(record);
  try {
    // Absolute: the GUI reading it runs in another working directory.
    writeStoreLocation(runDirectory, StoreLocation{.path = std::filesystem::absolute(store->path()).string(),
                                                   .runId = runId});
  } catch (...) {
    store->deleteRun(runId);  // refused input leaves no half-made run behind
    throw;
  }
  StoreWriter::Options options;
  options.eventLog = eventLogOf(experiment);
  options.sample.seed = experiment.seed;
  return std::make_unique<StoreWriter>(std::move(store), runId, options);
}

RunFileWriter::Options resultFileOptions(const Experiment& experiment) {
  RunFileWriter::Options options;
  options.eventLog = eventLogOf(experiment);
  options.sample.seed = experiment.seed;
  return options;
}

void RunOutputs::addTo(TelemetryFanout& sinks) const {
  if (recording) sinks.add(recording.get());
  if (files) sinks.add(files.get());
}

RunOutputs openRunOutputs(const std::string& outDirectory, const std::string& storePath,
                          const Experiment& experiment, const nlohmann::json& provenance) {
  RunOutputs outputs;
  outputs.files = std::make_unique<RunFileWriter>(outDirectory, resultFileOptions(experiment));
  if (!storePath.empty()) {
    outputs.recording = startRecording(storePath, experiment, outDirectory, provenance);
    outputs.files->useDigestOf(*outputs.recording);
  }
  return outputs;
}

std::string finishRecording(std::unique_ptr<StoreWriter> writer) {
  const std::string error = writer->error();
  const std::uint64_t dropped = writer->droppedItems();
  writer.reset();  // joins the writer: everything it could commit is committed once this returns
  if (error.empty()) return {};
  return "the run store lost data: " + error + " (" + std::to_string(dropped) + " records dropped)";
}

}  // namespace distopt::app
