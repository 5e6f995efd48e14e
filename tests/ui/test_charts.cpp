// Tests for the dashboard's live charts: decimation, LiveChart, DelayHistogram, BandwidthChart,
// and an offscreen screenshot of all three (saved to /tmp/charts.png for a human look).

#include <QAreaSeries>
#include <QChart>
#include <QGraphicsSimpleTextItem>
#include <QGridLayout>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QValueAxis>
#include <QWheelEvent>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/decimation.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/series_buffer.hpp"
#include "ui/charts/series_colors.hpp"
#include "ui/charts/tick_label_axis.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

int column(double x, double xMin, double xMax, int width) {
  const double scale = width / (xMax - xMin);
  return std::min(static_cast<int>((x - xMin) * scale), width - 1);
}

bool hasColour(const QImage& image, const QColor& colour, int tolerance, int minimumPixels) {
  int found = 0;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::abs(c.red() - colour.red()) <= tolerance &&
          std::abs(c.green() - colour.green()) <= tolerance &&
          std::abs(c.blue() - colour.blue()) <= tolerance && ++found >= minimumPixels)
        return true;
    }
  }
  return false;
}

void showAndSettle(QWidget& widget) {
  widget.show();
  QVERIFY(QTest::qWaitForWindowExposed(&widget));
  QCoreApplication::processEvents();
}

UpdateEvent makeEvent(int worker, std::int64_t delay, Outcome outcome, double time = 0.0) {
  UpdateEvent e;
  e.worker = worker;
  e.delay = delay;
  e.outcome = outcome;
  e.time = time;
  return e;
}

BandwidthSample sample(double time, int worker, bool uplink, const char* kind, std::uint64_t bytes,
                       std::uint64_t messages) {
  BandwidthSample s;
  s.time = time;
  s.worker = worker;
  s.uplink = uplink;
  s.kind = kind;
  s.bytes = bytes;
  s.messages = messages;
  return s;
}

}  // namespace

class TestCharts : public QObject {
  Q_OBJECT

 private slots:
  // ---- decimation ----------------------------------------------------------------------------

  void findRangeEdges() {
    const std::vector<double> x = {0, 1, 1, 2, 3, 3, 3, 4};
    auto r = findRange(x, 1, 3);
    QCOMPARE(r.begin, std::size_t{1});
    QCOMPARE(r.end, std::size_t{7});
    r = findRange(x, 1.5, 2.5);
    QCOMPARE(r.begin, std::size_t{3});
    QCOMPARE(r.end, std::size_t{4});
    r = findRange(x, 0, 0);
    QCOMPARE(r.begin, std::size_t{0});
    QCOMPARE(r.end, std::size_t{1});
    r = findRange(x, 4, 10);
    QCOMPARE(r.begin, std::size_t{7});
    QCOMPARE(r.end, std::size_t{8});
    QVERIFY(findRange(x, 5, 6).empty());
    QVERIFY(findRange(x, -2, -1).empty());
    QVERIFY(findRange(x, 3, 1).empty());
    QVERIFY(findRange({}, 0, 1).empty());
    r = findRange(x, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
    QCOMPARE(r.size(), x.size());
  }

  void decimationKeepsColumnExtremes_data() {
    QTest::addColumn<bool>("logFilter");
    QTest::addColumn<int>("seed");
    for (int seed = 1; seed <= 6; ++seed) {
      QTest::addRow("finite seed %d", seed) << false << seed;
      QTest::addRow("positive seed %d", seed) << true << seed;
    }
  }

  void decimationKeepsColumnExtremes() {
    QFETCH(bool, logFilter);
    QFETCH(int, seed);
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const std::size_t n = 20000 + static_cast<std::size_t>(seed) * 7919;
    std::vector<double> x(n);
    std::vector<double> y(n);
    double t = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      // Irregular spacing with runs of equal x (several points at one instant).
      if (uniform(rng) > 0.2) t += uniform(rng) * (uniform(rng) < 0.01 ? 50.0 : 1.0);
      x[i] = t;
      const double u = uniform(rng);
      y[i] = u < 0.01   ? std::numeric_limits<double>::quiet_NaN()
             : u < 0.02 ? std::numeric_limits<double>::infinity()
                        : std::sin(t * 0.01) * 10.0 + (uniform(rng) - 0.5) * 4.0;
    }
    const double xMin = x[n / 7] + 0.3;
    const double xMax = x[n - n / 5] - 0.1;
    const int width = 97 + seed * 31;
    const YFilter filter = logFilter ? YFilter::Positive : YFilter::Finite;
    QList<QPointF> out;
    decimateMinMax(x, y, xMin, xMax, width, filter, out);

    // Block summaries change the cost, never the result.
    BlockExtremes blocks;
    for (std::size_t i = 0; i < n; ++i) blocks.add(i, y[i]);
    QList<QPointF> fast;
    decimateMinMax(x, y, xMin, xMax, width, filter, fast, false, &blocks);
    QCOMPARE(fast, out);
    decimateMinMax(x, y, x.front(), x.back(), 7, filter, fast, false, &blocks);
    QList<QPointF> slow;
    decimateMinMax(x, y, x.front(), x.back(), 7, filter, slow);
    QCOMPARE(fast, slow);

    QVERIFY(!out.isEmpty());
    QVERIFY2(out.size() <= 2 * width + 2, qPrintable(QString::number(out.size())));
    for (qsizetype i = 1; i < out.size(); ++i) QVERIFY(out[i - 1].x() <= out[i].x());

    // Truth per column, over drawable points in range.
    std::map<int, std::pair<double, double>> truth;
    std::size_t firstDrawable = n;
    std::size_t lastDrawable = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (x[i] < xMin || x[i] > xMax || !isDrawable(x[i], y[i], filter)) continue;
      firstDrawable = std::min(firstDrawable, i);
      lastDrawable = i;
      const int c = column(x[i], xMin, xMax, width);
      auto [it, inserted] = truth.try_emplace(c, y[i], y[i]);
      if (!inserted) {
        it->second.first = std::min(it->second.first, y[i]);
        it->second.second = std::max(it->second.second, y[i]);
      }
    }
    QCOMPARE(out.front(), QPointF(x[firstDrawable], y[firstDrawable]));
    QCOMPARE(out.back(), QPointF(x[lastDrawable], y[lastDrawable]));

    std::map<int, std::vector<double>> drawn;
    std::map<int, int> inner;
    for (qsizetype i = 0; i < out.size(); ++i) {
      const QPointF p = out[i];
      QVERIFY(p.x() >= xMin && p.x() <= xMax);
      QVERIFY(isDrawable(p.x(), p.y(), filter));
      const int c = column(p.x(), xMin, xMax, width);
      drawn[c].push_back(p.y());
      if (i != 0 && i != out.size() - 1) ++inner[c];
    }
    for (const auto& [c, count] : inner) QVERIFY2(count <= 2, qPrintable(QString::number(c)));
    for (const auto& [c, extremes] : truth) {
      const auto& ys = drawn[c];
      QVERIFY2(std::find(ys.begin(), ys.end(), extremes.first) != ys.end(),
               qPrintable(QStringLiteral("min of column %1 missing").arg(c)));
      QVERIFY2(std::find(ys.begin(), ys.end(), extremes.second) != ys.end(),
               qPrintable(QStringLiteral("max of column %1 missing").arg(c)));
    }
  }

  void decimationSmallRangeCopiesDrawablePoints() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> x = {0, 1, 2, 3, 4, 5};
    const std::vector<double> y = {1, nan, -2, 0, 5, 6};
    QList<QPointF> out;
    decimateMinMax(x, y, 0.5, 4.5, 100, YFilter::Finite, out);
    QCOMPARE(out, (QList<QPointF>{{2, -2}, {3, 0}, {4, 5}}));
    decimateMinMax(x, y, 0.5, 4.5, 100, YFilter::Positive, out);
    QCOMPARE(out, (QList<QPointF>{{4, 5}}));
    decimateMinMax(x, y, 1.5, 3.5, 100, YFilter::Positive, out, true);
    QCOMPARE(out, (QList<QPointF>{{0, 1}, {4, 5}}));
    decimateMinMax(x, y, 7, 9, 100, YFilter::Finite, out);
    QVERIFY(out.isEmpty());
  }

  void seriesBufferKeepsAxesAndStats() {
    SeriesBuffer buffer;
    buffer.append(0.0, 0, 0, 3.0);
    buffer.append(1.0, 10, 100, -1.0);
    buffer.append(0.5, 20, 200, std::numeric_limits<double>::quiet_NaN());  // late time clamped
    QCOMPARE(buffer.size(), std::size_t{3});
    QCOMPARE(buffer.x(XAxis::Time)[2], 1.0);
    QCOMPARE(buffer.x(XAxis::Updates)[2], 20.0);
    QCOMPARE(buffer.x(XAxis::Bytes)[1], 100.0);
    QCOMPARE(buffer.yStats().min, -1.0);
    QCOMPARE(buffer.yStats().max, 3.0);
    QCOMPARE(buffer.yStats().minPositive, 3.0);
    QCOMPARE(buffer.nearestIndex(XAxis::Updates, 14.0), std::size_t{1});
    QCOMPARE(buffer.nearestIndex(XAxis::Updates, 16.0), std::size_t{2});
  }

  // ---- LiveChart -----------------------------------------------------------------------------

  void liveChartDecimatesMillionPoints() {
    LiveChart chart;
    chart.resize(900, 500);
    showAndSettle(chart);
    const int a = chart.addSeries("run A", Qt::red);
    const int b = chart.addSeries("run B", Qt::blue);
    constexpr std::size_t kPoints = 1'000'000;
    std::vector<SeriesPoint> points(kPoints);
    for (std::size_t i = 0; i < kPoints; ++i) {
      const double u = static_cast<double>(i);
      points[i] = {u * 1e-3, u, u * 4096.0, 1.0 / (1.0 + u * 1e-4) + 0.05 * std::sin(u)};
    }
    chart.append(a, points);
    for (auto& p : points) p.y *= 2.0;
    chart.append(b, points);
    chart.refreshNow();
    QCoreApplication::processEvents();
    chart.refreshNow();
    QCOMPARE(chart.buffer(a).size(), kPoints);
    for (int s : {a, b}) {
      const int drawn = chart.drawnPointCount(s);
      QVERIFY(drawn > 100);
      QVERIFY2(drawn <= 2 * chart.plotWidth() + 2,
               qPrintable(QStringLiteral("%1 > 2 * %2 + 2").arg(drawn).arg(chart.plotWidth())));
      QCOMPARE(chart.series(s)->count(), drawn);
    }
    QCOMPARE(chart.chart()->animationOptions(), QChart::NoAnimation);
    QVERIFY(chart.lastFrameMs() > 0.0);
  }

  void liveChartSwitchesXAxis() {
    LiveChart chart;
    chart.resize(600, 400);
    const int s = chart.addSeries("loss", Qt::darkGreen);
    for (int i = 0; i < 50; ++i) chart.append(s, i * 0.5, i * 10.0, i * 1000.0, 1.0 + i);
    chart.refreshNow();
    QCOMPARE(chart.series(s)->count(), 50);
    QCOMPARE(chart.series(s)->at(10).x(), 5.0);
    QCOMPARE(chart.xRange().max, 24.5);
    chart.setXAxis(XAxis::Updates);
    chart.refreshNow();
    QCOMPARE(chart.series(s)->at(10).x(), 100.0);
    QCOMPARE(chart.xRange().max, 490.0);
    // The axis Qt draws is the one the panel chose (replace() must not re-fit it).
    auto* axis = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).first());
    QVERIFY(axis);
    QCOMPARE(axis->max(), 490.0);
    QVERIFY(!chart.userZoomed());
    chart.setXAxis(XAxis::Bytes);
    chart.refreshNow();
    QCOMPARE(chart.series(s)->at(10).x(), 10000.0);
    QCOMPARE(chart.series(s)->at(10).y(), 11.0);
  }

  void liveChartLogDropsNonPositive() {
    LiveChart chart;
    chart.resize(600, 400);
    const int s = chart.addSeries("gap", Qt::red);
    for (int i = 0; i < 40; ++i) chart.append(s, i, i, i, (i % 3 == 0) ? -1.0 * i : (i % 3 == 1 ? 0.0 : i));
    chart.refreshNow();
    QCOMPARE(chart.series(s)->count(), 40);
    chart.setLogY(true);
    chart.refreshNow();
    const QList<QPointF> points = chart.series(s)->points();
    QCOMPARE(points.size(), 13);
    for (const QPointF& p : points) QVERIFY(p.y() > 0.0);
    QVERIFY(chart.yRange().min > 0.0);
    chart.setLogY(false);
    chart.refreshNow();
    QCOMPARE(chart.series(s)->count(), 40);
  }

  void liveChartTimerReplacesOnlyOnChange() {
    LiveChart chart;
    chart.resize(600, 400);
    showAndSettle(chart);
    const int s = chart.addSeries("loss", Qt::red);
    QSignalSpy replaced(chart.series(s), &QXYSeries::pointsReplaced);
    for (int i = 0; i < 1000; ++i) chart.append(s, i, i, i, std::sin(i * 0.1));
    // Let the timer draw and the layout settle: new axis labels may move the plot area, which
    // rightly costs a redraw or two.
    QTest::qWait(200);
    QVERIFY(replaced.count() >= 1);
    for (int i = 0; i < 20; ++i) {
      const auto before = replaced.count();
      QTest::qWait(150);
      if (replaced.count() == before) break;
    }
    const int settled = static_cast<int>(replaced.count());
    const int frames = chart.frameCount();
    QTest::qWait(400);  // ~12 timer ticks with nothing new
    QCOMPARE(static_cast<int>(replaced.count()), settled);
    QCOMPARE(chart.frameCount(), frames);
    // Thousands of appends between ticks still give one replace() per frame.
    for (int i = 1000; i < 6000; ++i) chart.append(s, i, i, i, std::sin(i * 0.1));
    QTRY_VERIFY(replaced.count() > settled);
    QVERIFY(replaced.count() - settled <= chart.frameCount() - frames);
  }

  void liveChartZoomStopsFollowingData() {
    LiveChart chart;
    chart.resize(700, 400);
    showAndSettle(chart);
    const int s = chart.addSeries("loss", Qt::red);
    for (int i = 0; i < 10000; ++i) chart.append(s, i, i, i, std::cos(i * 0.01));
    chart.refreshNow();
    QCOMPARE(chart.xRange().max, 9999.0);
    const QRectF plot = chart.chart()->plotArea();
    chart.chart()->zoomIn(
        QRectF(plot.left() + plot.width() * 0.25, plot.top(), plot.width() * 0.25, plot.height()));
    QVERIFY(chart.userZoomed());
    const auto zoomed = chart.xRange();
    QVERIFY(zoomed.max < 9999.0);
    for (int i = 10000; i < 12000; ++i) chart.append(s, i, i, i, std::cos(i * 0.01));
    chart.refreshNow();
    QCOMPARE(chart.xRange(), zoomed);
    // Drawn points cover the zoomed range (plus one neighbour each side), not the whole series.
    const QList<QPointF> points = chart.series(s)->points();
    QVERIFY(points.first().x() <= zoomed.min + 1.0 && points.last().x() >= zoomed.max - 1.0);
    QVERIFY(points.last().x() <= zoomed.max + 1.0);
    // Hover read-out names the nearest point.
    const QPointF at = chart.chart()->mapToPosition(points[points.size() / 2], chart.series(s));
    chart.hoverAt(at);
    QVERIFY2(chart.readout().startsWith("loss:"), qPrintable(chart.readout()));
    chart.resetZoom();
    chart.refreshNow();
    QVERIFY(!chart.userZoomed());
    QCOMPARE(chart.xRange().max, 11999.0);
  }

  void liveChartMouseZoomPanHover() {
    LiveChart chart;
    chart.resize(800, 450);
    showAndSettle(chart);
    const int s = chart.addSeries("loss", Qt::red);
    for (int i = 0; i <= 1000; ++i) chart.append(s, i, i, i, 1.0 + 0.5 * std::sin(i * 0.05));
    chart.refreshNow();
    QCoreApplication::processEvents();
    chart.refreshNow();
    QWidget* viewport = chart.view()->viewport();
    const QRectF plot = chart.chart()->plotArea();
    const auto toViewport = [&](QPointF chartPoint) {
      return chart.view()->mapFromScene(chart.chart()->mapToScene(chartPoint));
    };

    // Wheel up over the plot zooms in about the cursor.
    const QPoint centre = toViewport(plot.center());
    QWheelEvent wheel(centre, viewport->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &wheel);
    QVERIFY(chart.userZoomed());
    const auto zoomed = chart.xRange();
    QVERIFY(zoomed.max - zoomed.min < 1000.0 * 0.9);
    QVERIFY(std::abs((zoomed.min + zoomed.max) / 2 - 500.0) < 30.0);

    // Middle-button drag pans: dragging right moves the view to smaller x.
    QTest::mousePress(viewport, Qt::MiddleButton, {}, centre);
    QTest::mouseMove(viewport, centre + QPoint(100, 0));
    QTest::mouseRelease(viewport, Qt::MiddleButton, {}, centre + QPoint(100, 0));
    QVERIFY(chart.xRange().min < zoomed.min);
    QVERIFY(std::abs((chart.xRange().max - chart.xRange().min) - (zoomed.max - zoomed.min)) < 1e-6);

    // Hovering on the curve reports the nearest point.
    chart.refreshNow();
    const double x = std::round((chart.xRange().min + chart.xRange().max) / 2);
    const QPointF onCurve =
        chart.chart()->mapToPosition(QPointF(x, 1.0 + 0.5 * std::sin(x * 0.05)), chart.series(s));
    QTest::mouseMove(viewport, toViewport(onCurve));
    QTRY_VERIFY(chart.readout().startsWith("loss:"));
    QVERIFY2(chart.readout().contains(QStringLiteral("updates = %1").arg(x)), qPrintable(chart.readout()));

    // Double click goes back to following the data.
    QTest::mouseDClick(viewport, Qt::LeftButton, {}, centre);
    QVERIFY(!chart.userZoomed());
    chart.refreshNow();
    QCOMPARE(chart.xRange().max, 1000.0);
  }

  // ---- DelayHistogram ------------------------------------------------------------------------

  void delayHistogramCountsPerOutcome() {
    DelayHistogram histogram;
    histogram.resize(700, 400);
    std::mt19937 rng(7);
    std::map<std::tuple<int, int, std::int64_t>, std::uint64_t> expected;  // (worker, outcome, delay)
    std::vector<UpdateEvent> events;
    std::uint64_t late = 0;
    for (int i = 0; i < 20000; ++i) {
      const int worker = static_cast<int>(rng() % 5);
      const auto delay = static_cast<std::int64_t>(rng() % 30);
      const auto outcome = static_cast<Outcome>(rng() % 4);
      events.push_back(makeEvent(worker, delay, outcome));
      if (outcome == Outcome::LateCancelled) {
        ++late;
      } else {
        ++expected[{worker, static_cast<int>(outcome), delay}];
      }
    }
    histogram.addEvents(events);
    QCOMPARE(histogram.lateCancelledCount(), late);
    for (const int filter : {-1, 0, 3}) {
      histogram.setWorkerFilter(filter);
      QCOMPARE(histogram.workerFilter(), filter);
      for (const Outcome outcome : DelayHistogram::kOutcomes) {
        std::uint64_t total = 0;
        for (std::int64_t d = 0; d < 30; ++d) {
          std::uint64_t want = 0;
          for (int w = 0; w < 5; ++w)
            if (filter < 0 || filter == w) {
              const auto it = expected.find({w, static_cast<int>(outcome), d});
              if (it != expected.end()) want += it->second;
            }
          QCOMPARE(histogram.count(outcome, d), want);
          total += want;
        }
        QCOMPARE(histogram.total(outcome), total);
      }
      QCOMPARE(histogram.count(Outcome::LateCancelled, 3), std::uint64_t{0});
    }
    // The drawn outline peaks at the largest bin of each outcome.
    histogram.setWorkerFilter(-1);
    histogram.refreshNow();
    for (const Outcome outcome : DelayHistogram::kOutcomes) {
      std::uint64_t peak = 0;
      for (std::int64_t d = 0; d < 30; ++d) peak = std::max(peak, histogram.count(outcome, d));
      double drawnPeak = 0.0;
      for (const QPointF& p : histogram.outcomeSeries(outcome)->upperSeries()->points())
        drawnPeak = std::max(drawnPeak, p.y());
      QCOMPARE(drawnPeak, static_cast<double>(peak));
    }
  }

  void delayHistogramMarkersAndLog() {
    DelayHistogram histogram;
    histogram.resize(700, 400);
    showAndSettle(histogram);
    histogram.addEvents({makeEvent(0, 2, Outcome::Accepted), makeEvent(1, 9, Outcome::Discarded),
                         makeEvent(1, 12, Outcome::Cancelled), makeEvent(2, 40, Outcome::LateCancelled)});
    histogram.setMarkers(5, 8);
    histogram.refreshNow();
    QCOMPARE(histogram.markerValue(DelayHistogram::Marker::R), std::optional<double>(5.0));
    QCOMPARE(histogram.markerValue(DelayHistogram::Marker::LastWorker), std::optional<double>(7.0));
    QCOMPARE(histogram.markerValue(DelayHistogram::Marker::Maximum), std::optional<double>(12.0));
    QStringList names;
    for (QAbstractSeries* series : histogram.chart()->series())
      if (series->isVisible()) names << series->name();
    QVERIFY2(names.contains("R = 5") && names.contains("n − 1 = 7") && names.contains("max = 12"),
             qPrintable(names.join(", ")));
    QVERIFY(names.contains("Accepted") || names.contains("accepted"));
    // Worker 0 only saw delay 2.
    histogram.setWorkerFilter(0);
    histogram.refreshNow();
    QCOMPARE(histogram.markerValue(DelayHistogram::Marker::Maximum), std::optional<double>(2.0));
    QCOMPARE(histogram.total(Outcome::Discarded), std::uint64_t{0});
    // No R (e.g. an algorithm without one): no R marker.
    histogram.setMarkers(std::nullopt, 8);
    histogram.setLogY(true);
    histogram.refreshNow();
    QVERIFY(!histogram.markerValue(DelayHistogram::Marker::R));
    for (QAbstractSeries* series : histogram.chart()->series())
      if (series->name().startsWith("R =")) {
        QVERIFY(!series->isVisible());
        for (QLegendMarker* marker : histogram.chart()->legend()->markers(series))
          QVERIFY(!marker->isVisible());
      }
    QVERIFY(histogram.yRange().min > 0.0);
    for (const Outcome outcome : DelayHistogram::kOutcomes)
      for (const QPointF& p : histogram.outcomeSeries(outcome)->upperSeries()->points()) QVERIFY(p.y() > 0.0);
  }

  // Markers at one delay were two labels side by side (or on top of each other) and two lines on one pixel
  // column: now one line and one label naming both; markers at nearby delays get labels that do not overlap.
  void delayHistogramMarkersNeverOverlap() {
    DelayHistogram histogram;
    histogram.resize(500, 300);
    showAndSettle(histogram);
    histogram.addEvents({makeEvent(0, 1, Outcome::Accepted), makeEvent(1, 4, Outcome::Accepted)});
    histogram.setMarkers(4, 6);
    histogram.refreshNow();
    QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::R), QStringLiteral("R = max = 4"));
    QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::Maximum), QString());
    QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::LastWorker), QStringLiteral("n − 1 = 5"));
    QStringList lines;
    for (QAbstractSeries* series : histogram.chart()->series())
      if (series->isVisible() && series->name().contains(" = ")) lines << series->name();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.contains("R = max = 4") && lines.contains("n − 1 = 5"), qPrintable(lines.join(", ")));

    for (const auto& [r, workers] : {std::pair{4, 6}, std::pair{5, 5}, std::pair{3, 6}}) {
      histogram.setMarkers(r, workers);
      histogram.refreshNow();
      std::vector<QRectF> boxes;
      for (QGraphicsItem* item : histogram.chart()->childItems())
        if (auto* text = qgraphicsitem_cast<QGraphicsSimpleTextItem*>(item); text && text->isVisible())
          boxes.push_back(text->sceneBoundingRect());
      QVERIFY(boxes.size() >= 2);
      for (std::size_t i = 0; i < boxes.size(); ++i)
        for (std::size_t j = i + 1; j < boxes.size(); ++j)
          QVERIFY2(!boxes[i].intersects(boxes[j]),
                   qPrintable(QStringLiteral("R %1, n %2").arg(r).arg(workers)));
    }
  }

  // "max = 1" beside the line at 1 and "n − 1 = 15 →" at the right edge (n − 1 off the axis) touched at
  // some widths and read as one label: at every width they keep a gap.
  void delayHistogramMarkerLabelsKeepAGap() {
    DelayHistogram histogram;
    histogram.resize(400, 300);
    showAndSettle(histogram);
    histogram.addEvents({makeEvent(0, 0, Outcome::Accepted), makeEvent(1, 1, Outcome::Accepted)});
    histogram.setMarkers(std::nullopt, 16);
    constexpr double kGap = 4.0;
    for (int width = 260; width <= 900; width += 8) {
      histogram.resize(width, 300);
      QCoreApplication::processEvents();
      histogram.refreshNow();
      QVERIFY(histogram.markerOffScale(DelayHistogram::Marker::LastWorker));
      QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::LastWorker), QStringLiteral("n − 1 = 15 →"));
      QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::Maximum), QStringLiteral("max = 1"));
      std::vector<QRectF> boxes;
      for (QGraphicsItem* item : histogram.chart()->childItems())
        if (auto* text = qgraphicsitem_cast<QGraphicsSimpleTextItem*>(item); text && text->isVisible())
          boxes.push_back(text->sceneBoundingRect());
      QCOMPARE(boxes.size(), std::size_t{2});
      QVERIFY2(!boxes[0].adjusted(-kGap, 0.0, kGap, 0.0).intersects(boxes[1]),
               qPrintable(QStringLiteral("width %1: %2..%3 and %4..%5")
                              .arg(width)
                              .arg(boxes[0].left())
                              .arg(boxes[0].right())
                              .arg(boxes[1].left())
                              .arg(boxes[1].right())));
    }
  }

  // Where the visible marker label `text` is, against the line drawn at delay `line`: empty when the label
  // stays clear of the line, else what crossed (a label across a line reads as struck through).
  static QString labelAcrossLine(DelayHistogram& histogram, const QString& text, double line) {
    QChart* chart = histogram.chart();
    const double lineX =
        chart
            ->mapToScene(chart->mapToPosition(QPointF(line, 1.0), histogram.outcomeSeries(Outcome::Accepted)))
            .x();
    QRectF label;
    for (QGraphicsItem* item : chart->childItems())
      if (auto* shown = qgraphicsitem_cast<QGraphicsSimpleTextItem*>(item);
          shown && shown->isVisible() && shown->text() == text)
        label = shown->sceneBoundingRect();
    if (label.isNull()) return QStringLiteral("no label \"%1\"").arg(text);
    if (lineX < label.left() || lineX > label.right()) return {};
    return QStringLiteral("width %1: label %2..%3, line at %4")
        .arg(histogram.width())
        .arg(label.left())
        .arg(label.right())
        .arg(lineX);
  }

  // "n − 1 = 15" was written right of its line and across the line of "max = 16" one delay further (the
  // run of the quickstart, in every export): with the left side clear, it goes there.
  void delayHistogramMarkerLabelsAvoidOtherLines() {
    DelayHistogram histogram;
    showAndSettle(histogram);
    std::vector<UpdateEvent> events;
    for (std::int64_t delay = 0; delay <= 16; ++delay)
      events.push_back(makeEvent(0, delay, Outcome::Accepted));
    histogram.addEvents(events);
    histogram.setMarkers(std::nullopt, 16);
    for (int width = 300; width <= 1000; width += 50) {
      histogram.resize(width, 320);
      QCoreApplication::processEvents();
      histogram.refreshNow();
      QCOMPARE(histogram.markerLabel(DelayHistogram::Marker::LastWorker), QStringLiteral("n − 1 = 15"));
      QVERIFY(!histogram.markerOffScale(DelayHistogram::Marker::Maximum));
      const QString crossed = labelAcrossLine(histogram, QStringLiteral("n − 1 = 15"), 16.0);
      QVERIFY2(crossed.isEmpty(), qPrintable(crossed));
    }
  }

  // A marker beyond the axis is noted at the edge it points past ("n − 1 = 15 →"); a line drawn near that
  // edge (R = max = 4 on an axis to 5) struck the note through. It moves inwards past such lines.
  void delayHistogramOffScaleLabelsAvoidLines() {
    DelayHistogram histogram;
    showAndSettle(histogram);
    std::vector<UpdateEvent> events;
    for (std::int64_t delay = 0; delay <= 4; ++delay)
      events.push_back(makeEvent(0, delay, Outcome::Accepted));
    histogram.addEvents(events);
    histogram.setMarkers(4, 16);
    for (int width = 300; width <= 1000; width += 50) {
      histogram.resize(width, 320);
      QCoreApplication::processEvents();
      histogram.refreshNow();
      QVERIFY(histogram.markerOffScale(DelayHistogram::Marker::LastWorker));
      const QString crossed = labelAcrossLine(histogram, QStringLiteral("n − 1 = 15 →"), 4.0);
      QVERIFY2(crossed.isEmpty(), qPrintable(crossed));
    }
  }

  // Delays are whole numbers: with every delay 0 the axis read "−0.5, 0, 0.5", as if there were half
  // delays. Only whole numbers are labelled, whatever the width.
  void delayHistogramLabelsWholeDelays() {
    DelayHistogram histogram;
    showAndSettle(histogram);
    histogram.addEvents({makeEvent(0, 0, Outcome::Accepted), makeEvent(1, 0, Outcome::Accepted)});
    for (int width = 260; width <= 900; width += 80) {
      histogram.resize(width, 300);
      QCoreApplication::processEvents();
      histogram.refreshNow();
      const QStringList labels = histogram.xLabels()->labels();
      QVERIFY2(labels.contains(QStringLiteral("0")), qPrintable(labels.join(' ')));
      for (const QString& label : labels) {
        bool whole = false;
        const int delay = label.toInt(&whole);
        QVERIFY2(whole && delay >= 0,
                 qPrintable(QStringLiteral("width %1: %2").arg(width).arg(labels.join(' '))));
      }
    }
  }

  // ---- StableColors ----------------------------------------------------------------------------

  // A run keeps its colour when it is overlaid again; a new run takes one no shown run has, and none
  // a remembered run may come back for while there is another; all shown, the palette repeats.
  void stableColorsStayWithTheirRuns() {
    const QColor red(Qt::red), green(Qt::green), blue(Qt::blue);
    distopt::ui::StableColors colors({red, green, blue});
    QCOMPARE(colors.colorFor("#1"), red);
    QCOMPARE(colors.colorFor("#2"), green);
    colors.clearShown();
    QCOMPARE(colors.colorFor("#2"), green);
    QCOMPARE(colors.colorFor("#3"), blue);
    QCOMPARE(colors.colorFor("#1"), red);
    QCOMPARE(colors.colorFor("#4"), red);  // every colour shown: from the start again
    colors.clearShown();
    QCOMPARE(colors.colorFor("#4"), red);
    QCOMPARE(colors.colorFor("#1"), green);  // its red is shown now: the first free one
    QCOMPARE(distopt::ui::StableColors(std::vector<QColor>{}).colorFor("x"), QColor(Qt::black));
  }

  // ---- BandwidthChart ------------------------------------------------------------------------

  void bandwidthRatesFromCumulative() {
    BandwidthChart chart;
    chart.resize(700, 400);
    // Worker 0 up: GRAD 0 -> 1000 -> 3000 bytes at t = 0, 1, 2; HELLO once at t = 0.
    chart.addSamples({sample(0, 0, true, "GRAD", 0, 0), sample(0, 0, true, "HELLO", 50, 1),
                      sample(1, 0, true, "GRAD", 1000, 2), sample(2, 0, true, "GRAD", 3000, 5),
                      sample(0, 0, false, "JOB", 0, 0), sample(2, 0, false, "JOB", 400, 5),
                      sample(0, 1, true, "GRAD", 0, 0), sample(2, 1, true, "GRAD", 600, 3)});
    QCOMPARE(chart.rate(0, true, 0, 1), 1000.0);
    QCOMPARE(chart.rate(0, true, 1, 2), 2000.0);
    QCOMPARE(chart.rate(0, true, 0.5, 1.5), 1500.0);
    QCOMPARE(chart.rate(0, false, 0, 2), 200.0);
    QCOMPARE(chart.rate(-1, true, 0, 2), (3000.0 + 600.0) / 2.0);
    const std::vector<QPointF> points = chart.ratePoints(0, true);
    QCOMPARE(points.size(), std::size_t{2});
    QCOMPARE(points[0], QPointF(1, 1000));
    QCOMPARE(points[1], QPointF(2, 2000));
    QCOMPARE(chart.cumulativeBytes(0, true, 2), 3050.0);

    // Drawn rates: worker 0 (largest) first, between 1000 and 2000 B/s; downlink a positive 200 B/s.
    chart.refreshNow();
    QXYSeries* up = chart.groupSeries(0, true);
    QVERIFY(up);
    double lo = 1e18;
    double hi = -1e18;
    for (const QPointF& p : up->points()) {
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
    }
    QVERIFY2(std::abs(lo - 1000.0) < 1e-6 && std::abs(hi - 2000.0) < 1e-6,
             qPrintable(QStringLiteral("%1 .. %2").arg(lo).arg(hi)));
    for (const QPointF& p : chart.groupSeries(0, false)->points()) QVERIFY(std::abs(p.y() - 200.0) < 1e-6);

    const auto kinds = chart.kindTotals();
    QCOMPARE(kinds.size(), std::size_t{3});
    chart.setMode(BandwidthChart::Mode::ByKind);
    chart.refreshNow();
    QCOMPARE(chart.kindTable()->rowCount(), 3);
    QCOMPARE(chart.kindTable()->item(0, 0)->text(), QString("GRAD"));
    QCOMPARE(chart.kindTable()->item(0, 2)->text(), QString("8"));

    chart.setAcceptedUpdates(0, 0);
    chart.setAcceptedUpdates(2, 10);
    chart.setMode(BandwidthChart::Mode::BytesPerUpdate);
    chart.refreshNow();
    const QList<QPointF> perUpdate = chart.perUpdateSeries(2)->points();
    QVERIFY(!perUpdate.isEmpty());
    QCOMPARE(perUpdate.last().x(), 2.0);
    QCOMPARE(perUpdate.last().y(), (3050.0 + 400.0 + 600.0) / 10.0);
  }

  // A run stopped before its first update has samples at t = 0 only: its time axis starts at 0, it does
  // not reach back to -0.5.
  void bandwidthOfOneMomentStartsAtZero() {
    BandwidthChart chart;
    chart.resize(700, 400);
    chart.addSamples({sample(0, 0, true, "HELLO", 50, 1), sample(0, 0, false, "WELCOME", 80, 1)});
    chart.refreshNow();
    QVERIFY2(chart.xRange().min == 0.0 && chart.xRange().max > 0.0,
             qPrintable(QStringLiteral("%1 .. %2").arg(chart.xRange().min).arg(chart.xRange().max)));
  }

  void bandwidthTopWorkersAndOthers() {
    BandwidthChart chart;
    chart.resize(700, 400);
    chart.setTopWorkers(2);
    for (int w = 0; w < 5; ++w) {
      chart.addSample(sample(0, w, true, "GRAD", 0, 0));
      chart.addSample(sample(10, w, true, "GRAD", static_cast<std::uint64_t>(1000 * (w + 1)), 10));
    }
    chart.setMode(BandwidthChart::Mode::Cumulative);
    chart.refreshNow();
    QVERIFY(chart.groupSeries(0, true));
    QVERIFY(chart.groupSeries(2, true));  // others
    QVERIFY(!chart.groupSeries(3, true));
    QCOMPARE(chart.groupSeries(0, true)->name(), QString("worker 4 up"));  // the direction in the legend
    QCOMPARE(chart.groupSeries(2, true)->name(), QString("others (3 workers) up"));
    QCOMPARE(chart.groupSeries(2, false)->name(), QString("others (3 workers) down"));
    QCOMPARE(chart.groupSeries(2, true)->points().last().y(), 6000.0);
  }

  // Workers that report at different instants (decentralized nodes, each at its own iteration end):
  // every worker sends 100 B per unit, sampled every 10 units at its own offset, so the others' rate is
  // theirs added up, 300 B per unit, with no spike where one of them happens to sample.
  void bandwidthOthersOfStaggeredSamplesHaveNoSpikes() {
    BandwidthChart chart;
    chart.resize(700, 400);
    chart.setTopWorkers(1);
    for (int w = 0; w < 4; ++w)
      for (int k = 0; k <= 10; ++k) {
        const double t = 10.0 * k + 2.5 * w;
        chart.addSample(sample(t, w, true, "GOSSIP", static_cast<std::uint64_t>(100.0 * t), k));
      }
    chart.setMode(BandwidthChart::Mode::Rate);
    chart.refreshNow();
    QCOMPARE(chart.groupSeries(1, true)->name(), QString("others (3 workers) up"));
    double highest = 0.0;
    for (const QPointF& point : chart.groupSeries(1, true)->points())
      if (point.x() >= 7.5 && point.x() <= 100.0) highest = std::max(highest, point.y());
    QVERIFY2(highest <= 300.0 * 1.001, qPrintable(QString::number(highest)));
  }

  // ---- screenshot ----------------------------------------------------------------------------

  void screenshotShowsAllThree() {
    QWidget window;
    auto* grid = new QGridLayout(&window);
    auto* live = new LiveChart(&window);
    auto* histogram = new DelayHistogram(&window);
    auto* bandwidth = new BandwidthChart(&window);
    grid->addWidget(live, 0, 0, 1, 2);
    grid->addWidget(histogram, 1, 0);
    grid->addWidget(bandwidth, 1, 1);
    window.resize(1400, 900);

    live->setTitle("Convergence");
    live->setYTitle("f − f*");
    const QColor red(220, 30, 30);
    const QColor green(20, 160, 60);
    const int a = live->addSeries("ringmaster", red);
    const int b = live->addSeries("asynchronous SGD", green);
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0.0, 0.15);
    for (int i = 0; i < 200000; ++i) {
      const double t = i * 1e-3;
      live->append(a, t, i, i * 4096.0, std::exp(-t / 40.0) * (1.0 + noise(rng)) + 1e-3);
      live->append(b, t, i, i * 4096.0, std::exp(-t / 80.0) * (1.0 + noise(rng)) + 1e-3);
    }
    live->setLogY(true);

    std::vector<UpdateEvent> events;
    std::geometric_distribution<int> delays(0.15);
    for (int i = 0; i < 50000; ++i) {
      const int d = delays(rng);
      const Outcome outcome =
          d > 12 ? Outcome::Discarded : (rng() % 10 == 0 ? Outcome::Cancelled : Outcome::Accepted);
      events.push_back(makeEvent(static_cast<int>(rng() % 16), d, outcome));
    }
    histogram->addEvents(events);
    histogram->setMarkers(12, 16);
    histogram->setLogY(true);

    for (int step = 0; step <= 100; ++step) {
      for (int w = 0; w < 9; ++w) {
        const auto bytes =
            static_cast<std::uint64_t>(step * 10000.0 * (w + 1) * (1.0 + 0.3 * std::sin(step * 0.2 + w)));
        bandwidth->addSample(sample(step * 0.1, w, true, "GRAD", bytes, static_cast<std::uint64_t>(step)));
        bandwidth->addSample(
            sample(step * 0.1, w, false, "JOB", bytes / 3, static_cast<std::uint64_t>(step)));
      }
    }

    showAndSettle(window);
    for (int i = 0; i < 3; ++i) {
      live->refreshNow();
      histogram->refreshNow();
      bandwidth->refreshNow();
      QCoreApplication::processEvents();
    }
    const QImage image = window.grab().toImage();
    QVERIFY(image.save("/tmp/charts.png"));

    // Each chart's own colours must be on screen, inside its own widget.
    const auto region = [&](QWidget* widget) { return image.copy(widget->geometry()); };
    QVERIFY2(hasColour(region(live), red, 20, 200), "live chart: red series not drawn");
    QVERIFY2(hasColour(region(live), green, 20, 200), "live chart: green series not drawn");
    QVERIFY2(hasColour(region(histogram), QColor(0x1f, 0x77, 0xb4), 20, 50),
             "histogram: accepted outline not drawn");
    QVERIFY2(hasColour(region(histogram), QColor(0xff, 0x7f, 0x0e), 20, 20),
             "histogram: discarded outline not drawn");
    QVERIFY2(hasColour(region(bandwidth), QColor(0x1f, 0x77, 0xb4).darker(120), 25, 20) ||
                 hasColour(region(bandwidth), QColor(0x1f, 0x77, 0xb4), 40, 200),
             "bandwidth: worker areas not drawn");
    QVERIFY(live->drawnPointCount(a) <= 2 * live->plotWidth() + 2);
  }
};

QTEST_MAIN(TestCharts)
#include "test_charts.moc"
