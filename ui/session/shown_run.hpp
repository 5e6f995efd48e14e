#pragma once
// What the dashboard shows, in one place, so switching runs (start, reopen, reattach, attach) resets
// all of it at once and nothing of the previous run lingers: its experiment (which the form shows),
// its summary once it ended, where its data lives, and how far the live records already shown go.
// Thread: GUI thread only.

#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/store/stored_run.hpp"

namespace distopt::ui {

class Dashboard;

struct ShownRun {
  enum class Source {
    None,        ///< nothing yet
    Started,     ///< started from this window
    Reattached,  ///< a run of this machine, watched again through its folder's endpoints
    Remote,      ///< a run elsewhere, read-only through its dashboard feed
    Stored,      ///< a past run reopened from the run store
  };
  Source source = Source::None;
  QString label;  ///< for the banner and the title
  nlohmann::json experiment = nlohmann::json::object();
  nlohmann::json summary;                   ///< null until the run ended
  QString runDirectory;                     ///< its results folder on this machine
  std::optional<std::int64_t> storedRunId;  ///< a reopened stored run
  // Reattach shows the stored part first; live records up to these times are already shown.
  double backfilledEvents = -1.0;
  double backfilledEvaluations = -1.0;
  std::uint64_t events = 0;  ///< records of the watched run the dashboard has
  std::uint64_t evaluations = 0;
  bool heardFromRun = false;  ///< any record or status of it arrived (else "waiting", not "running")
  // From the coordinator's last status: "starting" while it waits for its workers (remote slots).
  QString coordinatorState;
  int workersJoined = 0;
  int workersExpected = 0;

  bool ended() const { return !summary.is_null(); }
};

/// Shows a stored run in the dashboard: a fresh start of the charts with all its records and workers.
void showStoredRunIn(Dashboard& dashboard, const StoredRun& run);

/// "time limit reached", "stopped", "diverged", ... for a summary's termination (its raw name when
/// unknown); empty when the summary names none.
QString terminationText(const QString& termination);

/// The state line of the status bar for an ended run: "Stopped", "Diverged", "Finished (time limit)".
QString endedStateText(const QJsonObject& summary);

/// Progress of a run in [0, 1] from a status or summary: time over its time limit, updates over its
/// update limit (whichever is further), the limits of a summary from its own experiment or else from
/// `experiment` (the run's: published and stored summaries do not carry it); nullopt when it has
/// neither limit.
std::optional<double> progressFraction(const QJsonObject& status, const QJsonObject& experiment = {});

}  // namespace distopt::ui
