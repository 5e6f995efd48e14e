// Run history (list, rename, tag, delete, overlay, baseline, config diff, data export), chart export to
// PNG/SVG/PDF, "Export report", the manager view's comparison with a baseline, and
// distopt-workbench --export-report end to end on real runs.
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>
#include <atomic>
#include <map>
#include <tuple>

#include <sys/wait.h>
#include <unistd.h>

#include "core/store/process_identity.hpp"
#include "core/store/run_store.hpp"
#include "core/store/store_writer.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/chart_export.hpp"
#include "ui/export/report_export.hpp"
#include "ui/export/report_job.hpp"
#include "ui/history/run_history_model.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/history/stored_run_view.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

EvaluationPoint point(double time, double gap, std::uint64_t bytes) {
  EvaluationPoint p;
  p.time = time;
  p.updates = static_cast<std::uint64_t>(time * 10);
  p.loss = gap;
  p.gap = gap;
  p.bytesUp = bytes;
  return p;
}

std::int64_t addRun(RunStore& store, const std::string& algorithm, double gamma, double timeToTarget) {
  nlohmann::json experiment = {{"name", "cmp"},
                               {"algorithm", {{"name", algorithm}, {"params", {{"gamma", gamma}}}}},
                               {"workers", {{"count", 4}}}};
  const auto id = store.createRun(RunRecord{.name = "cmp",
                                            .experimentJson = experiment.dump(),
                                            .algorithm = algorithm,
                                            .problem = "quadratic",
                                            .engine = "sim",
                                            .workers = 4});
  const std::vector<EvaluationPoint> points = {point(0, 1.0, 0), point(timeToTarget, 0.01, 1000),
                                               point(2 * timeToTarget, 0.001, 2000)};
  store.appendEvaluations(id, points);
  RunSummary summary;
  summary.termination = Termination::TargetReached;
  store.finishRun(id, summary,
                  nlohmann::json{{"time_to_target", timeToTarget},
                                 {"final_gap", 0.001},
                                 {"bytes_uplink", 2000},
                                 {"bytes_downlink", 0}}
                      .dump());
  return id;
}

// A chart image is not blank: some pixel has the first series' blue.
bool hasSeriesColour(const QImage& image) {
  for (int y = 0; y < image.height(); y += 1)
    for (int x = 0; x < image.width(); x += 1) {
      const QColor c = image.pixelColor(x, y);
      if (c.blue() > 150 && c.red() < 90 && c.green() > 80 && c.green() < 160) return true;
    }
  return false;
}

void feed(Dashboard& dashboard) {
  dashboard.beginRun({{"name", "t"}, {"workers", {{"count", 4}}}, {"stop", {{"target_gap", 0.01}}}});
  std::vector<EvaluationPoint> points;
  for (int i = 0; i <= 50; ++i)
    points.push_back(point(i, std::pow(0.9, i), static_cast<std::uint64_t>(i) * 100));
  points.back().metrics["consensus_error"] = 0.5;
  dashboard.addEvaluations(points);
  std::vector<UpdateEvent> events(200);
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].time = static_cast<double>(i) / 4;
    events[i].worker = static_cast<int>(i % 4);
    events[i].delay = static_cast<std::int64_t>(i % 7);
  }
  dashboard.addUpdates(events);
  dashboard.resize(1200, 760);
  dashboard.refreshNow();
}

}  // namespace

class TestHistoryExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
  }

  void configDiffFindsEveryChangedField() {
    const nlohmann::json a = {
        {"algorithm", {{"name", "ringmaster"}, {"params", {{"R", 6}}}}}, {"seed", 1}, {"list", {1, 2}}};
    const nlohmann::json b = {{"algorithm", {{"name", "asgd"}, {"params", nlohmann::json::object()}}},
                              {"seed", 1},
                              {"list", {1, 3}},
                              {"extra", true}};
    const auto d = diffConfigs(a, b);
    QStringList paths;
    for (const auto& x : d) paths << x.path;
    QCOMPARE(paths,
             QStringList({"algorithm.name", "algorithm.params", "algorithm.params.R", "extra", "list[1]"}));
    QCOMPARE(d[0].left, QString("\"ringmaster\""));
    QCOMPARE(d[0].right, QString("\"asgd\""));
    QVERIFY(d[3].left.isEmpty());
    QVERIFY(diffConfigs(a, a).empty());
  }

  void historyListsAndEditsRuns() {
    const QString path = m_dir.filePath("history.sqlite");
    std::int64_t slow = 0;
    std::int64_t fast = 0;
    {
      auto store = RunStore::open(path.toStdString());
      slow = addRun(*store, "asgd", 0.01, 40.0);
      fast = addRun(*store, "ringmaster", 0.02, 10.0);
    }
    RunHistoryPanel panel(path);
    QVERIFY(panel.refresh());
    QCOMPARE(panel.model()->rowCount(), 2);
    const int row = panel.model()->rowOf(fast);
    QCOMPARE(
        panel.model()->data(panel.model()->index(row, panel.model()->columnOf("algorithm.name"))).toString(),
        QString("ringmaster"));
    QCOMPARE(panel.model()
                 ->data(panel.model()->index(row, panel.model()->columnOf("summary.time_to_target")))
                 .toString(),
             QString("10"));
    QCOMPARE(panel.model()->data(panel.model()->index(row, panel.model()->columnOf("outcome"))).toString(),
             QString("target_reached"));

    QVERIFY(panel.rename(fast, "  my best run "));
    QCOMPARE(panel.model()
                 ->data(panel.model()->index(panel.model()->rowOf(fast), panel.model()->columnOf("run")))
                 .toString(),
             QString("my best run"));
    QVERIFY(panel.setTags(fast, {"paper", " fig3 ", ""}));
    QCOMPARE(panel.model()
                 ->data(panel.model()->index(panel.model()->rowOf(fast), panel.model()->columnOf("tags")))
                 .toString(),
             QString("paper, fig3"));

    QString why;
    const auto differences = panel.compare(slow, fast, &why);
    QVERIFY2(differences.has_value(), qPrintable(why));
    QStringList paths;
    for (const auto& d : *differences) paths << d.path;
    QCOMPARE(paths, QStringList({"algorithm.name", "algorithm.params.gamma"}));

    QSignalSpy overlays(&panel, &RunHistoryPanel::overlayRequested);
    QVERIFY(panel.overlayRuns({slow, fast}));
    QVERIFY(overlays.wait(10'000));
    QCOMPARE(overlays.size(), 1);
    QCOMPARE(overlays[0][0].toStringList().size(), 2);
    QVERIFY(overlays[0][0].toStringList()[1].contains("my best run"));

    QSignalSpy baseline(&panel, &RunHistoryPanel::baselineChosen);
    QVERIFY(panel.chooseBaseline(slow));
    QVERIFY(baseline.wait(10'000));
    QCOMPARE(baseline.size(), 1);

    // Opening loads on a worker thread: the call returns before the run is there.
    QSignalSpy opened(&panel, &RunHistoryPanel::openRequested);
    QVERIFY(panel.openRun(fast));
    QCOMPARE(opened.size(), 0);
    QCOMPARE(panel.pendingLoads(), 1);
    QVERIFY(opened.wait(10'000));
    QCOMPARE(opened.size(), 1);
    QCOMPARE(panel.pendingLoads(), 0);
    QSignalSpy messages(&panel, &RunHistoryPanel::message);
    QVERIFY(panel.openRun(fast + 100));
    QVERIFY(messages.wait(10'000));
    QCOMPARE(messages.size(), 1);
    QVERIFY(messages[0][0].toString().contains("no longer in the store"));
    // A newer request supersedes one still loading: only the last one is shown.
    opened.clear();
    QVERIFY(panel.openRun(slow));
    QVERIFY(panel.openRun(fast));
    QTRY_COMPARE_WITH_TIMEOUT(panel.pendingLoads(), 0, 10'000);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][0].value<StoredRun>().info.id, fast);

    const QString exportDir = m_dir.filePath("export-data");
    QVERIFY2(panel.exportData(fast, exportDir, &why), qPrintable(why));
    QVERIFY(QFile::exists(exportDir + "/evaluations.csv"));
    QVERIFY(QFile::exists(exportDir + "/run.json"));

    panel.selectRuns({slow, fast});
    QCOMPARE(panel.selectedRuns().size(), std::size_t{2});
    QVERIFY(panel.remove({slow}));
    QCOMPARE(panel.model()->rowCount(), 1);
    QCOMPARE(panel.model()->runIdAt(0), fast);
  }

  // Prune keeps the newest N finished runs (or deletes those older than D days), never a run still being
  // written; the plan says how much space goes before anything is deleted, and deleting gives it back.
  void pruneByCountAndAge() {
    const QString path = m_dir.filePath("prune.sqlite");
    std::vector<std::int64_t> finished;  // oldest first
    std::int64_t running = 0;
    {
      auto store = RunStore::open(path.toStdString());
      for (int i = 0; i < 5; ++i) {
        RunRecord record{.name = "run" + std::to_string(i), .experimentJson = "{}"};
        record.startedAt = "2020-01-0" + std::to_string(i + 1) + "T00:00:00.000Z";
        const auto id = store->createRun(record);
        StoreWriter::Options options;
        options.eventLog = EventLog::Full;  // some bulk, so the space is measurable
        StoreWriter writer(RunStore::open(path.toStdString()), id, options);
        for (int e = 0; e < 20'000; ++e) {
          UpdateEvent event;
          event.time = e;
          event.worker = e % 7;
          event.outcome = Outcome::Cancelled;
          writer.onUpdate(event);
        }
        writer.onFinish(RunSummary{});
        finished.push_back(id);
      }
      // Old, but still being written: never pruned.
      RunRecord old{.name = "going-old", .experimentJson = "{}"};
      old.startedAt = "2019-01-01T00:00:00.000Z";
      old.coordinator = ProcessIdentity::current();
      running = store->createRun(old);
    }
    RunHistoryPanel panel(path);
    QVERIFY(panel.refresh());
    QString why;
    QVERIFY(!panel.planPrune(PruneRule{}, &why));  // no rule: refused, with the reason
    QVERIFY(why.contains("keep"));
    const auto byCount = panel.planPrune(PruneRule{.keep = 2}, &why);
    QVERIFY2(byCount, qPrintable(why));
    std::vector<std::int64_t> doomed;
    for (const RunInfo& info : byCount->runs) doomed.push_back(info.id);
    QCOMPARE(doomed, (std::vector<std::int64_t>{finished[2], finished[1], finished[0]}));
    QVERIFY(byCount->bytes > 3 * 20'000 * 8);  // at least a few bytes per deleted row
    const QString question = pruneQuestion(*byCount);
    QVERIFY2(
        question.contains("3 run(s)") && question.contains(formatBytes(static_cast<double>(byCount->bytes))),
        qPrintable(question));
    QCOMPARE(panel.model()->rowCount(), 6);  // planning deleted nothing

    const std::uint64_t before = RunStore::open(path.toStdString())->fileBytes();
    QVERIFY(panel.prune(*byCount));
    const std::uint64_t after = RunStore::open(path.toStdString())->fileBytes();
    QVERIFY2(before - after >= byCount->bytes * 9 / 10,
             qPrintable(QString("%1 -> %2, planned %3").arg(before).arg(after).arg(byCount->bytes)));
    QCOMPARE(panel.model()->rowCount(), 3);
    QVERIFY(panel.model()->rowOf(running) >= 0);

    // By age: both remaining finished runs started in 2020, long ago; the live one stays.
    const auto byAge = panel.planPrune(PruneRule{.olderThanDays = 365.0}, &why);
    QVERIFY2(byAge, qPrintable(why));
    QCOMPARE(byAge->runs.size(), std::size_t{2});
    QVERIFY(panel.prune(*byAge));
    QCOMPARE(panel.model()->rowCount(), 1);
    QVERIFY(panel.model()->rowOf(running) >= 0);
    QVERIFY(panel.planPrune(PruneRule{.keep = 0}, &why)->runs.empty());
  }

  // A run kept as aggregates (no per-event rows beyond a sample) draws its exact delay histogram and its
  // bytes-per-update curve; a run whose coordinator died shows as interrupted.
  void storedRunDrawsFromAggregates() {
    const QString path = m_dir.filePath("aggregates.sqlite");
    std::int64_t id = 0;
    std::map<std::tuple<int, int, std::int64_t>, std::uint64_t> exact;
    std::uint64_t accepted = 0;
    {
      auto store = RunStore::open(path.toStdString());
      id = store->createRun(RunRecord{.name = "agg",
                                      .experimentJson = R"({"name":"agg","workers":{"count":6}})",
                                      .algorithm = "ringmaster",
                                      .engine = "sim",
                                      .workers = 6});
      StoreWriter writer(RunStore::open(path.toStdString()), id);
      for (std::uint64_t i = 0; i < 50'000; ++i) {
        UpdateEvent e;
        e.time = static_cast<double>(i) * 0.01;
        e.worker = static_cast<int>(i % 6);
        e.outcome = i % 5 == 0 ? Outcome::Accepted : Outcome::Cancelled;
        e.delay = static_cast<std::int64_t>((i / 6) % 11);
        writer.onUpdate(e);
        ++exact[{e.worker, static_cast<int>(e.outcome), e.delay}];
        accepted += e.outcome == Outcome::Accepted;
      }
      writer.onFinish(RunSummary{});
    }
    RunHistoryPanel panel(path);
    QVERIFY(panel.refresh());
    QSignalSpy opened(&panel, &RunHistoryPanel::openRequested);
    QVERIFY(panel.openRun(id));
    QVERIFY(opened.wait(10'000));
    const auto run = opened[0][0].value<StoredRun>();
    QVERIFY(run.events.empty());  // the dashboard needs no event rows
    Dashboard dashboard;
    dashboard.beginRun(run.experiment);
    addStoredUpdates(dashboard, run);
    DelayHistogram* histogram = dashboard.delays();
    for (int worker = -1; worker < 6; ++worker) {
      histogram->setWorkerFilter(worker);
      for (Outcome outcome : {Outcome::Accepted, Outcome::Cancelled}) {
        std::uint64_t total = 0;
        for (std::int64_t delay = 0; delay <= 11; ++delay) {
          std::uint64_t want = 0;
          for (const auto& [key, count] : exact)
            if ((worker < 0 || std::get<0>(key) == worker) && std::get<1>(key) == static_cast<int>(outcome) &&
                std::get<2>(key) == delay)
              want += count;
          QCOMPARE(histogram->count(outcome, delay), want);
          total += want;
        }
        QCOMPARE(histogram->total(outcome), total);
      }
    }
    histogram->setWorkerFilter(-1);
    QCOMPARE(histogram->total(Outcome::Accepted), accepted);
    QCOMPARE(run.accepted.back().count, accepted);

    // A dead coordinator's run, listed.
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    {
      auto store = RunStore::open(path.toStdString());
      RunRecord record{.name = "killed"};
      record.coordinator = {ProcessIdentity::localHost(), static_cast<int>(child), 0};
      store->createRun(record);
    }
    QVERIFY(panel.refresh());
    int interrupted = 0;
    for (int row = 0; row < panel.model()->rowCount(); ++row)
      if (panel.model()->data(panel.model()->index(row, panel.model()->columnOf("outcome"))).toString() ==
          "interrupted")
        ++interrupted;
    QCOMPARE(interrupted, 1);
  }

  void reattachedRunCountsOnFromTheStore() {
    // A run still going: the store holds its first 3000 accepted updates (a thinned timeline whose last
    // point is behind the exact count), then live telemetry brings more. The curve must continue from
    // the stored count, not start again at zero (the dip seen when reattaching).
    const QString path = m_dir.filePath("reattach.sqlite");
    std::int64_t id = 0;
    std::uint64_t stored = 0;
    double lastTime = 0.0;
    auto store = RunStore::open(path.toStdString());
    id = store->createRun(RunRecord{.name = "going", .experimentJson = R"({"name":"going"})", .workers = 2});
    {
      StoreWriter writer(RunStore::open(path.toStdString()), id);
      for (std::uint64_t i = 0; i < 6001; ++i) {
        UpdateEvent e;
        e.time = static_cast<double>(i) * 0.01;
        e.worker = static_cast<int>(i % 2);
        e.outcome = i % 2 == 0 ? Outcome::Accepted : Outcome::Cancelled;
        writer.onUpdate(e);
        stored += e.outcome == Outcome::Accepted;
        lastTime = e.time;
      }
      QVERIFY(writer.flush());  // committed, not finished: the coordinator is still running
    }
    const auto run = loadStoredRun(*store, id, StoredRunParts{.events = false});
    QVERIFY(run);
    QVERIFY2(run->accepted.back().count < stored, "the test needs a timeline thinned below the exact count");
    Dashboard dashboard;
    dashboard.beginRun(run->experiment);
    addStoredUpdates(dashboard, *run);
    QCOMPARE(dashboard.acceptedUpdates(), stored);
    QCOMPARE(dashboard.bandwidth()->acceptedUpdatesAt(lastTime), static_cast<double>(stored));

    std::vector<UpdateEvent> live(4);
    for (std::size_t i = 0; i < live.size(); ++i) live[i].time = lastTime + 1.0 + static_cast<double>(i);
    dashboard.addUpdates(live);
    QCOMPARE(dashboard.acceptedUpdates(), stored + live.size());
    QCOMPARE(dashboard.bandwidth()->acceptedUpdatesAt(live.back().time),
             static_cast<double>(stored + live.size()));
    QVERIFY(dashboard.bandwidth()->acceptedUpdatesAt(lastTime + 0.5) >= static_cast<double>(stored));
  }

  void dashboardComparesWithTheBaseline() {
    Dashboard dashboard;
    dashboard.beginRun({{"name", "t"}, {"workers", {{"count", 2}}}});
    dashboard.beginRun({{"name", "t"}, {"workers", {{"count", 2}}}});
    QCOMPARE(dashboard.convergence()->seriesCount(), 1);  // a new run does not pile up series
    QVERIFY(!dashboard.speedUp());
    // Baseline reaches 0.01 at t = 40 with 4000 B; this run at t = 10 with 1000 B.
    dashboard.setBaseline({"slow", {point(0, 1.0, 0), point(40, 0.01, 4000), point(80, 0.005, 8000)}});
    dashboard.addEvaluations({point(0, 1.0, 0), point(10, 0.01, 1000)});
    QVERIFY(dashboard.speedUp().has_value());
    QCOMPARE(*dashboard.speedUp(), 4.0);
    QCOMPARE(*dashboard.bytesSaved(), 3000.0);
    // Once this run is finer than the baseline ever got, compare at the baseline's best (0.005).
    dashboard.addEvaluations({point(15, 0.004, 1500)});
    QCOMPARE(*dashboard.speedUp(), 80.0 / 15.0);
    QCOMPARE(*dashboard.bytesSaved(), 6500.0);

    dashboard.addOverlay("a", {point(0, 1, 0), point(1, 0.5, 10)});
    dashboard.addOverlay("b", {point(0, 1, 0)});
    QCOMPARE(dashboard.overlayCount(), 2);
    QCOMPARE(dashboard.convergence()->buffer(1).size(), std::size_t{2});
    dashboard.clearOverlays();
    QCOMPARE(dashboard.overlayCount(), 0);
    dashboard.clearBaseline();
    QVERIFY(!dashboard.speedUp());
  }

  void chartsExportToEveryFormat() {
    Dashboard dashboard;
    feed(dashboard);
    QString why;
    const QString png = m_dir.filePath("conv.png");
    QVERIFY2(exportChart(dashboard.convergence(), png, &why), qPrintable(why));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 640);
    QVERIFY2(hasSeriesColour(image), "the exported chart shows no curve");

    const QString svg = m_dir.filePath("delays.svg");
    QVERIFY2(exportChart(dashboard.delays(), svg, &why), qPrintable(why));
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("<svg"));
    QVERIFY(svgText.contains("<path") || svgText.contains("<polyline"));

    const QString pdf = m_dir.filePath("bw.PDF");
    QVERIFY2(exportChart(dashboard.bandwidth(), pdf, &why), qPrintable(why));
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    QVERIFY(pdfFile.read(5) == "%PDF-");

    QVERIFY(!exportChart(dashboard.convergence(), m_dir.filePath("x.bmp"), &why));
    QVERIFY2(why.contains("x.bmp") && why.contains(".png"), qPrintable(why));
    QVERIFY(!exportChart(dashboard.convergence(), "/proc/no/such/dir/c.png", &why));
    QVERIFY2(why.contains("/proc/no/such/dir/c.png"), qPrintable(why));
  }

  // Export report: the charts are recorded on the GUI thread, everything else (the stored run's data,
  // images, PDF) is written by a worker while the GUI thread goes on. The writer waits, before writing,
  // for a release that only the GUI thread's event loop can give: an export that blocked the GUI thread
  // would never get it (and would report sawRelease false after its failsafe).
  void reportIsWrittenOffTheGuiThread() {
    Dashboard dashboard;
    feed(dashboard);
    ReportContent content;
    content.title = "async report";
    content.experiment = {{"name", "t"}};
    std::atomic<QThread*> loadedOn{nullptr};
    content.loadRun = [&loadedOn]() -> std::optional<StoredRun> {
      loadedOn = QThread::currentThread();
      return std::nullopt;
    };
    QSemaphore release;
    std::atomic<bool> sawRelease{false};
    ReportExportJob::Options options;
    options.beforeWriting = [&] { sawRelease = release.tryAcquire(1, 120'000); };
    const QString dir = m_dir.filePath("async-report");
    ReportExportJob job(&dashboard, content, dir, nullptr, options);
    QSignalSpy finished(&job, &ReportExportJob::finished);
    QVERIFY(job.isRunning());
    QTimer::singleShot(0, &dashboard, [&release] { release.release(); });
    QVERIFY(finished.wait(120'000));
    QVERIFY2(sawRelease, "the writer never saw the GUI thread's event loop run");
    QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][2].toString()));
    QVERIFY(!job.isRunning());
    QVERIFY(job.writerThread() != nullptr);
    QVERIFY(job.writerThread() != QThread::currentThread());
    QCOMPARE(loadedOn.load(), job.writerThread());
    for (const char* file : {"convergence.png", "convergence.svg", "manager-view.png", "report.pdf"})
      QVERIFY2(QFile::exists(dir + "/" + file), file);
    QVERIFY(QImage(dir + "/convergence.png").width() > 0);
    QVERIFY(hasSeriesColour(QImage(dir + "/convergence.png")));
  }

  void reportHasEveryPart() {
    Dashboard dashboard;
    feed(dashboard);
    ReportContent content;
    content.title = "report test";
    content.experiment = {{"name", "t"}, {"seed", 3}};
    content.summary = {{"algorithm", "ringmaster"},
                       {"termination", "target_reached"},
                       {"time_to_target", 12.5},
                       {"bytes_uplink", 1000},
                       {"bytes_downlink", 500}};
    const QString dir = m_dir.filePath("report");
    QStringList written;
    QString why;
    QVERIFY2(exportReport(&dashboard, content, dir, &written, &why), qPrintable(why));
    for (const char* file :
         {"convergence.png", "convergence.svg", "delays.png", "bandwidth.svg", "metrics-squared-norm.png",
          "manager-view.png", "summary.md", "summary.json", "experiment.json", "report.pdf"}) {
      QVERIFY2(written.contains(file), file);
      QVERIFY2(QFile::exists(dir + "/" + file), file);
    }
    QFile summary(dir + "/summary.md");
    QVERIFY(summary.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(summary.readAll());
    QVERIFY(text.contains("| time to target | 12.5 |"));
    QVERIFY(text.contains("| bytes up / down | 1 kB / 500 B |"));
    QFile pdf(dir + "/report.pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    // A title page and one page per chart (five dashboard charts and the metrics chart).
    QCOMPARE(bytes.count("/Type /Page\n") + bytes.count("/Type /Page\r") + bytes.count("/Type /Page "), 7);
  }

  void workbenchExportsTheNewestStoredRun() {
    const QString home = m_dir.filePath("xdg");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", home);
    env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));  // not the developer's own settings
    env.insert("QT_QPA_PLATFORM", "offscreen");
    const QString bin = QStringLiteral(DISTOPT_BIN_DIR);
    const QString experiment =
        QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/async-e3-quadratic-32.json");

    QProcess empty;
    empty.setProcessEnvironment(env);
    empty.start(bin + "/distopt-workbench", {"--export-report", m_dir.filePath("none")});
    QVERIFY(empty.waitForFinished(60000));
    QCOMPARE(empty.exitCode(), 1);
    QVERIFY2(empty.readAllStandardError().contains("holds no run"), "an empty store is reported");

    QProcess run;
    run.setProcessEnvironment(env);
    run.start(bin + "/distopt-run", {experiment, "--engine", "sim", "--set", "stop.time=300", "--quiet",
                                     "--out", m_dir.filePath("run-out")});
    QVERIFY(run.waitForFinished(120000));
    QCOMPARE(run.exitCode(), 0);
    QVERIFY(QFile::exists(m_dir.filePath("run-out/store.json")));

    QProcess workbench;
    workbench.setProcessEnvironment(env);
    const QString dir = m_dir.filePath("cli-report");
    workbench.start(bin + "/distopt-workbench", {"--export-report", dir});
    QVERIFY(workbench.waitForFinished(120000));
    QVERIFY2(workbench.exitCode() == 0, workbench.readAllStandardError().constData());
    QVERIFY(QFile::exists(dir + "/report.pdf"));
    QVERIFY(QFile::exists(dir + "/data/events_sample.csv"));  // a default run keeps a sample
    QVERIFY(QFile::exists(dir + "/data/delays.csv.gz"));
    QImage image(dir + "/convergence.png");
    QVERIFY(hasSeriesColour(image));
    QFile summary(dir + "/summary.md");
    QVERIFY(summary.open(QIODevice::ReadOnly));
    QVERIFY(summary.readAll().contains("| algorithm | ringmaster |"));
  }
};

QTEST_MAIN(TestHistoryExport)
#include "test_history_export.moc"
