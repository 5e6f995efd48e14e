#include "runs_command.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/option_parser.hpp"
#include "core/store/run_export.hpp"
#include "core/store/run_prune.hpp"
#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/util/input_error.hpp"

namespace distopt::app {

const char* const kRunsUsage =
    "Usage: distopt-run runs list   [filters] [--json]\n"
    "       distopt-run runs show   ID [--json]\n"
    "       distopt-run runs export ID DIR [--format csv|json]\n"
    "       distopt-run runs delete ID...\n"
    "       distopt-run runs prune  (--keep N | --older-than DAYS) [filters] [--dry-run] [--json]\n"
    "\n"
    "The runs recorded in the run store.\n"
    "\n"
    "  --store PATH        the run store (default $XDG_DATA_HOME/distopt-workbench/runs.sqlite)\n"
    "  --json              machine-readable output (one JSON document)\n"
    "\n"
    "Filters (list and prune; each given one must hold):\n"
    "  --name TEXT         name or label contains TEXT\n"
    "  --algorithm NAME    --problem NAME    --engine sim|live    --tag TAG\n"
    "  --state STATE       running, finished, interrupted, or a termination (time_limit, diverged, ...)\n"
    "  --since ISO         started at or after this UTC time (e.g. 2026-01-31 or 2026-01-31T12:00)\n"
    "  --before ISO        started before this UTC time\n"
    "  --sweep ID          the runs of sweep ID (distopt-run --sweep prints it; list --json adds each\n"
    "                      run's point, seed and values)\n"
    "  --limit N           list at most N runs (newest first)\n"
    "\n"
    "export writes CSV files into DIR (evaluations, metrics, delays, events.csv.gz or events_sample.csv,\n"
    "bandwidth, workers, experiment.json, summary.json), or with --format json one JSON document to the\n"
    "path DIR.\n"
    "prune deletes finished and interrupted runs only (never one still running): --keep N keeps the\n"
    "newest N matching runs, --older-than DAYS deletes those started more than DAYS days ago; deleted\n"
    "runs' space is given back to the file system.\n";

namespace {

struct RunsLine {
  std::string command;
  std::vector<std::string> positional;
  std::string storePath;
  bool json = false;
  bool dryRun = false;
  std::string format = "csv";
  std::optional<std::string> name, algorithm, problem, engine, tag, state, since, before;
  std::optional<std::uint64_t> limit, keep, sweep;
  std::optional<double> olderThanDays;
};

std::optional<std::uint64_t> parseCount(const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (*text == '\0' || *text == '-' || *end != '\0' || errno != 0) return std::nullopt;
  return value;
}

bool parseLine(int argc, char** argv, RunsLine& line, std::string* error) {
  if (argc < 2) {
    *error = "runs needs a command: list, show, export, delete or prune (see runs --help)";
    return false;
  }
  line.command = argv[1];
  OptionParser parser;
  bool help = false;
  parser.flag("-h,--help", &help);
  parser.flag("--json", &line.json);
  parser.flag("--dry-run", &line.dryRun);
  parser.option("--store", "--store needs a path", [&line](const std::string& value) {
    if (value.empty()) return std::string("--store needs a path");
    line.storePath = value;
    return std::string();
  });
  parser.option("--format", "--format needs csv or json", [&line](const std::string& value) {
    if (value != "csv" && value != "json") return std::string("--format needs csv or json");
    line.format = value;
    return std::string();
  });
  for (auto [name, target] : {std::pair{"--name", &line.name}, std::pair{"--algorithm", &line.algorithm},
                              std::pair{"--problem", &line.problem}, std::pair{"--engine", &line.engine},
                              std::pair{"--tag", &line.tag}, std::pair{"--state", &line.state},
                              std::pair{"--since", &line.since}, std::pair{"--before", &line.before}})
    parser.option(name, std::string(name) + " needs a value", takeText(target));
  for (auto [name, target] : {std::pair{"--limit", &line.limit}, std::pair{"--keep", &line.keep},
                              std::pair{"--sweep", &line.sweep}}) {
    const std::string refusal = std::string(name) + " needs a whole number >= 0";
    parser.option(name, refusal, [refusal, target](const std::string& value) {
      const auto count = parseCount(value.c_str());
      if (!count) return refusal;
      *target = *count;
      return std::string();
    });
  }
  parser.option("--older-than", "--older-than needs a number of days >= 0",
                [&line](const std::string& value) {
                  char* end = nullptr;
                  const double days = std::strtod(value.c_str(), &end);
                  if (value.empty() || *end != '\0' || !(days >= 0.0) || days > 1e6)
                    return std::string("--older-than needs a number of days >= 0");
                  line.olderThanDays = days;
                  return std::string();
                });
  parser.positionals(&line.positional);
  // The command word stands where a program's name would: the parser skips it.
  if (!parser.parse(argc - 1, argv + 1, error)) {
    *error = "runs: " + *error;
    return false;
  }
  if (help) line.command = "help";
  return true;
}

bool matches(const RunsLine& line, const RunInfo& info) {
  const RunRecord& r = info.record;
  if (line.name && r.name.find(*line.name) == std::string::npos &&
      info.label().find(*line.name) == std::string::npos)
    return false;
  if (line.algorithm && r.algorithm != *line.algorithm) return false;
  if (line.problem && r.problem != *line.problem) return false;
  if (line.engine && r.engine != *line.engine) return false;
  if (line.tag && std::find(r.tags.begin(), r.tags.end(), *line.tag) == r.tags.end()) return false;
  if (line.state) {
    const std::string state = info.state();
    const bool finished = info.finished() && !info.interrupted();
    if (*line.state == "finished" ? !finished : state != *line.state) return false;
  }
  // ISO-8601 UTC text sorts as time does, so a prefix such as "2026-01-31" compares as that day's start.
  if (line.since && r.startedAt < *line.since) return false;
  if (line.before && r.startedAt >= *line.before) return false;
  return true;
}

std::string orDash(const std::string& text) { return text.empty() ? "-" : text; }

void printRunRow(const RunInfo& info) {
  std::printf("%6lld  %-23s  %-14s  %-12s  %-4s  %7d  %10llu  %s\n", static_cast<long long>(info.id),
              info.record.startedAt.c_str(), info.state().c_str(), info.record.algorithm.c_str(),
              info.record.engine.c_str(), info.record.workers,
              static_cast<unsigned long long>(info.eventCount), info.label().c_str());
}

std::optional<std::int64_t> runIdOf(const std::string& text) {
  const auto id = parseCount(text.c_str());
  if (!id || *id == 0 || *id > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(*id);
}

// The sweep's rows by run id, or nullopt (with the reason printed) when --sweep names no sweep.
using SweepRows = std::map<std::int64_t, SweepRunRow>;
std::optional<SweepRows> sweepRows(RunStore& store, const RunsLine& line) {
  SweepRows rows;
  if (!line.sweep) return rows;
  const auto sweeps = store.listSweeps();
  if (std::none_of(sweeps.begin(), sweeps.end(),
                   [&](const SweepInfo& s) { return static_cast<std::uint64_t>(s.id) == *line.sweep; })) {
    std::fprintf(stderr, "distopt-run: %s: no sweep %llu\n", store.path().c_str(),
                 static_cast<unsigned long long>(*line.sweep));
    return std::nullopt;
  }
  for (SweepRunRow& row : store.loadSweepRuns(static_cast<std::int64_t>(*line.sweep)))
    rows.emplace(row.runId, std::move(row));
  return rows;
}

std::vector<RunInfo> selected(RunStore& store, const RunsLine& line, const SweepRows& sweep = {}) {
  std::vector<RunInfo> runs;
  for (RunInfo& info : store.listRuns())
    if (matches(line, info) && (!line.sweep || sweep.contains(info.id))) runs.push_back(std::move(info));
  return runs;
}

int list(RunStore& store, const RunsLine& line) {
  const auto sweep = sweepRows(store, line);
  if (!sweep) return 1;
  auto runs = selected(store, line, *sweep);
  if (line.limit && runs.size() > *line.limit) runs.resize(*line.limit);
  if (line.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const RunInfo& info : runs) {
      nlohmann::json run = runInfoToJson(info);
      run["summary"] = info.summaryJson.empty() ? nlohmann::json()
                                                : nlohmann::json::parse(info.summaryJson, nullptr, false);
      if (const auto row = sweep->find(info.id); row != sweep->end())
        run["sweep"] = {{"id", *line.sweep},
                        {"point", row->second.point},
                        {"seed", row->second.seed ? nlohmann::json(*row->second.seed) : nlohmann::json()},
                        {"values", nlohmann::json::parse(row->second.paramsJson, nullptr, false)}};
      out.push_back(std::move(run));
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%6s  %-23s  %-14s  %-12s  %-4s  %7s  %10s  %s\n", "id", "started (UTC)", "state", "algorithm",
              "eng", "workers", "events", "label");
  for (const RunInfo& info : runs) printRunRow(info);
  std::printf("%zu run(s) in %s (%.1f MB)\n", runs.size(), store.path().c_str(),
              static_cast<double>(store.fileBytes()) / 1e6);
  return 0;
}

int show(RunStore& store, const RunsLine& line) {
  if (line.positional.size() != 1)
    return std::fprintf(stderr, "distopt-run: runs show needs one run id\n"), 2;
  const auto id = runIdOf(line.positional[0]);
  if (!id)
    return std::fprintf(stderr, "distopt-run: runs show: '%s' is not a run id\n", line.positional[0].c_str()),
           2;
  auto run = loadStoredRun(
      store, *id, StoredRunParts{.events = false, .aggregates = true, .bandwidth = false, .workers = true});
  if (!run)
    return std::fprintf(stderr, "distopt-run: %s: no run %lld\n", store.path().c_str(),
                        static_cast<long long>(*id)),
           1;
  std::uint64_t counted[4] = {};
  for (const DelayCount& d : run->delays) counted[static_cast<int>(d.outcome)] += d.count;
  if (line.json) {
    nlohmann::json out = runInfoToJson(run->info);
    out["summary"] = run->summary;
    out["experiment"] = run->experiment;
    out["outcomes"] = {{"accepted", counted[0]},
                       {"discarded", counted[1]},
                       {"cancelled", counted[2]},
                       {"late_cancelled", counted[3]}};
    out["evaluations"] = run->evaluations.size();
    out["final_evaluation"] = run->evaluations.empty()
                                  ? nlohmann::json()
                                  : nlohmann::json{{"time", run->evaluations.back().time},
                                                   {"updates", run->evaluations.back().updates},
                                                   {"loss", run->evaluations.back().loss}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  const RunInfo& info = run->info;
  std::printf("%-22s %lld\n", "run", static_cast<long long>(info.id));
  std::printf("%-22s %s\n", "label", info.label().c_str());
  std::printf("%-22s %s, %s, %s engine, %d workers, seed %llu\n", "experiment", info.record.algorithm.c_str(),
              info.record.problem.c_str(), info.record.engine.c_str(), info.record.workers,
              static_cast<unsigned long long>(info.record.seed));
  std::printf("%-22s %s\n", "started", info.record.startedAt.c_str());
  std::printf("%-22s %s\n", "ended", orDash(info.endedAt).c_str());
  std::printf("%-22s %s%s%s\n", "state", info.state().c_str(), info.terminationDetail.empty() ? "" : ": ",
              info.terminationDetail.c_str());
  std::printf("%-22s %llu (%s log)\n", "update events", static_cast<unsigned long long>(info.eventCount),
              eventLogName(info.record.eventLog));
  std::printf("%-22s accepted %llu, discarded %llu, cancelled %llu, late-cancelled %llu\n", "outcomes",
              static_cast<unsigned long long>(counted[0]), static_cast<unsigned long long>(counted[1]),
              static_cast<unsigned long long>(counted[2]), static_cast<unsigned long long>(counted[3]));
  std::printf("%-22s %zu\n", "evaluations", run->evaluations.size());
  if (!run->evaluations.empty()) {
    const EvaluationPoint& last = run->evaluations.back();
    std::printf("%-22s time %.6g, updates %llu, loss %.6g\n", "last evaluation", last.time,
                static_cast<unsigned long long>(last.updates), last.loss);
  }
  if (const auto t = run->timeToTarget()) std::printf("%-22s %.6g\n", "time to target", *t);
  std::printf("%-22s %llu\n", "bytes", static_cast<unsigned long long>(run->totalBytes()));
  std::string tags;
  for (const auto& tag : info.record.tags) tags += (tags.empty() ? "" : ", ") + tag;
  std::printf("%-22s %s\n", "tags", orDash(tags).c_str());
  return 0;
}

int exportRun(RunStore& store, const RunsLine& line) {
  if (line.positional.size() != 2)
    return std::fprintf(stderr, "distopt-run: runs export needs a run id and a destination\n"), 2;
  const auto id = runIdOf(line.positional[0]);
  if (!id)
    return std::fprintf(stderr, "distopt-run: runs export: '%s' is not a run id\n",
                        line.positional[0].c_str()),
           2;
  auto run = loadStoredRun(store, *id);
  if (!run)
    return std::fprintf(stderr, "distopt-run: %s: no run %lld\n", store.path().c_str(),
                        static_cast<long long>(*id)),
           1;
  try {
    if (line.format == "json")
      exportRunJson(*run, line.positional[1]);
    else
      exportRunCsv(*run, line.positional[1]);
  } catch (const InputError& e) {
    std::fprintf(stderr, "distopt-run: %s\n", e.what());
    return 1;
  }
  if (!line.json)
    std::printf("run %lld exported to %s\n", static_cast<long long>(*id), line.positional[1].c_str());
  return 0;
}

int remove(RunStore& store, const RunsLine& line) {
  if (line.positional.empty()) return std::fprintf(stderr, "distopt-run: runs delete needs run ids\n"), 2;
  std::vector<std::int64_t> ids;
  for (const auto& text : line.positional) {
    const auto id = runIdOf(text);
    if (!id) return std::fprintf(stderr, "distopt-run: runs delete: '%s' is not a run id\n", text.c_str()), 2;
    ids.push_back(*id);
  }
  int missing = 0;
  for (std::int64_t id : ids) {
    if (store.deleteRun(id)) {
      std::printf("deleted run %lld\n", static_cast<long long>(id));
    } else {
      std::fprintf(stderr, "distopt-run: %s: no run %lld\n", store.path().c_str(),
                   static_cast<long long>(id));
      ++missing;
    }
  }
  return missing ? 1 : 0;
}

int prune(RunStore& store, const RunsLine& line) {
  if (!line.keep && !line.olderThanDays)
    return std::fprintf(stderr, "distopt-run: runs prune needs --keep N or --older-than DAYS\n"), 2;
  const auto sweep = sweepRows(store, line);
  if (!sweep) return 1;
  const std::vector<RunInfo> doomed = runsToPrune(
      selected(store, line, *sweep), PruneRule{.keep = line.keep, .olderThanDays = line.olderThanDays});
  const std::uint64_t before = store.fileBytes();
  if (!line.dryRun)
    for (const RunInfo& info : doomed) store.deleteRun(info.id);
  const std::uint64_t after = store.fileBytes();
  if (line.json) {
    nlohmann::json ids = nlohmann::json::array();
    for (const RunInfo& info : doomed) ids.push_back(info.id);
    std::printf(
        "%s\n",
        nlohmann::json{
            {"deleted", ids}, {"dry_run", line.dryRun}, {"bytes_before", before}, {"bytes_after", after}}
            .dump(2)
            .c_str());
    return 0;
  }
  for (const RunInfo& info : doomed) printRunRow(info);
  std::printf("%s %zu run(s); store %.1f MB -> %.1f MB\n", line.dryRun ? "would delete" : "deleted",
              doomed.size(), static_cast<double>(before) / 1e6, static_cast<double>(after) / 1e6);
  return 0;
}

}  // namespace

int runsMain(int argc, char** argv) {
  RunsLine line;
  std::string error;
  if (!parseLine(argc, argv, line, &error)) {
    std::fprintf(stderr, "distopt-run: %s\n", error.c_str());
    return 2;
  }
  if (line.command == "help" || line.command == "--help" || line.command == "-h") {
    std::fputs(kRunsUsage, stdout);
    return 0;
  }
  using Handler = int (*)(RunStore&, const RunsLine&);
  Handler handler = line.command == "list"     ? &list
                    : line.command == "show"   ? &show
                    : line.command == "export" ? &exportRun
                    : line.command == "delete" ? &remove
                    : line.command == "prune"  ? &prune
                                               : nullptr;
  if (!handler) {
    std::fprintf(stderr, "distopt-run: runs: unknown command '%s' (list, show, export, delete, prune)\n",
                 line.command.c_str());
    return 2;
  }
  if ((line.command == "list" || line.command == "prune") && !line.positional.empty()) {
    std::fprintf(stderr, "distopt-run: runs %s takes no '%s'\n", line.command.c_str(),
                 line.positional[0].c_str());
    return 2;
  }
  std::unique_ptr<RunStore> store;
  try {
    store = RunStore::open(line.storePath.empty() ? defaultStorePath() : line.storePath);
  } catch (const InputError& e) {
    std::fprintf(stderr, "distopt-run: %s\n", e.what());
    return 2;
  }
  try {
    return handler(*store, line);
  } catch (const InputError& e) {
    std::fprintf(stderr, "distopt-run: %s\n", e.what());
    return 1;
  }
}

}  // namespace distopt::app
