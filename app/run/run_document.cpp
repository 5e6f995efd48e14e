#include "run_document.hpp"

#include <filesystem>

#include "core/config/experiment.hpp"

namespace distopt::app {

nlohmann::json experimentDocument(const RunCommandLine& line, const std::vector<std::string>& extra) {
  nlohmann::json document = readExperimentFile(line.experimentPath);
  if (line.engine) document["engine"] = *line.engine;
  if (line.events) document["events"] = *line.events;
  if (line.workers) applyOverride(document, "workers.count=" + std::to_string(*line.workers));
  for (const auto& assignment : line.overrides) applyOverride(document, assignment);
  for (const auto& assignment : extra) applyOverride(document, assignment);
  return document;
}

std::string baseDirectoryOf(const RunCommandLine& line) {
  return line.baseDirectory.value_or(std::filesystem::path(line.experimentPath).parent_path().string());
}

}  // namespace distopt::app
