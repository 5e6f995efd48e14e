#pragma once
// The workbench's command line, parsed before any QApplication exists: --help, --version and bad
// arguments need no display, and the headless modes (--export-report, --screenshot) choose the
// offscreen platform themselves when there is no display to open.

#include <QString>
#include <optional>

namespace distopt::workbench {

struct WorkbenchOptions {
  QString experiment;         ///< experiment file to open; empty = the last one used
  bool run = false;           ///< start it at once
  QString screenshot;         ///< PNG to save, then quit; empty = none
  double afterSeconds = 1.0;  ///< wait before the screenshot
  QString tab;                ///< dashboard tab for the screenshot, by title
  QString exportReport;       ///< report folder, then quit; empty = none
  QString exportFigures;      ///< SVG figures to render as PNG and PDF, then quit; empty = none
  QString attach;             ///< a remote run's dashboard feed; empty = none
  QString serverKey;          ///< with attach
  QString dashboardToken;     ///< with attach
  bool present = false;       ///< presentation mode: the manager view alone, full screen (Esc leaves)
  bool serverKeySet = false;
  bool dashboardTokenSet = false;
  bool platformGiven = false;  ///< -platform NAME was given (Qt's own option)

  /// Runs without a person in front (writes a file, then quits).
  bool headless() const {
    return !screenshot.isEmpty() || !exportReport.isEmpty() || !exportFigures.isEmpty();
  }
  bool isValid(QString* why) const;
};

/// The outcome of parsing: options to run with, or an exit status (help and version printed: 0; bad
/// arguments, said on stderr: 2).
struct ParsedCommandLine {
  std::optional<WorkbenchOptions> options;
  int exitCode = 0;
};

/// Parses argv with a QCoreApplication of its own (gone again on return), so nothing here opens a
/// display.
ParsedCommandLine parseCommandLine(int argc, char** argv);

/// True when a GUI platform can open a window here: QT_QPA_PLATFORM chosen, or an X11 or Wayland
/// display named.
bool displayAvailable();

/// For headless options without a display: selects Qt's offscreen platform (QT_QPA_PLATFORM) before
/// the QApplication is made. Returns false (with *why) when a window is wanted and none can be opened.
bool choosePlatform(const WorkbenchOptions& options, QString* why);

}  // namespace distopt::workbench
