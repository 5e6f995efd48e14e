// Seed bands (core/analysis/seed_band): several runs of one configuration as a mean and a band on a
// common grid, with runs sampled at different x and of different lengths.

#include <QtTest>
#include <cmath>

#include "core/analysis/seed_band.hpp"

using namespace distopt;

class TestSeedBand : public QObject {
  Q_OBJECT

 private slots:
  void interpolatesBetweenSamplesAndNotOutside() {
    const SampledCurve curve{{0, 2, 4}, {10, 6, 2}};
    QCOMPARE(curveValueAt(curve, 0), 10.0);
    QCOMPARE(curveValueAt(curve, 1), 8.0);
    QCOMPARE(curveValueAt(curve, 3), 4.0);
    QCOMPARE(curveValueAt(curve, 4), 2.0);
    QVERIFY(std::isnan(curveValueAt(curve, 4.5)));
    QVERIFY(std::isnan(curveValueAt(curve, -1)));
    QVERIFY(std::isnan(curveValueAt(SampledCurve{}, 0)));
    QVERIFY(std::isnan(curveValueAt(curve, std::nan(""))));
  }

  void gridRunsFromZeroToTheLongestRun() {
    const std::vector<SampledCurve> curves{{{0, 5}, {1, 1}}, {{0, 1, 8}, {1, 1, 1}}};
    const auto grid = commonGrid(curves, 4);
    QCOMPARE(grid, (std::vector<double>{0, 2, 4, 6, 8}));
    QVERIFY(commonGrid(std::vector<SampledCurve>{}, 4).empty());
    QVERIFY(commonGrid(std::vector<SampledCurve>{{{0}, {1}}}, 4).empty());  // no extent
    QVERIFY(commonGrid(curves, 0).empty());
  }

  void meanMinMaxAndStdOverSeedsSampledAtDifferentTimes() {
    // Three seeds of y = c - x sampled at different x: at x = 2 they are 8, 6 and 4 exactly.
    const std::vector<SampledCurve> curves{
        {{0, 1, 3}, {10, 9, 7}}, {{0, 2.5}, {8, 5.5}}, {{0, 0.5, 2, 4}, {6, 5.5, 4, 2}}};
    const BandPoint p = bandAt(curves, 2);
    QCOMPARE(p.count, 3);
    QCOMPARE(p.mean, 6.0);
    QCOMPARE(p.min, 4.0);
    QCOMPARE(p.max, 8.0);
    QCOMPARE(p.stddev, 2.0);  // sample sd of 8, 6, 4
    QCOMPARE(p.low(BandKind::MinMax), 4.0);
    QCOMPARE(p.high(BandKind::MinMax), 8.0);
    QCOMPARE(p.low(BandKind::StdDev), 4.0);
    QCOMPARE(p.high(BandKind::StdDev), 8.0);

    // Past the second seed's end (2.5) only the others count: 10 - 3 = 7 and 6 - 3 = 3.
    const BandPoint later = bandAt(curves, 3);
    QCOMPARE(later.count, 2);
    QCOMPARE(later.mean, 5.0);
    QCOMPARE(later.min, 3.0);
    QCOMPARE(later.max, 7.0);

    const SeedBand band = seedBand(curves, 4);
    QCOMPARE(band.x, (std::vector<double>{0, 1, 2, 3, 4}));
    QCOMPARE(band.points.size(), std::size_t{5});
    QCOMPARE(band.points[2].mean, 6.0);
    QCOMPARE(band.points[0].mean, 8.0);
    QCOMPARE(band.points[4].count, 1);  // only the longest run reaches 4
    QCOMPARE(band.points[4].stddev, 0.0);
    QCOMPARE(band.points[4].mean, 2.0);
  }

  void summaryOfValues() {
    const std::vector<double> values{2, std::nan(""), 4, 9, INFINITY};
    const BandPoint p = summarize(values);
    QCOMPARE(p.count, 3);
    QCOMPARE(p.mean, 5.0);
    QCOMPARE(p.min, 2.0);
    QCOMPARE(p.max, 9.0);
    QCOMPARE(p.stddev, std::sqrt(13.0));  // (9 + 1 + 16) / 2
    QCOMPARE(summarize(std::vector<double>{7}).stddev, 0.0);
    QCOMPARE(summarize(std::vector<double>{}).count, 0);
  }

  void missingDataIsNotAZero() {
    const std::vector<SampledCurve> curves{{{0, 1}, {1, std::nan("")}}, {{5, 6}, {3, 3}}};
    const BandPoint none = bandAt(curves, 2);  // the first has ended, the second not begun
    QCOMPARE(none.count, 0);
    QVERIFY(std::isnan(none.mean) && std::isnan(none.min) && std::isnan(none.max) && std::isnan(none.stddev));
    const BandPoint one = bandAt(curves, 0);
    QCOMPARE(one.count, 1);
    QCOMPARE(one.mean, 1.0);
    QVERIFY(std::isnan(bandAt(curves, 1).mean));  // a NaN sample is missing, not a value
  }
};

QTEST_APPLESS_MAIN(TestSeedBand)
#include "test_seed_band.moc"
