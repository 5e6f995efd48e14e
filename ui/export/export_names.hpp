#pragma once
// The names export dialogs offer: a file (or report folder) named after the run shown and what is
// exported, in the folder the last export went to, so Save is one click and exports of one run sort
// together. Thread: GUI thread only (QSettings).

#include <QString>

namespace distopt::ui {

/// "FOLDER/RUN-WHAT.SUFFIX", e.g. ~/quickstart-convergence.png; no suffix for a report folder. `run` is
/// made safe for a file name (anything but letters, digits, '.', '_' and '-' becomes '_'); a name
/// already taken gets "-2", "-3", ….
QString suggestedExportPath(const QString& run, const QString& what, const QString& suffix = QString());
/// Remembers the folder of `path` as where the next export starts.
void rememberExportFolder(const QString& path);

}  // namespace distopt::ui
