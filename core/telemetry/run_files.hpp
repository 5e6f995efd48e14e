#pragma once
// A run's result files in an output folder: events.csv (one row per outcome), evaluations.csv (the
// convergence curve), metrics.csv (family-specific measurements, long format: one row per name and
// evaluation, so a new metric never changes a header) and summary.json. Written by the headless front end for both engines.

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

/// Streams events.csv and evaluations.csv as the run goes. Thread: the engine's.
class RunFileWriter : public TelemetrySink {
 public:
  /// Creates `directory` if needed and opens both files; throws InputError naming the folder if it
  /// cannot.
  explicit RunFileWriter(const std::string& directory);
  ~RunFileWriter() override;
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;

  const std::string& directory() const { return m_directory; }

 private:
  std::string m_directory;
  std::FILE* m_events = nullptr;
  std::FILE* m_evaluations = nullptr;
  std::FILE* m_metrics = nullptr;
};

/// summary.json content: the run summary plus the normalised experiment document.
nlohmann::json summaryToJson(const RunSummary& summary, const nlohmann::json& experiment);

/// Writes `json` to `path` (pretty, newline-terminated) via a temporary file and rename, so a reader
/// never sees half a file. Throws InputError on failure.
void writeJsonFile(const std::string& path, const nlohmann::json& json);

}  // namespace distopt
