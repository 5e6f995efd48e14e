#include "command_line.hpp"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStringList>
#include <cstdio>

#include "core/util/build_info.hpp"

namespace distopt::workbench {
namespace {

// Options QGuiApplication/QApplication take for themselves (with or without a second dash); the
// parser sees the rest, as it did when it ran after them.
const QStringList kQtOptionsWithValue = {"platform",      "platformpluginpath",
                                         "platformtheme", "display",
                                         "geometry",      "qwindowgeometry",
                                         "qwindowtitle",  "qwindowicon",
                                         "style",         "stylesheet",
                                         "plugin",        "session",
                                         "name",          "title"};
const QStringList kQtFlags = {"reverse", "nograb", "dograb", "sync", "widgetcount"};

QStringList withoutQtOptions(const QStringList& arguments, bool* platformGiven) {
  QStringList kept;
  for (qsizetype i = 0; i < arguments.size(); ++i) {
    const QString& argument = arguments[i];
    QString name = argument.startsWith(QStringLiteral("--")) ? argument.mid(2)
                   : argument.startsWith(QLatin1Char('-'))   ? argument.mid(1)
                                                             : QString();
    if (i > 0 && kQtOptionsWithValue.contains(name) && i + 1 < arguments.size()) {
      if (name == QStringLiteral("platform")) *platformGiven = true;
      ++i;
      continue;
    }
    if (i > 0 && kQtFlags.contains(name)) continue;
    kept << argument;
  }
  return kept;
}

}  // namespace

bool WorkbenchOptions::isValid(QString* why) const {
  const auto fail = [why](const QString& text) {
    if (why) *why = text;
    return false;
  };
  if (!(afterSeconds >= 0.0) || afterSeconds > 86400.0)
    return fail(QStringLiteral("--after: must be a number of seconds >= 0 and <= 86400"));
  if (!attach.isEmpty() && run) return fail(QStringLiteral("--attach and --run exclude each other"));
  if (attach.isEmpty() && (serverKeySet || dashboardTokenSet))
    return fail(QStringLiteral("--server-key and --dashboard-token go with --attach"));
  if (!tab.isEmpty() && screenshot.isEmpty()) return fail(QStringLiteral("--tab goes with --screenshot"));
  return true;
}

ParsedCommandLine parseCommandLine(int argc, char** argv) {
  ParsedCommandLine result;
  // A core application only: names the program in --help and carries --version, and needs no display.
  QCoreApplication core(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("distopt-workbench"));
  QCoreApplication::setApplicationVersion(QStringLiteral("%1 (commit %2)")
                                              .arg(QString::fromLatin1(distopt::programVersion()),
                                                   QString::fromLatin1(distopt::programCommit())));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Run, watch and compare distributed stochastic optimization experiments.\n"
      "Without a display, --export-report, --export-figures and --screenshot use Qt's offscreen platform."));
  const QCommandLineOption help = parser.addHelpOption();
  const QCommandLineOption version = parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("experiment"),
                               QStringLiteral("Experiment file to open (JSON)."),
                               QStringLiteral("[EXPERIMENT.json]"));
  const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Start the experiment at once."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Save a PNG of the window, then quit."),
                                      QStringLiteral("PNG"));
  const QCommandLineOption after(QStringLiteral("after"),
                                 QStringLiteral("Seconds to wait before the screenshot (default 1)."),
                                 QStringLiteral("SECONDS"), QStringLiteral("1"));
  const QCommandLineOption exportReport(
      QStringLiteral("export-report"),
      QStringLiteral(
          "Write the report (charts, summary, experiment, data, report.pdf) into DIR, then quit: for the run "
          "started with --run once it ends, else for the newest run in the run store."),
      QStringLiteral("DIR"));
  const QCommandLineOption exportFigures(
      QStringLiteral("export-figures"),
      QStringLiteral(
          "Render the SVG figures in DIR (a folder of distopt-run --sweep or of a comparison: sweep.svg, "
          "comparison.svg) as PNG and PDF beside them, then quit."),
      QStringLiteral("DIR"));
  const QCommandLineOption tab(
      QStringLiteral("tab"),
      QStringLiteral("Dashboard tab to show for the screenshot, by its title (e.g. Topology, "
                     "Manager view; case-insensitive)."),
      QStringLiteral("NAME"));
  const QCommandLineOption attach(
      QStringLiteral("attach"),
      QStringLiteral("Attach read-only to the dashboard feed of a run at ENDPOINT (the "
                     "run's attach command)."),
      QStringLiteral("ENDPOINT"));
  const QCommandLineOption serverKey(QStringLiteral("server-key"),
                                     QStringLiteral("The run's CURVE public key (with --attach)."),
                                     QStringLiteral("KEY"));
  const QCommandLineOption dashboardToken(
      QStringLiteral("dashboard-token"),
      QStringLiteral("The run's dashboard token (with --attach); without it this "
                     "workbench presents its own dashboard key."),
      QStringLiteral("TOKEN"));
  const QCommandLineOption present(
      QStringLiteral("present"),
      QStringLiteral("Presentation mode: the manager view alone, full screen and large, read-only (Esc "
                     "leaves): for a wall screen, e.g. with --attach."));
  for (const auto* option : {&attach, &serverKey, &dashboardToken, &present, &tab, &run, &exportReport,
                             &exportFigures, &screenshot, &after})
    parser.addOption(*option);

  const auto refuse = [&result](const QString& text) {
    std::fprintf(stderr, "distopt-workbench: %s\n", qPrintable(text));
    std::fprintf(stderr, "Try 'distopt-workbench --help'.\n");
    result.exitCode = 2;
    return result;
  };
  bool platformGiven = false;
  if (!parser.parse(withoutQtOptions(QCoreApplication::arguments(), &platformGiven)))
    return refuse(parser.errorText());
  if (parser.isSet(help) || parser.isSet(QStringLiteral("help-all"))) {
    std::printf("%s", qPrintable(parser.helpText()));
    return result;
  }
  if (parser.isSet(version)) {
    std::printf("%s %s\n", qPrintable(QCoreApplication::applicationName()),
                qPrintable(QCoreApplication::applicationVersion()));
    return result;
  }
  if (parser.positionalArguments().size() > 1)
    return refuse(QStringLiteral("only one experiment file may be given"));

  WorkbenchOptions options;
  options.platformGiven = platformGiven;
  if (!parser.positionalArguments().isEmpty()) options.experiment = parser.positionalArguments().front();
  options.run = parser.isSet(run);
  options.present = parser.isSet(present);
  options.screenshot = parser.value(screenshot);
  if (parser.isSet(screenshot) && options.screenshot.isEmpty())
    return refuse(QStringLiteral("--screenshot: no file"));
  bool okAfter = false;
  options.afterSeconds = parser.value(after).toDouble(&okAfter);
  if (!okAfter)
    return refuse(QStringLiteral("--after: '%1' is not a number of seconds >= 0").arg(parser.value(after)));
  options.tab = parser.value(tab);
  options.exportReport = parser.value(exportReport);
  if (parser.isSet(exportReport) && options.exportReport.isEmpty())
    return refuse(QStringLiteral("--export-report: no folder"));
  options.exportFigures = parser.value(exportFigures);
  if (parser.isSet(exportFigures) && options.exportFigures.isEmpty())
    return refuse(QStringLiteral("--export-figures: no folder"));
  if (!options.exportFigures.isEmpty() &&
      (options.run || !options.experiment.isEmpty() || !options.exportReport.isEmpty() ||
       !options.screenshot.isEmpty() || parser.isSet(attach) || options.present))
    return refuse(QStringLiteral("--export-figures goes alone (it opens no window)"));
  options.attach = parser.value(attach);
  options.serverKey = parser.value(serverKey);
  options.serverKeySet = parser.isSet(serverKey);
  options.dashboardToken = parser.value(dashboardToken);
  options.dashboardTokenSet = parser.isSet(dashboardToken);
  QString why;
  if (!options.isValid(&why)) return refuse(why);
  result.options = std::move(options);
  return result;
}

bool displayAvailable() {
  return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
         !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

bool choosePlatform(const WorkbenchOptions& options, QString* why) {
  if (options.platformGiven || displayAvailable()) return true;
  if (options.headless()) {
    // Nobody looks at the window: draw it offscreen (fonts and charts render the same).
    qputenv("QT_QPA_PLATFORM", "offscreen");
    return true;
  }
  if (why)
    *why = QStringLiteral(
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). Without a display, use "
        "--export-report DIR or --screenshot PNG, or run experiments with distopt-run.");
  return false;
}

}  // namespace distopt::workbench
