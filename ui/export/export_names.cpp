#include "ui/export/export_names.hpp"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>

namespace distopt::ui {
namespace {

const char* const kFolderKey = "exportFolder";

QString safeName(const QString& text) {
  QString name = text.trimmed();
  name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
  while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);
  return name.left(64);
}

}  // namespace

QString suggestedExportPath(const QString& run, const QString& what, const QString& suffix) {
  QString folder = QSettings().value(QLatin1String(kFolderKey)).toString();
  if (folder.isEmpty() || !QFileInfo(folder).isDir()) folder = QDir::homePath();
  const QString runName = safeName(run);
  const QString stem = QDir(folder).filePath((runName.isEmpty() ? QStringLiteral("distopt") : runName) +
                                             QLatin1Char('-') + safeName(what));
  const QString dotSuffix = suffix.isEmpty() ? QString() : QLatin1Char('.') + suffix;
  QString path = stem + dotSuffix;
  for (int n = 2; QFileInfo::exists(path); ++n)
    path = QStringLiteral("%1-%2%3").arg(stem).arg(n).arg(dotSuffix);
  return path;
}

void rememberExportFolder(const QString& path) {
  QSettings().setValue(QLatin1String(kFolderKey), QFileInfo(path).absolutePath());
}

}  // namespace distopt::ui
