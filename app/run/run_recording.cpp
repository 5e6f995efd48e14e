#include "run_recording.hpp"

#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "distopt_version.hpp"

namespace distopt::app {

std::unique_ptr<StoreWriter> startRecording(const std::string& path, const Experiment& experiment,
                                            const std::string& runDirectory) {
  auto store = RunStore::open(path);
  RunRecord record;
  record.name = experiment.name;
  record.experimentJson = experiment.document.dump();
  record.programVersion = kVersionString;
  record.seed = experiment.seed;
  record.algorithm = experiment.algorithm.name;
  record.problem = experiment.problem.name;
  record.engine = experiment.engine;
  record.workers = experiment.workers;
  const std::int64_t runId = store->createRun(record);
  writeStoreLocation(runDirectory, StoreLocation{.path = store->path(), .runId = runId});
  return std::make_unique<StoreWriter>(std::move(store), runId);
}

}  // namespace distopt::app
