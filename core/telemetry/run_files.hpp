#pragma once
// A run's result files in an output folder: evaluations.csv (the convergence curve), metrics.csv
// (family-specific measurements, long format: one row per name and evaluation, so a new metric never
// changes a header), delays.csv.gz (the exact delay histogram: count per worker, outcome and delay;
// compressed because a run whose slow workers see thousands of distinct delays has a row for each: 3.3 MB
// of CSV for one DA-ASGD E1 run, 0.6 MB gzipped),
// events_sample.csv (the first and a uniform sample of the other update events) and summary.json; with
// EventLog::Full also events.csv.gz (one row per outcome). Written by the headless front end for both
// engines. A file that cannot be written (full disk) is cut back to whole lines and reported by error().

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/telemetry/line_file.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

/// Streams the result files as the run goes. Thread: the engine's.
class RunFileWriter : public TelemetrySink {
 public:
  struct Options {
    EventLog eventLog = EventLog::Aggregates;
    EventSample::Options sample;
    bool isValid(std::string* why) const { return sample.isValid(why); }
  };

  /// Creates `directory` if needed and opens the files; throws InputError naming the folder or file if
  /// it cannot.
  RunFileWriter(const std::string& directory, const Options& options);
  explicit RunFileWriter(const std::string& directory) : RunFileWriter(directory, Options{}) {}
  ~RunFileWriter() override;
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  /// Takes delays.csv.gz and events_sample.csv from `source`, which already digests the same events (the
  /// run store writer), instead of counting every event a second time on the engine's thread. Call
  /// before the first event; `source` must see the finish first (add it to the fanout before this writer).
  void useDigestOf(const RunDigestSource& source) { m_digest = &source; }

  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  /// Writes delays.csv.gz and events_sample.csv and closes every file.
  void onFinish(const RunSummary& summary) override;

  const std::string& directory() const { return m_directory; }
  /// The first write error ("FILE: what failed"), empty while all is well.
  const std::string& error() const { return m_error; }

 private:
  void note(const LineFile& file);

  std::string m_directory;
  Options m_options;
  std::unique_ptr<LineFile> m_events;  // EventLog::Full only
  std::unique_ptr<LineFile> m_evaluations;
  std::unique_ptr<LineFile> m_metrics;
  const RunDigestSource* m_digest = nullptr;
  DelayCounts m_delays;  // when m_digest is null
  EventSample m_sample;
  bool m_finished = false;
  std::string m_error;
};

/// The headers of events.csv(.gz) and events_sample.csv, evaluations.csv and metrics.csv.
extern const char* const kEventsCsvHeader;
extern const char* const kEvaluationsCsvHeader;
extern const char* const kMetricsCsvHeader;
/// One evaluations.csv row and its metrics.csv rows (a run streams them as they come).
void writeEvaluationRows(LineFile& evaluations, LineFile& metrics, const EvaluationPoint& point);
/// Whole evaluations.csv and metrics.csv: the headers, then every point's rows.
void writeEvaluationRows(LineFile& evaluations, LineFile& metrics,
                         const std::vector<EvaluationPoint>& points);
/// One events.csv row.
void writeEventRow(LineFile& file, const UpdateEvent& event);
/// A whole event file (events.csv.gz, events_sample.csv): the header, then every event's row.
void writeEventRows(LineFile& file, const std::vector<UpdateEvent>& events);
/// Writes delays.csv(.gz) rows (worker,outcome,delay,count) for `counts` into `file`.
void writeDelayRows(LineFile& file, const std::vector<DelayCount>& counts);

/// summary.json content: the run summary plus the normalised experiment document.
nlohmann::json summaryToJson(const RunSummary& summary, const nlohmann::json& experiment);

/// Writes `json` to `path` (pretty, newline-terminated) via a temporary file and rename, so a reader
/// never sees half a file. Throws InputError on failure, leaving no temporary file behind.
/// Writes `text` to a temporary beside `path`, then renames it into place: a reader sees the old file or
/// the whole new one. Throws InputError naming the path (e.g. a full disk); the temporary is removed.
void writeTextFile(const std::string& path, const std::string& text);
void writeJsonFile(const std::string& path, const nlohmann::json& json);

}  // namespace distopt
