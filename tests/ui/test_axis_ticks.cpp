// Tick labels as people write numbers (ui/charts/axis_ticks, ui/charts/tick_label_axis): a log axis in
// powers of ten with superscripts ("10⁻⁵", "2 × 10⁻³"), at least two labels over any span, never C's
// "1e-05"; a linear axis in fixed notation, large values with SI prefixes ("6 M"); and the axis Qt draws
// follows the hidden axis the series use, through zoom and a switch between linear and log.
#include <QCategoryAxis>
#include <QChart>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QXYSeries>
#include <QtTest>
#include <cmath>

#include "ui/charts/axis_ticks.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/tick_label_axis.hpp"

using namespace distopt::ui;

namespace {

QStringList labelsOf(const std::vector<AxisTick>& ticks) {
  QStringList labels;
  for (const AxisTick& tick : ticks) labels << tick.label;
  return labels;
}

QString describe(AxisRange range, int room, const std::vector<AxisTick>& ticks) {
  return QStringLiteral("[%1, %2] room %3: %4")
      .arg(range.min, 0, 'g', 6)
      .arg(range.max, 0, 'g', 6)
      .arg(room)
      .arg(labelsOf(ticks).join(QStringLiteral(" | ")));
}

// What C's printf or Qt's "%g" would have written.
bool hasCExponent(const QString& label) {
  return label.contains(QRegularExpression(QStringLiteral("[0-9]e[-+]?[0-9]")));
}

}  // namespace

class TestAxisTicks : public QObject {
  Q_OBJECT

 private slots:
  void superscriptsAndPowers() {
    QCOMPARE(superscript(-5), QStringLiteral("⁻⁵"));
    QCOMPARE(superscript(12), QStringLiteral("¹²"));
    QCOMPARE(superscript(0), QStringLiteral("⁰"));
    QCOMPARE(powerOfTenLabel(1.0, -5), QStringLiteral("10⁻⁵"));
    QCOMPARE(powerOfTenLabel(2.0, -3), QStringLiteral("2 × 10⁻³"));
    QCOMPARE(powerOfTenLabel(2.4, -3, 1), QStringLiteral("2.4 × 10⁻³"));
  }

  void logAxisLabelsArePowersOfTen() {
    const auto ticks = logAxisTicks({1e-5, 1e3}, 20);
    QCOMPARE(labelsOf(ticks),
             (QStringList{"10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"}));
    QCOMPARE(ticks.front().value, 1e-5);
    // Short of room: every k-th power, evenly, at least two.
    const auto few = logAxisTicks({1e-5, 1e3}, 3);
    QVERIFY2(few.size() >= 2 && few.size() <= 3, qPrintable(describe({1e-5, 1e3}, 3, few)));
    const double spacing = std::log10(few[1].value) - std::log10(few[0].value);
    for (std::size_t i = 1; i < few.size(); ++i)
      QCOMPARE(std::log10(few[i].value) - std::log10(few[i - 1].value), spacing);
  }

  // Qt put a label on powers of ten only: a span under a decade had one label or none.
  void aSpanUnderADecadeHasSeveralLabels() {
    const auto digits = logAxisTicks({1.2e-3, 4.5e-3}, 10);
    QCOMPARE(labelsOf(digits), (QStringList{"2 × 10⁻³", "3 × 10⁻³", "4 × 10⁻³"}));
    const auto oneTwoFive = logAxisTicks({0.8, 30.0}, 10);
    QCOMPARE(labelsOf(oneTwoFive), (QStringList{"10⁰", "2 × 10⁰", "5 × 10⁰", "10¹", "2 × 10¹"}));
    // Within one digit's step: round linear steps in the top end's power.
    const auto narrow = logAxisTicks({2.13e-3, 2.87e-3}, 10);
    QVERIFY2(narrow.size() >= 2, qPrintable(describe({2.13e-3, 2.87e-3}, 10, narrow)));
    QVERIFY2(labelsOf(narrow).contains(QStringLiteral("2.4 × 10⁻³")),
             qPrintable(describe({2.13e-3, 2.87e-3}, 10, narrow)));
  }

  // Whatever the range and the room: two labels at least, no more than the room, inside the range, in
  // order, each once, none in C's notation.
  void everyLogRangeGetsTwoToRoomLabels() {
    const std::vector<AxisRange> ranges = {
        {1e-5, 1e3},   {0.1, 10.0}, {2.0, 3.0},         {0.999, 1.001},    {1e-300, 1e-200}, {1e-300, 1e300},
        {5.0, 5.0001}, {9.0, 11.0}, {0.95e-3, 1.05e-3}, {1.0, 1.0 + 1e-8}, {3e7, 8e9}};
    for (const AxisRange& range : ranges)
      for (int room : {2, 3, 4, 5, 7, 12, 64}) {
        const auto ticks = logAxisTicks(range, room);
        const QString what = describe(range, room, ticks);
        QVERIFY2(ticks.size() >= 2 && ticks.size() <= static_cast<std::size_t>(room), qPrintable(what));
        QStringList seen;
        for (std::size_t i = 0; i < ticks.size(); ++i) {
          QVERIFY2(ticks[i].value >= range.min * (1 - 1e-9) && ticks[i].value <= range.max * (1 + 1e-9),
                   qPrintable(what));
          if (i > 0) QVERIFY2(ticks[i].value > ticks[i - 1].value, qPrintable(what));
          QVERIFY2(!seen.contains(ticks[i].label), qPrintable(what));
          QVERIFY2(!hasCExponent(ticks[i].label), qPrintable(what));
          seen << ticks[i].label;
        }
      }
    QVERIFY(logAxisTicks({0.0, 1.0}).empty());
    QVERIFY(logAxisTicks({1.0, std::nan("")}).empty());
  }

  void linearLabelsAreFixedOrSi() {
    QCOMPARE(labelsOf(linearAxisTicks({0.0, 1.0}, 6)), (QStringList{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
    QVERIFY(labelsOf(linearAxisTicks({0.0, 20000.0})).contains(QStringLiteral("15000")));
    QCOMPARE(labelsOf(linearAxisTicks({0.0, 6e6}, 7)),
             (QStringList{"0", "1 M", "2 M", "3 M", "4 M", "5 M", "6 M"}));
    QVERIFY(labelsOf(linearAxisTicks({0.0, 2e9}, 5)).contains(QStringLiteral("1.5 G")));
    QCOMPARE(linearTickLabel(150000.0, 200000.0, 50000.0), QStringLiteral("150 k"));
    QCOMPARE(linearTickLabel(-2.0, 4.0, 1.0), QStringLiteral("−2"));
    QCOMPARE(linearTickLabel(2e21, 3e21, 5e20), QStringLiteral("2.0 × 10²¹"));
    for (const AxisRange& range :
         std::vector<AxisRange>{{0.0, 1e4}, {-3.7, 1e4}, {0.0, 1e8}, {1e15, 1e15 + 1e3}})
      for (const QString& label : labelsOf(linearAxisTicks(range)))
        QVERIFY2(!hasCExponent(label), qPrintable(label));
  }

  // The chart's shown axes carry these labels over the hidden axes the series use, and follow them.
  void chartAxesShowOurLabels() {
    LiveChart chart;
    chart.resize(700, 450);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const int s = chart.addSeries(QStringLiteral("gap"), Qt::blue);
    for (int i = 0; i <= 80; ++i) chart.append(s, i * 1e5, i, i * 1e5, 1e3 * std::pow(10.0, -i / 10.0));
    chart.setLogY(true);
    chart.refreshNow();
    QStringList yLabels = chart.yLabels()->labels();
    QVERIFY2(yLabels.contains(QStringLiteral("10⁻³")) && yLabels.contains(QStringLiteral("10⁰")),
             qPrintable(yLabels.join(' ')));
    for (const QString& label : yLabels + chart.xLabels()->labels())
      QVERIFY2(!hasCExponent(label), qPrintable(label));
    // 8 M time units: SI on the x axis.
    QVERIFY2(chart.xLabels()->labels().contains(QStringLiteral("4 M")),
             qPrintable(chart.xLabels()->labels().join(' ')));
    // The shown axes are the visible ones; they span what the hidden ones span (log10 for log).
    QCategoryAxis* shownY = chart.yLabels()->axis();
    QVERIFY(shownY->isVisible());
    QCOMPARE(shownY->min(), std::log10(chart.yRange().min));
    QCOMPARE(shownY->max(), std::log10(chart.yRange().max));
    // The followed axes draw nothing but, for a log axis, its minor grid.
    for (QAbstractAxis* axis : chart.chart()->axes()) {
      if (axis == shownY || axis == chart.xLabels()->axis()) continue;
      if (qobject_cast<QLogValueAxis*>(axis))
        QVERIFY(!axis->labelsVisible() && !axis->isTitleVisible() && !axis->isLineVisible() &&
                !axis->isGridLineVisible() && axis->isMinorGridLineVisible());
      else
        QVERIFY(!axis->isVisible());
    }

    // A zoom moves the hidden axes; the shown ones follow.
    chart.chart()->zoomIn(QRectF(chart.chart()->plotArea().center(), chart.chart()->plotArea().size() / 3));
    chart.refreshNow();
    QVERIFY(chart.userZoomed());
    QCOMPARE(shownY->min(), std::log10(chart.yRange().min));
    QCOMPARE(chart.xLabels()->axis()->max(), chart.xRange().max);
    QVERIFY(chart.yLabels()->labels().size() >= 2);

    chart.setLogY(false);
    chart.refreshNow();
    QCOMPARE(chart.yLabels()->axis(), shownY);
    QCOMPARE(shownY->max(), chart.yRange().max);
    QVERIFY2(chart.yLabels()->labels().contains(QStringLiteral("0")),
             qPrintable(chart.yLabels()->labels().join(' ')));
  }

  // The labels moved to our own axis took the log axis's faint lines at 2..9 × 10ⁿ with them (the
  // followed axis was hidden whole). Drawn: a row of the plot at 2 × 10ⁿ (and 5 × 10ⁿ) differs from the
  // background, one halfway between two minor lines does not.
  void logAxesKeepMinorGridLines() {
    LiveChart chart;
    chart.resize(600, 420);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const int s = chart.addSeries(QStringLiteral("gap"), Qt::blue);
    // A curve along the left edge only: the middle column of the plot shows the grid alone.
    for (int i = 0; i <= 10; ++i) chart.append(s, 0.0, i, 0.0, std::pow(10.0, -i / 5.0));
    chart.append(s, 100.0, 11, 0.0, 0.01);
    chart.setLogY(true);
    chart.refreshNow();
    QCoreApplication::processEvents();
    QChart* qchart = chart.chart();
    QXYSeries* series = chart.series(s);
    const QImage image = chart.view()->grab().toImage();
    const double x = chart.xRange().min + 0.5 * chart.xRange().span();
    const auto rowAt = [&](double value) {
      const QPointF scene = qchart->mapToScene(qchart->mapToPosition(QPointF(x, value), series));
      return chart.view()->mapFromScene(scene);
    };
    const auto differsFromBackground = [&](double value) {
      const QPoint at = rowAt(value);
      const QColor background = image.pixelColor(at.x(), rowAt(value * 1.12).y());
      // Antialiased: the line may fall on the row above or below.
      for (int dy = -1; dy <= 1; ++dy)
        if (image.pixelColor(at.x(), at.y() + dy) != background) return true;
      return false;
    };
    const auto y = chart.yRange();
    QVERIFY2(y.min <= 0.02 && y.max >= 0.5, qPrintable(QStringLiteral("%1..%2").arg(y.min).arg(y.max)));
    for (const double value : {0.02, 0.05, 0.2, 0.5})
      QVERIFY2(differsFromBackground(value), qPrintable(QStringLiteral("no grid line at %1").arg(value)));
    // Between 2 and 3 × 10⁻¹ there is none: the probe itself tells a line from the background.
    const QPoint between = rowAt(0.25);
    QCOMPARE(image.pixelColor(between.x(), between.y()),
             image.pixelColor(between.x(), rowAt(0.25 * 1.12).y()));
  }
};

QTEST_MAIN(TestAxisTicks)
#include "test_axis_ticks.moc"
