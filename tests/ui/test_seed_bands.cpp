// Several seeds of one configuration overlaid from the run history: one mean line and one band on a
// common grid (min–max or ± sd, the person's choice), not N tangled lines; runs of another
// configuration stay lines of their own; the exported report records the band with the chart.
#include <QAreaSeries>
#include <QFile>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "core/store/run_store.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/report_export.hpp"
#include "ui/history/overlay_band.hpp"
#include "ui/history/run_history_panel.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

// A run whose gap is `level` at every evaluation, evaluated every `step` time units up to 20: the
// seeds sample at different times, so only a common grid lines them up.
std::int64_t addRun(RunStore& store, std::uint64_t seed, double gamma, double level, double step) {
  const nlohmann::json experiment = {
      {"name", "bands"}, {"seed", seed}, {"algorithm", {{"name", "sgd"}, {"params", {{"gamma", gamma}}}}}};
  const auto id = store.createRun(RunRecord{.name = "bands",
                                            .experimentJson = experiment.dump(),
                                            .seed = seed,
                                            .algorithm = "sgd",
                                            .problem = "quadratic",
                                            .engine = "sim",
                                            .workers = 2});
  std::vector<EvaluationPoint> points;
  for (double t = 0; t <= 20 + 1e-9; t += step) {
    EvaluationPoint p;
    p.time = t;
    p.updates = static_cast<std::uint64_t>(t * 10);
    p.loss = p.gap.emplace(level);
    points.push_back(p);
  }
  store.appendEvaluations(id, points);
  RunSummary summary;
  summary.termination = Termination::TimeLimit;
  store.finishRun(id, summary, nlohmann::json{{"final_gap", level}}.dump());
  return id;
}

}  // namespace

class TestSeedBands : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  std::vector<std::int64_t> m_seeds;
  std::int64_t m_other = 0;

  // The history's overlay of the three seeds and the other configuration, drawn on `dashboard`.
  void overlay(RunHistoryPanel& panel, Dashboard& dashboard, int* lines, int* bands) {
    QSignalSpy single(&panel, &RunHistoryPanel::overlayRequested);
    QSignalSpy grouped(&panel, &RunHistoryPanel::overlayBandRequested);
    connect(&panel, &RunHistoryPanel::overlayRequested, &dashboard,
            [&](const QStringList& labels, const std::vector<std::vector<EvaluationPoint>>& curves) {
              for (std::size_t i = 0; i < curves.size(); ++i)
                dashboard.addOverlay(labels[static_cast<qsizetype>(i)], curves[i]);
            });
    connect(&panel, &RunHistoryPanel::overlayBandRequested, &dashboard,
            [&](const OverlayBand& band) { dashboard.addOverlayBand(band); });
    std::vector<std::int64_t> runs = m_seeds;
    runs.push_back(m_other);
    QVERIFY(panel.overlayRuns(runs));
    QTRY_COMPARE_WITH_TIMEOUT(panel.pendingLoads(), 0, 10'000);
    *lines = single.isEmpty() ? 0 : static_cast<int>(single[0][0].toStringList().size());
    *bands = static_cast<int>(grouped.size());
    panel.disconnect(&dashboard);
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    auto store = RunStore::open(m_dir.filePath("bands.sqlite").toStdString());
    // Seeds at levels 1, 2 and 6: mean 3, min 1, max 6, sample sd sqrt(7).
    m_seeds = {addRun(*store, 1, 0.1, 1.0, 2.0), addRun(*store, 2, 0.1, 2.0, 5.0),
               addRun(*store, 3, 0.1, 6.0, 0.5)};
    m_other = addRun(*store, 1, 0.2, 0.5, 1.0);  // another step size: its own line
  }

  void threeSeedsAreOneBandNotThreeLines() {
    RunHistoryPanel panel(m_dir.filePath("bands.sqlite"));
    QVERIFY(panel.refresh());
    QCOMPARE(panel.seedDisplay(), SeedDisplay::BandMinMax);
    Dashboard dashboard;
    dashboard.resize(1000, 700);
    LiveChart* chart = dashboard.convergence();
    const int own = chart->seriesCount();
    int lines = 0, bands = 0;
    overlay(panel, dashboard, &lines, &bands);
    QCOMPARE(lines, 1);  // the other configuration
    QCOMPARE(bands, 1);  // the three seeds
    QCOMPARE(chart->seriesCount(), own + 2);
    const int mean = own + 1;
    QVERIFY(chart->band(own) == nullptr);
    QAreaSeries* area = chart->band(mean);
    QVERIFY(area != nullptr);
    QVERIFY(chart->series(mean)->name().contains("min–max of 3 seeds"));
    dashboard.refreshNow();
    const auto upper = area->upperSeries()->points();
    const auto lower = area->lowerSeries()->points();
    QVERIFY(upper.size() > 100);
    QCOMPARE(upper.size(), lower.size());
    for (qsizetype i = 0; i < upper.size(); ++i) {
      QCOMPARE(upper[i].y(), 6.0);
      QCOMPARE(lower[i].y(), 1.0);
    }
    QCOMPARE(chart->buffer(mean).y().front(), 3.0);
    QCOMPARE(chart->buffer(mean).y().back(), 3.0);
    QCOMPARE(upper.back().x(), 20.0);

    // Clearing the overlays takes the band with its line.
    dashboard.clearOverlays();
    QCOMPARE(chart->seriesCount(), own);

    // The report records the chart as drawn: the band's fill is in convergence.png.
    overlay(panel, dashboard, &lines, &bands);
    dashboard.refreshNow();
    const QString dir = m_dir.filePath("report");
    ReportContent content;
    content.title = "bands";
    content.experiment = {{"name", "bands"}};
    QStringList written;
    QString why;
    QVERIFY2(exportReport(&dashboard, content, dir, &written, &why), qPrintable(why));
    QFile svg(dir + "/convergence.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains("fill-opacity=\"0.235294\""));  // the band's alpha, 60/255
  }

  void standardDeviationBandOrOneLineEach() {
    RunHistoryPanel panel(m_dir.filePath("bands.sqlite"));
    QVERIFY(panel.refresh());
    Dashboard dashboard;
    LiveChart* chart = dashboard.convergence();
    const int own = chart->seriesCount();
    panel.setSeedDisplay(SeedDisplay::BandStdDev);
    int lines = 0, bands = 0;
    overlay(panel, dashboard, &lines, &bands);
    QCOMPARE(bands, 1);
    dashboard.refreshNow();
    QAreaSeries* area = chart->band(own + 1);
    QVERIFY(area != nullptr);
    QVERIFY(chart->series(own + 1)->name().contains("± sd of 3 seeds"));
    const double sd = std::sqrt(7.0);
    QVERIFY(area->upperSeries()->count() > 100 && area->lowerSeries()->count() > 100);
    QCOMPARE(area->upperSeries()->points().front().y(), 3.0 + sd);
    // 3 − sqrt(7) > 0, so the lower edge is drawn where it is even on the default axis.
    QCOMPARE(area->lowerSeries()->points().front().y(), 3.0 - sd);

    dashboard.clearOverlays();
    panel.setSeedDisplay(SeedDisplay::Lines);
    overlay(panel, dashboard, &lines, &bands);
    QCOMPARE(lines, 4);
    QCOMPARE(bands, 0);
    QCOMPARE(chart->seriesCount(), own + 4);
  }
};

QTEST_MAIN(TestSeedBands)
#include "test_seed_bands.moc"
