// distopt-workbench: the desktop GUI.
//   distopt-workbench [EXPERIMENT.json] [--run] [--screenshot PNG [--after SECONDS] [--tab NAME]]
//                     [--export-report DIR]
//   distopt-workbench --export-figures DIR   (a sweep's or comparison's SVG figures as PNG and PDF)
//   distopt-workbench --attach ENDPOINT [--server-key KEY] [--dashboard-token TOKEN] [--present]
//                     (a read-only dashboard of a run elsewhere: the run's attach command; --present
//                     shows its manager view alone, full screen, for a wall screen)
#include <QApplication>
#include <QDir>
#include <QJsonObject>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "command_line.hpp"
#include "core/util/build_info.hpp"
#include "ui/client/remote_attach.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/figure_render.hpp"
#include "ui/history/run_history_model.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"

int main(int argc, char** argv) {
  // Arguments first: --help, --version and mistakes need no display, and the headless modes pick the
  // offscreen platform before the QApplication would fail to open one.
  const distopt::workbench::ParsedCommandLine parsed = distopt::workbench::parseCommandLine(argc, argv);
  if (!parsed.options) return parsed.exitCode;
  const distopt::workbench::WorkbenchOptions& options = *parsed.options;
  QString platformWhy;
  if (!distopt::workbench::choosePlatform(options, &platformWhy)) {
    std::fprintf(stderr, "distopt-workbench: %s\n", qPrintable(platformWhy));
    return 2;
  }

  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DistOpt Workbench"));
  QApplication::setOrganizationName(QStringLiteral("DistOpt"));
  QApplication::setApplicationVersion(QStringLiteral("%1 (commit %2)")
                                          .arg(QString::fromLatin1(distopt::programVersion()),
                                               QString::fromLatin1(distopt::programCommit())));

  if (!options.exportFigures.isEmpty()) {
    QStringList written;
    QString why;
    if (!distopt::ui::renderFigures(options.exportFigures, &written, &why)) {
      std::fprintf(stderr, "distopt-workbench: --export-figures: %s\n", qPrintable(why));
      return 1;
    }
    for (const QString& file : written)
      std::printf("%s\n", qPrintable(QDir(options.exportFigures).filePath(file)));
    return 0;
  }

  distopt::ui::MainWindow window;
  if (!options.experiment.isEmpty()) {
    QString why;
    if (!window.openExperiment(options.experiment, &why)) {
      std::fprintf(stderr, "distopt-workbench: %s\n", qPrintable(why));
      return 2;
    }
  }
  window.show();

  if (!options.attach.isEmpty()) {
    QStringList command{QStringLiteral("--attach"), options.attach};
    if (options.serverKeySet) command << QStringLiteral("--server-key") << options.serverKey;
    if (options.dashboardTokenSet) command << QStringLiteral("--dashboard-token") << options.dashboardToken;
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

  if (options.run) {
    QString why;
    if (!window.startRun(&why)) {
      std::fprintf(stderr, "distopt-workbench: cannot start: %s\n", qPrintable(why));
      return 2;
    }
  }
  // After the run is attached or started: the view shows its name and state from the start.
  if (options.present) window.setPresentationMode(true);
  if (!options.exportReport.isEmpty()) {
    const QString directory = options.exportReport;
    auto writeReport = [&window, directory]() {
      QString why;
      const bool ok = window.exportReport(directory, &why);
      if (!ok) std::fprintf(stderr, "distopt-workbench: --export-report: %s\n", qPrintable(why));
      else std::printf("report written to %s\n", qPrintable(directory));
      QApplication::exit(ok ? 0 : 1);
    };
    if (options.run) {
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
      // The run loads off the GUI thread: the report is written once it is shown (queued after the
      // main window's own handler), or the load's failure is the answer.
      QObject::connect(window.history(), &distopt::ui::RunHistoryPanel::openRequested, &window,
                       [writeReport](const distopt::StoredRun&) { QTimer::singleShot(0, writeReport); });
      QObject::connect(window.history(), &distopt::ui::RunHistoryPanel::message, &window,
                       [&window](const QString& text) {
                         if (window.history()->pendingLoads() > 0) return;
                         std::fprintf(stderr, "distopt-workbench: --export-report: %s\n", qPrintable(text));
                         QApplication::exit(1);
                       });
      if (!window.history()->openRun(window.history()->model()->runIdAt(0))) return 1;
    }
  }
  if (!options.screenshot.isEmpty()) {
    const QString path = options.screenshot;
    const QString tabName = options.tab;
    QTimer::singleShot(static_cast<int>(options.afterSeconds * 1000), &window, [&window, path, tabName]() {
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
