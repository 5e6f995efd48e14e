// distopt-workbench: the desktop GUI.
//   distopt-workbench [EXPERIMENT.json] [--run] [--screenshot PNG [--after SECONDS] [--tab NAME]]
//                     [--export-report DIR]
//   distopt-workbench --attach ENDPOINT [--server-key KEY] [--dashboard-token TOKEN]   (a read-only
//                     dashboard of a run elsewhere: the run's attach command)
#include <QApplication>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "core/util/build_info.hpp"
#include "ui/client/remote_attach.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/history/run_history_model.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DistOpt Workbench"));
  QApplication::setOrganizationName(QStringLiteral("DistOpt"));
  QApplication::setApplicationVersion(QStringLiteral("%1 (commit %2)")
                                          .arg(QString::fromLatin1(distopt::programVersion()),
                                               QString::fromLatin1(distopt::programCommit())));

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
  QCommandLineOption exportReport(
      QStringLiteral("export-report"),
      QStringLiteral("Write the report (charts, summary, experiment, data, report.pdf) into DIR, then quit: for the run "
                     "started with --run once it ends, else for the newest run in the run store."),
      QStringLiteral("DIR"));
  QCommandLineOption tab(
      QStringLiteral("tab"),
      QStringLiteral("Dashboard tab to show for the screenshot, by its title (e.g. Topology, Manager "
                     "view; case-insensitive)."),
      QStringLiteral("NAME"));
  QCommandLineOption attach(QStringLiteral("attach"),
                            QStringLiteral("Attach read-only to the dashboard feed of a run at ENDPOINT (the run's "
                                           "attach command)."),
                            QStringLiteral("ENDPOINT"));
  QCommandLineOption serverKey(QStringLiteral("server-key"), QStringLiteral("The run's CURVE public key (with --attach)."),
                               QStringLiteral("KEY"));
  QCommandLineOption dashboardToken(QStringLiteral("dashboard-token"),
                                    QStringLiteral("The run's dashboard token (with --attach); without it this "
                                                   "workbench presents its own dashboard key."),
                                    QStringLiteral("TOKEN"));
  parser.addOption(attach);
  parser.addOption(serverKey);
  parser.addOption(dashboardToken);
  parser.addOption(tab);
  parser.addOption(run);
  parser.addOption(exportReport);
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

  if (parser.isSet(attach)) {
    if (parser.isSet(run)) {
      std::fprintf(stderr, "distopt-workbench: --attach and --run exclude each other\n");
      return 2;
    }
    QStringList command{QStringLiteral("--attach"), parser.value(attach)};
    if (parser.isSet(serverKey)) command << QStringLiteral("--server-key") << parser.value(serverKey);
    if (parser.isSet(dashboardToken)) command << QStringLiteral("--dashboard-token") << parser.value(dashboardToken);
    QString why;
    QString identityError;
    const auto identity = distopt::ui::loadDashboardIdentity(&identityError);
    distopt::ui::RunEndpoints endpoints;
    if (!distopt::ui::parseAttachArguments(command, identity ? &*identity : nullptr, &endpoints, &why) ||
        !window.attachRemote(endpoints, &why)) {
      std::fprintf(stderr, "distopt-workbench: %s\n", qPrintable(why));
      return 2;
    }
  }

  if (parser.isSet(run)) {
    QString why;
    if (!window.startRun(&why)) {
      std::fprintf(stderr, "distopt-workbench: cannot start: %s\n", qPrintable(why));
      return 2;
    }
  }
  if (parser.isSet(exportReport)) {
    const QString directory = parser.value(exportReport);
    auto writeReport = [&window, directory]() {
      QString why;
      const bool ok = window.exportReport(directory, &why);
      if (!ok) std::fprintf(stderr, "distopt-workbench: --export-report: %s\n", qPrintable(why));
      else std::printf("report written to %s\n", qPrintable(directory));
      QApplication::exit(ok ? 0 : 1);
    };
    if (parser.isSet(run)) {
      // After the run's summary arrived (the dashboard has its final state); queued so the main window's
      // own finished handler runs first.
      QObject::connect(window.client(), &distopt::ui::RunClient::finished, &window,
                       [writeReport](const QJsonObject&) { QTimer::singleShot(0, writeReport); });
      // A coordinator that ended without a summary (refused its input, crashed, went silent) gets no
      // report; say so and leave instead of waiting for ever.
      QObject::connect(window.client(), &distopt::ui::RunClient::stateChanged, &window,
                       [](distopt::ui::RunClient::State state) {
                         if (state != distopt::ui::RunClient::State::Failed) return;
                         std::fprintf(stderr, "distopt-workbench: --export-report: the run ended without a summary\n");
                         QApplication::exit(1);
                       });
    } else {
      QString why;
      if (!window.history()->refresh(&why)) {
        std::fprintf(stderr, "distopt-workbench: --export-report: %s\n", qPrintable(why));
        return 1;
      }
      if (window.history()->model()->rowCount() == 0) {
        std::fprintf(stderr, "distopt-workbench: --export-report: the run store %s holds no run\n",
                     qPrintable(window.history()->storePath()));
        return 1;
      }
      if (!window.history()->openRun(window.history()->model()->runIdAt(0))) return 1;
      QTimer::singleShot(0, writeReport);
    }
  }
  if (parser.isSet(screenshot)) {
    const QString path = parser.value(screenshot);
    const QString tabName = parser.value(tab);
    QTimer::singleShot(static_cast<int>(afterSeconds * 1000), &window, [&window, path, tabName]() {
      if (!tabName.isEmpty()) {
        // Chosen at the end: the family tab exists only once the run's experiment is known.
        QTabWidget* tabs = window.dashboard()->tabs();
        int found = -1;
        for (int i = 0; i < tabs->count(); ++i)
          if (tabs->isTabVisible(i) &&
              tabs->tabText(i).remove(QLatin1Char('&')).compare(tabName, Qt::CaseInsensitive) == 0)
            found = i;
        if (found < 0) {
          std::fprintf(stderr, "distopt-workbench: --tab: no tab '%s' is shown\n", qPrintable(tabName));
          QApplication::exit(2);
          return;
        }
        tabs->setCurrentIndex(found);
        // Lay out the tab just shown before the charts draw into it.
        QApplication::processEvents();
      }
      window.dashboard()->refreshNow();
      const bool saved = window.grab().save(path, "PNG");
      if (!saved) std::fprintf(stderr, "distopt-workbench: could not write %s\n", qPrintable(path));
      QApplication::exit(saved ? 0 : 1);
    });
  }
  return QApplication::exec();
}
