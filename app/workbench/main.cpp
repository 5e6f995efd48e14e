// distopt-workbench: the desktop GUI.
//   distopt-workbench [EXPERIMENT.json] [--run] [--screenshot PNG [--after SECONDS]]
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

#include "distopt_version.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/main_window/main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DistOpt Workbench"));
  QApplication::setOrganizationName(QStringLiteral("DistOpt"));
  QApplication::setApplicationVersion(QString::fromLatin1(distopt::kVersionString));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Run, watch and compare distributed stochastic optimization experiments."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("experiment"), QStringLiteral("Experiment file to open (JSON)."),
                               QStringLiteral("[EXPERIMENT.json]"));
  QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Start the experiment at once."));
  QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the window, then quit."),
                                QStringLiteral("PNG"));
  QCommandLineOption after(QStringLiteral("after"), QStringLiteral("Seconds to wait before the screenshot (default 1)."),
                           QStringLiteral("SECONDS"), QStringLiteral("1"));
  parser.addOption(run);
  parser.addOption(screenshot);
  parser.addOption(after);
  parser.process(app);

  bool okAfter = false;
  const double afterSeconds = parser.value(after).toDouble(&okAfter);
  if (!okAfter || afterSeconds < 0) {
    std::fprintf(stderr, "distopt-workbench: --after: '%s' is not a number of seconds >= 0\n",
                 qPrintable(parser.value(after)));
    return 2;
  }
  if (parser.positionalArguments().size() > 1) {
    std::fprintf(stderr, "distopt-workbench: only one experiment file may be given\n");
    return 2;
  }

  distopt::ui::MainWindow window;
  if (!parser.positionalArguments().isEmpty()) {
    QString why;
    if (!window.openExperiment(parser.positionalArguments().front(), &why)) {
      std::fprintf(stderr, "distopt-workbench: %s\n", qPrintable(why));
      return 2;
    }
  }
  window.show();

  if (parser.isSet(run)) {
    QString why;
    if (!window.startRun(&why)) {
      std::fprintf(stderr, "distopt-workbench: cannot start: %s\n", qPrintable(why));
      return 2;
    }
  }
  if (parser.isSet(screenshot)) {
    const QString path = parser.value(screenshot);
    QTimer::singleShot(static_cast<int>(afterSeconds * 1000), &window, [&window, path]() {
      window.dashboard()->refreshNow();
      const bool saved = window.grab().save(path, "PNG");
      if (!saved) std::fprintf(stderr, "distopt-workbench: could not write %s\n", qPrintable(path));
      QApplication::exit(saved ? 0 : 1);
    });
  }
  return QApplication::exec();
}
