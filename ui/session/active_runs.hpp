#pragma once
// Runs started by a workbench that may still be going: found from their results folders (endpoints.json
// written at start, summary.json at the end, store.json naming the stored run) and their coordinator
// process, so a reopened workbench can offer to reattach, and a reattach can say how a run stands
// instead of looking like success. Thread: any (no Qt objects kept).

#include <QDateTime>
#include <QString>
#include <vector>

namespace distopt::ui {

/// Where the workbench puts the results folders of the runs it starts.
QString workbenchRunsRoot();

enum class RunFolderState {
  Active,   ///< its coordinator is running and it has not ended
  Ended,    ///< summary.json is there: the run is over
  Lost,     ///< its coordinator is gone without a summary (killed, crashed, machine restarted)
  NotARun,  ///< no endpoints.json: not a run the workbench started
};

struct RunFolderStatus {
  RunFolderState state = RunFolderState::NotARun;
  QString directory;
  QString name;       ///< the experiment's name (from the run's copy), else the folder's name
  QDateTime started;  ///< when endpoints.json was written
  qint64 pid = 0;
  QString termination;  ///< from summary.json, when ended
  QString detail;       ///< one line for a person: why the state is what it is
};

/// How the run in `directory` stands. Never throws; unreadable files count as absent.
RunFolderStatus runFolderStatus(const QString& directory);

/// The active runs among the newest `newest` folders under `root`, newest first.
std::vector<RunFolderStatus> findActiveRuns(const QString& root = workbenchRunsRoot(), int newest = 200);

/// True while process `pid` runs distopt-run (not a zombie, not another program that took the number).
bool coordinatorAlive(qint64 pid);

}  // namespace distopt::ui
