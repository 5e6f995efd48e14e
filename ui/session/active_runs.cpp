#include "ui/session/active_runs.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <algorithm>

#include <signal.h>

namespace distopt::ui {
namespace {

// Small files only: a hostile or corrupt folder must not make the start-up read megabytes.
constexpr qint64 kMaxJsonBytes = 1 << 20;

QJsonObject readObject(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly) || file.size() > kMaxJsonBytes) return {};
  return QJsonDocument::fromJson(file.read(kMaxJsonBytes)).object();
}

}  // namespace

QString workbenchRunsRoot() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
      .filePath(QStringLiteral("distopt-workbench/runs"));
}

bool coordinatorAlive(qint64 pid) {
  if (pid <= 0 || pid > 0x7fffffff) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0) return false;
  // An exited coordinator nobody reaped is a zombie ('Z' after the command name in /proc/PID/stat); a
  // number reused by another program has another command line.
  QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
  if (stat.open(QIODevice::ReadOnly)) {
    const QByteArray text = stat.read(4096);
    const qsizetype close = text.lastIndexOf(')');
    if (close >= 0 && close + 2 < text.size() && text.at(close + 2) == 'Z') return false;
  }
  QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
  if (!cmdline.open(QIODevice::ReadOnly)) return true;  // no /proc: trust kill()
  // distopt-run itself, or a wrapper (DISTOPT_RUN) running it on a run folder: its arguments say so.
  return cmdline.read(4096).contains("distopt");
}

RunFolderStatus runFolderStatus(const QString& directory) {
  RunFolderStatus status;
  status.directory = directory;
  const QDir dir(directory);
  status.name = dir.dirName();
  const QString endpointsPath = dir.filePath(QStringLiteral("endpoints.json"));
  if (!QFileInfo::exists(endpointsPath)) {
    status.detail =
        QObject::tr("%1 holds no endpoints.json: not a run started by the workbench").arg(directory);
    return status;
  }
  const QJsonObject endpoints = readObject(endpointsPath);
  status.pid = static_cast<qint64>(endpoints.value(QStringLiteral("pid")).toDouble());
  status.started = QFileInfo(endpointsPath).lastModified();
  const QString experimentName =
      readObject(dir.filePath(QStringLiteral("experiment.json"))).value(QStringLiteral("name")).toString();
  if (!experimentName.isEmpty()) status.name = experimentName;
  const QJsonObject summary = readObject(dir.filePath(QStringLiteral("summary.json")));
  if (!summary.isEmpty()) {
    status.state = RunFolderState::Ended;
    status.termination = summary.value(QStringLiteral("termination")).toString();
    status.detail =
        QObject::tr("the run has ended (%1)")
            .arg(status.termination.isEmpty() ? QObject::tr("no reason given") : status.termination);
    return status;
  }
  if (coordinatorAlive(status.pid)) {
    status.state = RunFolderState::Active;
    status.detail = QObject::tr("running (coordinator process %1)").arg(status.pid);
    return status;
  }
  status.state = RunFolderState::Lost;
  status.detail = QObject::tr(
                      "its coordinator (process %1) is gone and left no summary: the run was killed or "
                      "crashed; what it recorded is in the run store")
                      .arg(status.pid);
  return status;
}

std::vector<RunFolderStatus> findActiveRuns(const QString& root, int newest) {
  std::vector<RunFolderStatus> active;
  QDir dir(root);
  if (!dir.exists()) return active;
  const QFileInfoList folders = dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
  const qsizetype count = std::min<qsizetype>(folders.size(), std::max(0, newest));
  for (qsizetype i = 0; i < count; ++i) {
    RunFolderStatus status = runFolderStatus(folders[i].absoluteFilePath());
    if (status.state == RunFolderState::Active) active.push_back(std::move(status));
  }
  std::sort(active.begin(), active.end(),
            [](const RunFolderStatus& a, const RunFolderStatus& b) { return a.started > b.started; });
  return active;
}

}  // namespace distopt::ui
