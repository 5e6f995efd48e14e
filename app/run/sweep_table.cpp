#include "sweep_table.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"

namespace distopt::app {
namespace {

// The summary fields a sweep compares runs by, in column order.
constexpr const char* kResultColumns[] = {
    "termination",         "final_loss",     "final_gap",   "final_grad_norm_sq",
    "final_test_accuracy", "time_to_target", "time",        "updates_applied",
    "gradient_evaluations", "bytes_uplink",        "bytes_downlink", "wall_seconds"};

// CSV quoting (RFC 4180) for text that may hold commas, quotes or line breaks (a string value, a reason).
std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return quoted(value.get<std::string>());
  // JSON's shortest text that reads back exactly: 0.1, not 0.10000000000000001.
  return quoted(value.dump());
}

}  // namespace

const char* sweepRunStateName(SweepRunState state) {
  switch (state) {
    case SweepRunState::Pending:
      return "pending";
    case SweepRunState::Done:
      return "done";
    case SweepRunState::Failed:
      return "failed";
    case SweepRunState::Stopped:
      return "stopped";
  }
  return "pending";
}

SweepResult readSweepResult(const SweepRun& run, const std::string& folder) {
  SweepResult result{run, folder};
  std::ifstream in(folder + "/summary.json");
  if (!in) return result;
  std::stringstream text;
  text << in.rdbuf();
  auto summary = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object() || !summary.contains("termination") || !summary.at("termination").is_string())
    return result;
  const std::string termination = summary.at("termination").get<std::string>();
  // A diverged run is a result of its point; a run that could not go on (every worker lost, an
  // internal error) is not, and runs again when the sweep is resumed.
  result.state = termination == "stopped"  ? SweepRunState::Stopped
                 : termination == "failed" ? SweepRunState::Failed
                                           : SweepRunState::Done;
  if (result.state == SweepRunState::Failed) {
    const auto detail = summary.find("termination_detail");
    result.why = detail != summary.end() && detail->is_string() ? detail->get<std::string>() : "failed";
  }
  result.summary = std::move(summary);
  return result;
}

void writeSweepTable(const std::string& path, const SweepSpec& spec,
                     const std::vector<SweepResult>& results) {
  std::ostringstream out;
  out << "run,point,seed";
  for (const auto& axis : spec.axes) out << ',' << quoted(axis.path);
  out << ",state";
  for (const char* column : kResultColumns) out << ',' << column;
  out << ",reason\n";
  for (const auto& result : results) {
    out << quoted(std::filesystem::path(result.folder).filename().string()) << ',' << result.run.point << ','
        << (result.run.seed ? std::to_string(*result.run.seed) : "");
    for (const auto& [field, value] : result.run.assignments) out << ',' << cell(value);
    out << ',' << sweepRunStateName(result.state);
    for (const char* column : kResultColumns)
      out << ','
          << (result.summary.is_object() && result.summary.contains(column) ? cell(result.summary.at(column))
                                                                            : "");
    out << ',' << quoted(result.why) << '\n';
  }
  writeTextFile(path, out.str());
}

}  // namespace distopt::app
