// Family views (ui/family) on real runs: the presets run through distopt-run into a per-test store,
// the dashboard is fed what the store holds (as a reopened run is), and the views are checked against
// the numbers in the data: graph shape, node colours by consensus error, edge traffic, the vote chart
// only for majority vote, one eigenvalue series per top-k Ritz value, time per iteration of two
// overlaid Kronecker runs, reopening from the history, and the report's family pages.
#include <QDir>
#include <QFile>
#include <QLineSeries>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QFontMetricsF>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "core/registry/family.hpp"
#include "core/registry/registry.hpp"
#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/charts/tick_label_axis.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/chart_export.hpp"
#include "ui/export/report_export.hpp"
#include "ui/family/compressed_view.hpp"
#include "ui/family/curvature_view.hpp"
#include "ui/family/family_view.hpp"
#include "ui/family/kronecker_view.hpp"
#include "ui/family/topology_graph.hpp"
#include "ui/family/topology_view.hpp"
#include "ui/family/worker_bar_chart.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

void show(Dashboard& dashboard, const StoredRun& run) {
  dashboard.beginRun(run.experiment);
  dashboard.addEvaluations(run.evaluations);
  dashboard.addUpdates(run.events);
  dashboard.addBandwidth(run.bandwidth);
  dashboard.resize(1300, 800);
  dashboard.refreshNow();
}

// What in `chart` is not named as the one table of metric names (ui/charts/metric_names) names `keys`:
// every series a metric's words, the y axis their unit (one metric: its words and unit). "" when all is.
QString namedOtherwise(const LiveChart& chart, const std::vector<std::string>& keys) {
  QStringList words;
  for (const std::string& key : keys) words << metricName(key).words;
  QStringList wrong;
  for (int s = 0; s < chart.seriesCount(); ++s)
    if (!words.contains(chart.series(s)->name()))
      wrong << QStringLiteral("series '%1'").arg(chart.series(s)->name());
  const QString title =
      keys.size() == 1 ? metricTitleWithUnit(keys.front()) : metricUnitTitle(metricName(keys.front()).unit);
  if (chart.yTitle() != title) wrong << QStringLiteral("y title '%1', not '%2'").arg(chart.yTitle(), title);
  if (chart.seriesCount() == 0) wrong << QStringLiteral("no series");
  return wrong.join(QStringLiteral("; "));
}

std::size_t countWith(const std::vector<EvaluationPoint>& points, const std::string& metric) {
  return static_cast<std::size_t>(std::count_if(
      points.begin(), points.end(), [&](const EvaluationPoint& p) { return p.metrics.contains(metric); }));
}

// The last evaluation that reports per-node errors: what the graph must show.
std::vector<double> lastNodeErrors(const StoredRun& run, int nodes) {
  for (auto p = run.evaluations.rbegin(); p != run.evaluations.rend(); ++p) {
    if (!p->metrics.contains("node_consensus_error.0")) continue;
    std::vector<double> errors;
    for (int i = 0; i < nodes; ++i)
      errors.push_back(p->metrics.at("node_consensus_error." + std::to_string(i)));
    return errors;
  }
  return {};
}

// Latest cumulative bytes per directed edge, from the samples as stored.
std::map<std::pair<int, int>, std::uint64_t> peerBytes(const StoredRun& run) {
  std::map<std::pair<int, int>, std::uint64_t> bytes;
  for (const auto& s : run.bandwidth)
    if (s.kind.rfind("peer:", 0) == 0) bytes[{s.worker, std::stoi(s.kind.substr(5))}] = s.bytes;
  return bytes;
}

bool sameColor(const QColor& a, const QColor& b) {
  return std::abs(a.red() - b.red()) <= 1 && std::abs(a.green() - b.green()) <= 1 &&
         std::abs(a.blue() - b.blue()) <= 1;
}

bool hasColor(const QImage& image, const QColor& color) {
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::abs(c.red() - color.red()) < 25 && std::abs(c.green() - color.green()) < 25 &&
          std::abs(c.blue() - color.blue()) < 25)
        return true;
    }
  return false;
}

}  // namespace

class TestFamily : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  std::map<QString, StoredRun> m_runs;  // by preset name

  struct Preset {
    QString name;
    QStringList sets;  // shortening the run to what the checks need
  };

  // Runs the presets with distopt-run side by side, recorded in the test's store, and loads them.
  bool runPresets(const std::vector<Preset>& presets) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", m_dir.filePath("xdg"));
    std::vector<std::unique_ptr<QProcess>> runs;
    for (const Preset& preset : presets) {
      auto run = std::make_unique<QProcess>();
      run->setProcessEnvironment(env);
      QStringList args = {
          QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/") + preset.name + ".json", "--quiet",
          "--out", m_dir.filePath("out-" + preset.name)};
      for (const QString& set : preset.sets) args << "--set" << set;
      run->start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-run"), args);
      runs.push_back(std::move(run));
    }
    bool ok = true;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (!runs[i]->waitForFinished(120000) || runs[i]->exitCode() != 0) {
        qWarning() << presets[i].name << runs[i]->readAllStandardError();
        ok = false;
      }
    }
    for (const Preset& preset : presets) {
      const auto location = readStoreLocation(m_dir.filePath("out-" + preset.name).toStdString());
      if (!location) return false;
      auto store = RunStore::open(location->path);
      auto stored = loadStoredRun(*store, location->runId);
      if (!stored) return false;
      m_runs.emplace(preset.name, std::move(*stored));
    }
    return ok;
  }

  const StoredRun& run(const QString& preset) { return m_runs.at(preset); }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    // The main window's history lists the same store the runs go into.
    qputenv("XDG_DATA_HOME", m_dir.filePath("xdg").toUtf8());
    // Fashion-MNIST is read whole; the training subset is limited so the MLP evaluations stay quick.
    const QStringList mnist = {"stop.updates=60", "eval.every_updates=10", "problem.params.limit=2000"};
    QVERIFY(runPresets({{"decentralized-e0-p0-proxgt-sr-e", {"stop.updates=60"}},
                        {"decentralized-e2-p0-torus-auto-k", {"stop.updates=30"}},
                        {"compressed-e1-signsgd-mv", mnist},
                        {"compressed-e1-sgd", mnist},
                        {"hybrid-quadratic-spectrum", {"stop.updates=80"}},
                        {"kron-naive", {"stop.updates=40"}},
                        {"kron-fast", {"stop.updates=40"}}}));
  }

  void indexedNamesAreRecognised() {
    QVERIFY(isIndexedMetric("node_consensus_error.3"));
    QVERIFY(isIndexedMetric("eigenvalue.0"));
    QVERIFY(isIndexedMetric("curvature_memory_bytes.12"));
    QVERIFY(!isIndexedMetric("consensus_error"));
    QVERIFY(!isIndexedMetric("a.b"));
    QVERIFY(!isIndexedMetric("a.-1"));
    QVERIFY(!isIndexedMetric(".3"));
    QCOMPARE(metricIndex("eigenvalue.7", "eigenvalue"), std::optional<int>(7));
    QCOMPARE(metricIndex("eigenvalues.7", "eigenvalue"), std::optional<int>());
    QCOMPARE(metricIndex("eigenvalue.7x", "eigenvalue"), std::optional<int>());
  }

  // makeFamilyView against the family table (core/registry/family.hpp): a view of its own for every
  // family that runs its own roles, none for the parameter-server family, whose charts (convergence,
  // delays, bandwidth) are the dashboard's own.
  void everyFamilyHasItsView() {
    for (const auto& family : kFamilyDescriptors) {
      const QString name = QString::fromUtf8(family.name.data(), static_cast<qsizetype>(family.name.size()));
      std::unique_ptr<FamilyView> view(makeFamilyView(family.id));
      if (family.roles.driver == FamilyDriver::ParameterServer) {
        QVERIFY2(!view, qPrintable(name + ": has a family view"));
        continue;
      }
      QVERIFY2(view, qPrintable(name + ": no family view"));
      QVERIFY2(view->family() == family.id, qPrintable(name + ": made another family's view"));
      QVERIFY2(!view->title().isEmpty(), qPrintable(name));
    }
    // The dashboard finds the family from the registry: every algorithm's, none for an unknown name.
    for (const auto& entry : algorithmEntries())
      QVERIFY2(familyOf({{"algorithm", {{"name", entry.name}}}}) == entry.family, entry.name.c_str());
    QVERIFY(!familyOf({{"algorithm", {{"name", "no-such-method"}}}}).has_value());
  }

  void ringGraphShowsErrorsAndTraffic() {
    const StoredRun& ring = run("decentralized-e0-p0-proxgt-sr-e");
    Dashboard dashboard;
    show(dashboard, ring);
    auto* view = qobject_cast<TopologyView*>(dashboard.familyView());
    QVERIFY(view);
    QCOMPARE(dashboard.familyTabIndex(), 2);  // right after Metrics
    QCOMPARE(dashboard.tabs()->tabText(dashboard.familyTabIndex()), QString("Topology"));
    TopologyGraph* graph = view->graph();
    QCOMPARE(graph->nodeCount(), 8);
    QCOMPARE(graph->edgeCount(), 8);
    for (const auto& [i, j] : graph->edges())
      QVERIFY2(j == (i + 1) % 8 || i == (j + 1) % 8, "a ring's edges");

    // Node colours follow ‖x_i − x̄‖ of the last evaluation: the largest is the hot end, the smallest the
    // cold end, the rest in between by value.
    const auto errors = lastNodeErrors(ring, 8);
    QCOMPARE(errors.size(), std::size_t(8));
    const auto [lo, hi] = std::minmax_element(errors.begin(), errors.end());
    QVERIFY2(*hi > *lo, "the nodes of a ring disagree after a few iterations");
    const int hot = static_cast<int>(hi - errors.begin());
    const int cold = static_cast<int>(lo - errors.begin());
    QVERIFY(sameColor(graph->nodeColor(hot), QColor(215, 25, 28)));
    QVERIFY(sameColor(graph->nodeColor(cold), QColor(44, 123, 182)));
    for (int i = 0; i < 8; ++i) {
      QCOMPARE(graph->nodeError(i), errors[static_cast<std::size_t>(i)]);
      QVERIFY(sameColor(graph->nodeColor(i), TopologyGraph::colorScale((errors[i] - *lo) / (*hi - *lo))));
    }
    QVERIFY(graph->toolTipAt(graph->nodePosition(hot)).contains(QString::number(errors[hot], 'g', 4)));

    // The title says what the colours show (the iteration and time) at any width: a narrow panel
    // shortens the graph's size first (seen cut after "t =" before).
    QFont bold = graph->font();
    bold.setBold(true);
    const QFontMetricsF metrics(bold);
    graph->resize(900, graph->height());
    const QString wide = graph->title();
    QVERIFY2(wide.startsWith("Graph: 8 nodes, 8 edges — iteration ") && wide.contains(", t = "), qPrintable(wide));
    const QString state = wide.mid(wide.indexOf("iteration "));
    graph->resize(static_cast<int>(metrics.horizontalAdvance("8 nodes — " + state)) + 40, graph->height());
    QVERIFY2(graph->title().endsWith(state) && !graph->title().startsWith("Graph:"), qPrintable(graph->title()));
    QVERIFY(metrics.horizontalAdvance(graph->title()) <= graph->width());
    graph->resize(60, graph->height());
    QVERIFY2(metrics.horizontalAdvance(graph->title()) <= graph->width(), qPrintable(graph->title()));

    // Edge traffic is the stored per-edge bytes, both directions; widths follow it.
    const auto sent = peerBytes(ring);
    QCOMPARE(sent.size(), std::size_t(16));  // 8 edges, both ways
    std::uint64_t most = 0;
    for (const auto& [i, j] : graph->edges()) {
      QCOMPARE(graph->edgeBytes(i, j), sent.at({i, j}) + sent.at({j, i}));
      QVERIFY(graph->edgeBytes(i, j) > 0);
      most = std::max(most, graph->edgeBytes(i, j));
    }
    for (const auto& [i, j] : graph->edges())
      QCOMPARE(graph->edgeWidth(i, j), 1.0 + (graph->maxEdgeWidth() - 1.0) * graph->edgeBytes(i, j) / most);

    // The consensus chart has every delivered point; the Metrics tab leaves the per-node names out.
    const MetricLines& lines = view->consensusLines();
    const int consensus = lines.seriesOf("consensus_error");
    QVERIFY(consensus >= 0);
    QCOMPARE(view->consensus()->buffer(consensus).size(), countWith(ring.evaluations, "consensus_error"));
    QVERIFY(lines.seriesOf("tracker_consensus_error") >= 0);
    QVERIFY(lines.seriesOf("prox_grad_mapping_norm_sq") >= 0);
    const QString misnamed = namedOtherwise(
        *view->consensus(), {"consensus_error", "tracker_consensus_error", "prox_grad_mapping_norm_sq"});
    QVERIFY2(misnamed.isEmpty(), qPrintable(misnamed));
    QVERIFY(dashboard.metrics()->seriesCount() > 0);
    for (const QString& name : dashboard.metrics()->seriesNames())
      QVERIFY(!name.contains("Node consensus error"));

    // The bandwidth chart counts each byte once: the per-edge samples repeat the GOSSIP bytes.
    std::map<std::pair<int, std::string>, std::uint64_t> gossip;
    for (const auto& s : ring.bandwidth)
      if (s.uplink && s.kind == "GOSSIP") gossip[{s.worker, s.kind}] = s.bytes;
    double gossipTotal = 0;
    for (const auto& [key, bytes] : gossip) gossipTotal += static_cast<double>(bytes);
    QVERIFY(gossipTotal > 0);
    QCOMPARE(dashboard.bandwidth()->cumulativeBytes(-1, true, ring.bandwidth.back().time), gossipTotal);
  }

  void torusIsALattice() {
    const StoredRun& torus = run("decentralized-e2-p0-torus-auto-k");
    Dashboard dashboard;
    show(dashboard, torus);
    auto* view = qobject_cast<TopologyView*>(dashboard.familyView());
    QVERIFY(view);
    TopologyGraph* graph = view->graph();
    QCOMPARE(graph->nodeCount(), 16);
    QCOMPARE(graph->edgeCount(), 32);  // 4 x 4 torus: every node has degree 4
    // Grid layout: a row shares its y, a column its x (node id = row * 4 + col).
    QCOMPARE(graph->nodePosition(1).y(), graph->nodePosition(0).y());
    QVERIFY(graph->nodePosition(1).x() > graph->nodePosition(0).x());
    QCOMPARE(graph->nodePosition(4).x(), graph->nodePosition(0).x());
    QVERIFY(graph->nodePosition(4).y() > graph->nodePosition(0).y());
    const auto errors = lastNodeErrors(torus, 16);
    const int hot = static_cast<int>(std::max_element(errors.begin(), errors.end()) - errors.begin());
    QVERIFY(sameColor(graph->nodeColor(hot), TopologyGraph::colorScale(1.0)));
    for (const auto& [i, j] : graph->edges()) QVERIFY(graph->edgeBytes(i, j) > 0);
  }

  void voteChartOnlyForMajorityVote() {
    const StoredRun& vote = run("compressed-e1-signsgd-mv");
    Dashboard dashboard;
    show(dashboard, vote);
    auto* view = qobject_cast<CompressedView*>(dashboard.familyView());
    QVERIFY(view);
    QCOMPARE(dashboard.tabs()->tabText(dashboard.familyTabIndex()), QString("Compressed"));
    QVERIFY(view->hasVotes());
    QVERIFY(!view->votes()->isHidden());
    QCOMPARE(view->votes()->seriesCount(), 3);
    for (int s = 0; s < 3; ++s)
      QCOMPARE(view->votes()->buffer(s).size(), countWith(vote.evaluations, "vote_agreement"));
    QCOMPARE(view->exportItems().size(), std::size_t(3));
    QString misnamed = namedOtherwise(*view->votes(), {"vote_agreement", "vote_margin", "vote_coverage"});
    QVERIFY2(misnamed.isEmpty(), qPrintable(misnamed));
    misnamed =
        namedOtherwise(*view->bitsPerIteration(), {"bits_up_per_iteration", "bits_down_per_iteration"});
    QVERIFY2(misnamed.isEmpty(), qPrintable(misnamed));
    QVERIFY(view->lossBits()->xTitle().startsWith(metricName("cumulative_bits_up").words));

    // Loss against bits: one point per evaluation that sent something; x is log10 of the bits.
    std::size_t sending = 0;
    double lastBits = 0;
    for (const auto& p : vote.evaluations)
      if (p.metrics.contains("cumulative_bits_up") && p.metrics.at("cumulative_bits_up") > 0) {
        ++sending;
        lastBits = p.metrics.at("cumulative_bits_up");
      }
    QVERIFY(sending > 2);
    const SeriesBuffer& curve = view->lossBits()->buffer(0);
    QCOMPARE(curve.size(), sending);
    QCOMPARE(curve.x(XAxis::Bytes).back(), std::log10(lastBits));
    // ... labelled as the counts it stands for ("10⁷", "4 × 10⁷"), not as their logarithms ("7.6").
    view->lossBits()->refreshNow();
    const QStringList bitLabels = view->lossBits()->xLabels()->labels();
    QVERIFY(!bitLabels.isEmpty());
    for (const QString& label : bitLabels)
      QVERIFY2(label.contains(QStringLiteral("10")) && !QRegularExpression("^[0-9.]+$").match(label).hasMatch(),
               qPrintable(bitLabels.join(" | ")));
    view->setIncludeDownlink(true);
    QVERIFY(view->lossBits()->buffer(0).x(XAxis::Bytes).back() > std::log10(lastBits));
    QCOMPARE(view->bitsPerIteration()->seriesCount(), 2);

    const StoredRun& sgd = run("compressed-e1-sgd");
    show(dashboard, sgd);
    QCOMPARE(dashboard.familyView(), view);  // the same view, cleared for the new run
    QVERIFY(!view->hasVotes());
    QVERIFY(view->votes()->isHidden());
    QCOMPARE(view->votes()->seriesCount(), 0);
    QCOMPARE(view->exportItems().size(), std::size_t(2));
    // 32-bit gradients against one bit per coordinate: SGD sends more per iteration.
    const int up = 0;
    QVERIFY(view->bitsPerIteration()->buffer(up).y().back() >
            run("compressed-e1-signsgd-mv").evaluations.back().metrics.at("bits_up_per_iteration"));
  }

  // An exported view is a figure: its charts without their on-screen controls, which come back after;
  // exported from a window on screen whose family tab was never opened, as a person would.
  void exportedViewHasNoControls() {
    Dashboard dashboard;
    dashboard.resize(1024, 700);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    show(dashboard, run("compressed-e1-signsgd-mv"));
    auto* view = qobject_cast<CompressedView*>(dashboard.familyView());
    QVERIFY(view);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("family.svg");
    QString why;
    QVERIFY2(exportWidget(view, path, &why), qPrintable(why));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString svg = QString::fromUtf8(file.readAll());
    QVERIFY(svg.contains("Loss against communicated bits"));
    QVERIFY(svg.contains("Majority vote"));
    for (const char* control : {"Reset zoom", "log y", "+ downlink bits"})
      QVERIFY2(!svg.contains(QString::fromUtf8(control)), control);
    // Every chart laid out at the figure's size: tick labels on all six axes (a chart exported before its
    // frame timer ran had one or two labels per axis and an x title drawn down the plot).
    const auto ticks = svg.count(QRegularExpression(QStringLiteral(">[0-9][0-9.]*( k| M)?<")));
    QVERIFY2(ticks >= 18, qPrintable(QString::number(ticks) + " tick labels"));
    QVERIFY(view->lossBits()->controlsVisible());
    QVERIFY(view->votes()->controlsVisible());
  }

  void curvatureShowsTopKAndMemory() {
    const StoredRun& hybrid = run("hybrid-quadratic-spectrum");
    Dashboard dashboard;
    show(dashboard, hybrid);
    auto* view = qobject_cast<CurvatureView*>(dashboard.familyView());
    QVERIFY(view);
    QCOMPARE(dashboard.tabs()->tabText(dashboard.familyTabIndex()), QString("Curvature"));
    const int k = hybrid.experiment["algorithm"]["params"]["k"].get<int>();
    QCOMPARE(view->eigenvalueSeriesCount(), k);
    const std::size_t estimates = countWith(hybrid.evaluations, "eigenvalue.0");
    QVERIFY(estimates > 0);
    for (int s = 0; s < k; ++s) QCOMPARE(view->eigenvalues()->buffer(s).size(), estimates);
    // Largest first; eigenvalue.0 is lambda_max.
    QVERIFY(view->eigenvalues()->buffer(0).y().back() >= view->eigenvalues()->buffer(k - 1).y().back());
    QCOMPARE(view->eigenvalues()->buffer(0).y().back(), hybrid.evaluations.back().metrics.at("lambda_max"));
    const int workers = hybrid.experiment["workers"]["count"].get<int>();
    QCOMPARE(view->memory()->barCount(), workers);
    double most = 0;
    for (int p = 0; p < workers; ++p) {
      const double bytes =
          hybrid.evaluations.back().metrics.at("curvature_memory_bytes." + std::to_string(p));
      QCOMPARE(view->memory()->value(p), bytes);
      most = std::max(most, bytes);
    }
    QCOMPARE(most, hybrid.evaluations.back().metrics.at("curvature_memory_bytes_max"));
    QCOMPARE(view->memory()->drawnPointCount(), 4 * workers);
    QCOMPARE(view->age()->buffer(0).size(), countWith(hybrid.evaluations, "curvature_age"));
    const QString misnamed = namedOtherwise(*view->age(), {"curvature_age"});
    QVERIFY2(misnamed.isEmpty(), qPrintable(misnamed));
    for (const QString& name : dashboard.metrics()->seriesNames())
      QVERIFY(!name.startsWith("Curvature eigenvalue, #"));
  }

  void kroneckerComparesOverlaidRuns() {
    const StoredRun& naive = run("kron-naive");
    const StoredRun& fast = run("kron-fast");
    Dashboard dashboard;
    show(dashboard, naive);
    auto* view = qobject_cast<KroneckerView*>(dashboard.familyView());
    QVERIFY(view);
    QCOMPARE(view->iterationTime()->seriesCount(), 1);
    QVERIFY(view->iterationTime()->series(0)->name().contains("kron-naive"));
    QCOMPARE(view->iterationTime()->buffer(0).size(), countWith(naive.evaluations, "iteration_seconds"));
    QCOMPARE(view->firedFraction()->seriesCount(), 2);  // fired_fraction and fired_fraction_all
    const QString misnamed = namedOtherwise(*view->firedFraction(), {"fired_fraction", "fired_fraction_all"});
    QVERIFY2(misnamed.isEmpty(), qPrintable(misnamed));
    QCOMPARE(view->iterationTime()->yTitle(), metricTitleWithUnit("iteration_seconds"));
    dashboard.addOverlay("#2 kron-fast", fast.evaluations);
    QCOMPARE(view->iterationTime()->seriesCount(), 2);
    QVERIFY(view->iterationTime()->series(1)->name().contains("kron-fast"));
    QCOMPARE(view->iterationTime()->buffer(1).size(), countWith(fast.evaluations, "iteration_seconds"));
    // Both runs are drawn: the chart exported from the window (the family tab not the current one, as
    // when a user exports from the Export menu) has this run's blue and the overlay's green.
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    // DISTOPT_FAMILY_SHOTS=DIR keeps the image for a look.
    const QString shots = qEnvironmentVariable("DISTOPT_FAMILY_SHOTS", m_dir.path());
    const QString path = QDir(shots).filePath("kron-naive-vs-fast.png");
    QString why;
    QVERIFY2(exportChart(view->iterationTime(), path, &why), qPrintable(why));
    const QImage image(path);
    QVERIFY(hasColor(image, familyColor(0)));
    QVERIFY(hasColor(image, familyColor(2)));
    dashboard.clearOverlays();
    QCOMPARE(view->iterationTime()->seriesCount(), 1);
  }

  void reopenedRunsFillTheFamilyView() {
    MainWindow window;
    QVERIFY(window.history()->refresh());
    QCOMPARE(window.history()->model()->rowCount(), static_cast<int>(m_runs.size()));
    QString why;
    QVERIFY2(window.showStoredRun(run("decentralized-e0-p0-proxgt-sr-e"), &why), qPrintable(why));
    Dashboard* dashboard = window.dashboard();
    auto* topology = qobject_cast<TopologyView*>(dashboard->familyView());
    QVERIFY(topology);
    QCOMPARE(topology->graph()->nodeCount(), 8);
    QVERIFY(std::isfinite(topology->graph()->nodeError(0)));
    QVERIFY(topology->consensus()->buffer(0).size() > 0);

    // Reopen the naive Kronecker run from the history and overlay the fast one as a user does.
    const StoredRunParts all;
    std::int64_t naiveId = 0;
    std::int64_t fastId = 0;
    for (int row = 0; row < window.history()->model()->rowCount(); ++row) {
      const auto id = window.history()->model()->runIdAt(row);
      const auto stored = window.history()->load(id, all, &why);
      QVERIFY(stored);
      if (stored->info.record.algorithm == "kron-naive") naiveId = id;
      if (stored->info.record.algorithm == "kron-fast") fastId = id;
    }
    QVERIFY(naiveId && fastId);
    QSignalSpy opened(window.history(), &RunHistoryPanel::openRequested);
    QVERIFY(window.history()->openRun(naiveId));
    QVERIFY(opened.wait(10'000));  // loaded on a worker thread
    auto* kron = qobject_cast<KroneckerView*>(dashboard->familyView());
    QVERIFY(kron);
    QCOMPARE(dashboard->tabs()->tabText(dashboard->familyTabIndex()), QString("Kronecker"));
    QVERIFY(kron->iterationTime()->buffer(0).size() > 0);
    QSignalSpy overlaid(window.history(), &RunHistoryPanel::overlayRequested);
    QVERIFY(window.history()->overlayRuns({fastId}));
    QVERIFY(overlaid.wait(10'000));
    QCOMPARE(kron->iterationTime()->seriesCount(), 2);
    QVERIFY(kron->iterationTime()->series(1)->name().contains("kron-fast"));

    // A parameter-server run has no family tab.
    StoredRun async;
    async.experiment = {{"name", "a"}, {"algorithm", {{"name", "asgd"}}}, {"workers", {{"count", 2}}}};
    QVERIFY(window.showStoredRun(async, &why));
    QVERIFY(!dashboard->familyView());
    QCOMPARE(dashboard->familyTabIndex(), -1);
    QCOMPARE(dashboard->tabs()->tabText(2), QString("Manager view"));
  }

  void reportHasTheFamilyPages() {
    Dashboard dashboard;
    show(dashboard, run("decentralized-e0-p0-proxgt-sr-e"));
    ReportContent content;
    content.title = "ring";
    content.experiment = run("decentralized-e0-p0-proxgt-sr-e").experiment;
    const QString dir = m_dir.filePath("report");
    QStringList written;
    QString why;
    QVERIFY2(exportReport(&dashboard, content, dir, &written, &why), qPrintable(why));
    QVERIFY(written.contains("family-topology.png"));
    QVERIFY(written.contains("family-topology.svg"));
    QVERIFY(written.contains("family-consensus.png"));
    QVERIFY(!QImage(QDir(dir).filePath("family-topology.png")).isNull());
    QFile pdf(QDir(dir).filePath("report.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    // Title page, five dashboard charts, the Metrics tab's charts (one per unit: squared norms, shares,
    // eigenvalues, counts, bytes, time) and the two family pages.
    QCOMPARE(dashboard.metrics()->exportItems().size(), std::size_t(6));
    QCOMPARE(bytes.count("/Type /Page\n") + bytes.count("/Type /Page\r") + bytes.count("/Type /Page "), 14);
  }
};

QTEST_MAIN(TestFamily)
#include "test_family.moc"
