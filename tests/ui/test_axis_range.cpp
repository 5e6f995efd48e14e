// The chart range guard (ui/charts/axis_range): every range an axis gets is drawable, and Qt never
// holds more than kMaxAxisTicks ticks, whatever sequence of ranges the charts ask for. A hang inside
// Qt's tick layout cannot be caught by QtTest, so a watchdog fails the program instead.
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QtTest>
#include <cmath>
#include <limits>

#include "session_test_support.hpp"
#include "ui/charts/axis_range.hpp"
#include "ui/charts/live_chart.hpp"

using distopt::ui::AxisRange;
using distopt::ui::dynamicTickCount;
using distopt::ui::kMaxAxisTicks;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool drawable(const AxisRange& r) {
  return std::isfinite(r.min) && std::isfinite(r.max) && r.max > r.min &&
         dynamicTickCount(r, distopt::ui::niceTickStep(r.span())) <= kMaxAxisTicks;
}

// What Qt would lay out for the axis as it stands.
long long axisTicks(const QValueAxis& axis) {
  return dynamicTickCount({axis.min(), axis.max()}, axis.tickInterval());
}

// The ranges a session throws at a chart: a run's data, the next run's first point, garbage from a
// broken record, a deep zoom, values far from zero.
const std::vector<AxisRange> kSequence = {
    {0.0, 1.0},       {0.0, 1e6},   {-0.5, 0.5},      {500.0, 5.0},       {kNaN, kNaN}, {0.0, kInf},
    {-kInf, kInf},    {1e15, 1e15}, {1e15, 1e15 + 1}, {5.0, 5.0 + 1e-15}, {0.0, 1e308}, {-1e308, 1e308},
    {1e-300, 2e-300}, {3.0, 3.0},   {0.0, 1e-20},     {-1e6, -1e6 + 1},   {0.0, 500.0}, {0.0, 1.0}};

}  // namespace

class TestAxisRange : public QObject {
  Q_OBJECT

 private slots:
  void linearRangesAreSanitized() {
    for (const AxisRange& r : kSequence) {
      const AxisRange safe = distopt::ui::sanitizeLinearRange(r);
      QVERIFY2(drawable(safe),
               qPrintable(
                   QStringLiteral("[%1, %2] -> [%3, %4]").arg(r.min).arg(r.max).arg(safe.min).arg(safe.max)));
    }
    // A good range stays as it is; an inverted one is reordered; NaN ends take the fallback's.
    QCOMPARE(distopt::ui::sanitizeLinearRange({2.0, 7.0}), (AxisRange{2.0, 7.0}));
    QCOMPARE(distopt::ui::sanitizeLinearRange({7.0, 2.0}), (AxisRange{2.0, 7.0}));
    QCOMPARE(distopt::ui::sanitizeLinearRange({kNaN, 7.0}), (AxisRange{0.0, 7.0}));
    // A constant is padded about itself; one at 0 (the time axis of a run stopped before its first
    // update) upward, never below 0; a negative one about itself.
    const AxisRange three = distopt::ui::sanitizeLinearRange({3.0, 3.0});
    QCOMPARE(three.min, 2.85);  // QCOMPARE on doubles is relative to their size
    QCOMPARE(three.max, 3.15);
    QCOMPARE(distopt::ui::sanitizeLinearRange({0.0, 0.0}), (AxisRange{0.0, 1.0}));
    QCOMPARE(distopt::ui::sanitizeLinearRange({0.0, 1e-20}).min, 0.0);
    const AxisRange negative = distopt::ui::sanitizeLinearRange({-2.0, -2.0});
    QCOMPARE(negative.min, -2.1);
    QCOMPARE(negative.max, -1.9);
  }

  void logRangesAreSanitized() {
    for (const AxisRange& r : std::vector<AxisRange>{
             {0.0, 1.0}, {-1.0, -0.5}, {kNaN, 1.0}, {1e-300, 1e300}, {5.0, 5.0}, {kInf, kInf}, {1e-5, 1e3}}) {
      const AxisRange safe = distopt::ui::sanitizeLogRange(r);
      QVERIFY(std::isfinite(safe.min) && std::isfinite(safe.max) && safe.min > 0.0 && safe.max > safe.min);
      QVERIFY(std::log10(safe.max) - std::log10(safe.min) <= distopt::ui::kMaxLogDecades + 1e-9);
    }
    QCOMPARE(distopt::ui::sanitizeLogRange({1e-5, 1e3}), (AxisRange{1e-5, 1e3}));
  }

  void tickCountsAreCountedAsQtCountsThem() {
    QCOMPARE(dynamicTickCount({0.0, 1.0}, 0.2), 6LL);
    // Far more than the cap, a step lost in rounding, or no step at all: over the cap, not a hang.
    QVERIFY(dynamicTickCount({0.0, 1e6}, 0.2) > kMaxAxisTicks);
    QVERIFY(dynamicTickCount({1e17, 1e17 + 100.0}, 1.0) > kMaxAxisTicks);
    QVERIFY(dynamicTickCount({0.0, 1.0}, 0.0) > kMaxAxisTicks);
    QVERIFY(dynamicTickCount({0.0, 1.0}, kNaN) > kMaxAxisTicks);
  }

  // A short plot gets fewer tick labels rather than labels Qt elides to "...": at most as many as its
  // height holds, a log axis one every k decades.
  void ticksFitTheRoom() {
    using distopt::ui::verticalLabelRoom;
    QCOMPARE(verticalLabelRoom(100.0, 16.0), 4);  // 24 px a label with the padding
    QCOMPARE(verticalLabelRoom(0.0, 16.0), 2);
    QCOMPARE(verticalLabelRoom(kNaN, 16.0), 2);
    QCOMPARE(verticalLabelRoom(1e9, 16.0), kMaxAxisTicks);
    for (const int room : {2, 3, 4, 5, 7}) {
      for (const AxisRange& r :
           std::vector<AxisRange>{{0.0, 1.0}, {0.0, 500.0}, {-3.7, 1e4}, {1e15, 1e15 + 1}}) {
        const AxisRange safe = distopt::ui::sanitizeLinearRange(r);
        QVERIFY2(dynamicTickCount(safe, distopt::ui::niceTickStep(safe.span(), room)) <= room,
                 qPrintable(QStringLiteral("[%1, %2] in room %3").arg(r.min).arg(r.max).arg(room)));
      }
      for (const AxisRange& r :
           std::vector<AxisRange>{{1e-6, 80.0}, {0.1, 10.0}, {1e-300, 1e300}, {2.0, 3.0}}) {
        QLogValueAxis axis;
        const AxisRange shown = distopt::ui::setLogAxisRange(&axis, r, room);
        // Qt labels every power of the base inside the range.
        const double perLabel = std::log10(axis.base());
        const double labels =
            std::floor(std::log10(shown.max) / perLabel) - std::ceil(std::log10(shown.min) / perLabel) + 1.0;
        QVERIFY2(labels <= room && perLabel >= 1.0,
                 qPrintable(QStringLiteral("[%1, %2] in room %3: base %4, %5 labels")
                                .arg(r.min)
                                .arg(r.max)
                                .arg(room)
                                .arg(axis.base())
                                .arg(labels)));
      }
    }
    // With room, one label per decade and the usual minor ticks.
    QLogValueAxis axis;
    distopt::ui::setLogAxisRange(&axis, {1e-6, 80.0}, 12);
    QCOMPARE(axis.base(), 10.0);
    QCOMPARE(axis.minorTickCount(), -1);
  }

  // Every step of the sequence, in both directions, keeps the axis itself bounded: the tick interval
  // it holds always suits the range it holds.
  void anAxisStaysBoundedThroughAnySequence() {
    session_test::Watchdog watchdog(1500.0);
    watchdog.arm("axis sequence", 30);
    auto* chart = new QChart();  // the view's scene owns it
    chart->setAnimationOptions(QChart::NoAnimation);
    QChartView view(chart);
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto* axis = new QValueAxis();
    chart->addAxis(axis, Qt::AlignBottom);
    auto* series = new QLineSeries();
    chart->addSeries(series);
    series->attachAxis(axis);
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < kSequence.size(); ++i) {
        const AxisRange& r = kSequence[pass == 0 ? i : kSequence.size() - 1 - i];
        distopt::ui::setValueAxisRange(axis, r);
        QVERIFY2(axisTicks(*axis) <= kMaxAxisTicks, qPrintable(QStringLiteral("[%1, %2]: %3 ticks")
                                                                   .arg(axis->min())
                                                                   .arg(axis->max())
                                                                   .arg(axisTicks(*axis))));
        QCoreApplication::processEvents();  // Qt's deferred layout of the new ticks
      }
    }
    watchdog.disarm();
  }

  // The blocker of issue 18 at the chart level: a run's wide range, then the next run's first points,
  // on every kind of x the chart offers, with frames drawn in between as the 30 Hz timer draws them.
  void aChartFollowsANewRunWithoutRunawayTicks() {
    session_test::Watchdog watchdog(1500.0);
    watchdog.arm("chart reset between runs", 60);
    distopt::ui::LiveChart chart;
    chart.resize(700, 400);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const int series = chart.addSeries("gap", Qt::blue);
    for (const auto x : {distopt::ui::XAxis::Time, distopt::ui::XAxis::Updates, distopt::ui::XAxis::Bytes}) {
      chart.setXAxis(x);
      for (int run = 0; run < 2; ++run) {
        chart.clear();
        // The first run: 0 .. 500 time units, a million updates, a gigabyte; y up to a million.
        for (int i = 0; i <= 100; ++i)
          chart.append(series, 5.0 * i, 1e4 * i, 1e7 * i, 1e6 * std::exp(-0.05 * i));
        chart.refreshNow();
        QTest::qWait(40);
        // The next run: its first point alone, then a second one a hair later.
        chart.clear();
        chart.append(series, 0.0, 0.0, 0.0, 1.0);
        chart.refreshNow();
        QTest::qWait(40);
        chart.append(series, 1e-12, 1.0, 3.0, 1.0 + 1e-15);
        chart.refreshNow();
        QTest::qWait(40);
        auto* xAxis = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(xAxis);
        QVERIFY2(axisTicks(*xAxis) <= kMaxAxisTicks, qPrintable(QString::number(axisTicks(*xAxis))));
        QVERIFY(chart.xRange().max - chart.xRange().min < 10.0);
        auto* yAxis = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(yAxis);
        QVERIFY2(axisTicks(*yAxis) <= kMaxAxisTicks, qPrintable(QString::number(axisTicks(*yAxis))));
      }
    }
    watchdog.disarm();
  }
};

QTEST_MAIN(TestAxisRange)
#include "test_axis_range.moc"
