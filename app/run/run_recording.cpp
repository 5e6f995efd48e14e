#include "run_recording.hpp"

#include <filesystem>

#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/util/build_info.hpp"

namespace distopt::app {

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
  const std::int64_t runId = store->createRun(record);
  try {
    // Absolute: the GUI reading it runs in another working directory.
    writeStoreLocation(runDirectory, StoreLocation{.path = std::filesystem::absolute(store->path()).string(), .runId = runId});
  } catch (...) {
    store->deleteRun(runId);  // refused input leaves no half-made run behind
    throw;
  }
  return std::make_unique<StoreWriter>(std::move(store), runId);
}

}  // namespace distopt::app
