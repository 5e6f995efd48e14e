// Figures for a paper (ui/export/chart_export, ui/charts/chart_legend, ui/charts/convergence_chart):
// the exported SVG and PDF are rendered (QSvgRenderer, poppler's pdftoppm and pdftotext) and must hold
// every legend entry in full, the axis titles with units, tick labels without "e+0", and a canvas that is
// the drawing; the CSV beside a figure holds exactly the points drawn; report.pdf carries every legend
// entry (Qt's legend drew only the first), the summary, the parameters and the comparison. The
// convergence chart offers the quantities the run has and keeps the choice for the next run.

#include <QAreaSeries>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXYSeries>
#include <QtTest>
#include <map>
#include <set>

#include "ui/charts/chart_legend.hpp"
#include "ui/charts/convergence_chart.hpp"
#include "ui/charts/short_text_combo.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/chart_export.hpp"
#include "ui/export/report_export.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

// Long names on purpose: Qt's legend cut each to "accep…" / "#8 qu…" at this width.
const QStringList kOverlays = {QStringLiteral("ringmaster quadratic gamma=0.5 R=4 seed 1"),
                               QStringLiteral("rennala least_squares B=16 seed 2 workers=64"),
                               QStringLiteral("asgd quadratic delay-adaptive step seed 3")};

std::vector<EvaluationPoint> curve(double scale, bool withGap, bool withAccuracy) {
  std::vector<EvaluationPoint> points;
  for (int i = 0; i <= 200; ++i) {
    EvaluationPoint p;
    p.time = i * 100.0;  // up to 20000: "%g" wrote "2e+04"
    p.updates = static_cast<std::uint64_t>(i) * 1000;
    p.loss = 1.0 + scale / (1.0 + i);
    if (withGap) p.gap = scale / (1.0 + i);
    p.gradNormSq = scale * scale / (1.0 + i * i);
    if (withAccuracy) p.testAccuracy = 0.5 + 0.4 * i / 200.0;
    p.metrics["consensus_error"] = scale / (2.0 + i);
    p.metrics["consensus_error.3"] = 1.0;  // per node: not offered
    p.bytesUp = static_cast<std::uint64_t>(i) * 5000;
    points.push_back(p);
  }
  return points;
}

nlohmann::json experiment() {
  return {{"name", "paper"},
          {"engine", "sim"},
          {"seed", 1},
          {"algorithm", {{"name", "ringmaster"}, {"params", {{"gamma", 0.5}, {"R", 4}}}}},
          {"workers", {{"count", 16}}}};
}

void feed(Dashboard& dashboard) {
  dashboard.beginRun(experiment());
  dashboard.addEvaluations(curve(1.0, true, false));
  for (int i = 0; i < kOverlays.size(); ++i)
    dashboard.addOverlay(kOverlays[i], curve(2.0 + i, true, false), QStringLiteral("#%1").arg(i));
}

QString run(const QString& program, const QStringList& arguments) {
  QProcess process;
  process.start(program, arguments);
  if (!process.waitForFinished(60'000) || process.exitCode() != 0) return {};
  return QString::fromUtf8(process.readAllStandardOutput());
}

// The box of everything not white.
QRect inkBox(const QImage& image) {
  int left = image.width(), top = image.height(), right = -1, bottom = -1;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (c.red() > 245 && c.green() > 245 && c.blue() > 245) continue;
      left = std::min(left, x);
      right = std::max(right, x);
      top = std::min(top, y);
      bottom = std::max(bottom, y);
    }
  return right < 0 ? QRect() : QRect(QPoint(left, top), QPoint(right, bottom));
}

// The drawing fills its canvas: ink reaches within a few percent of every edge (the old files had a
// canvas a third larger than the drawing on two sides).
bool fillsCanvas(const QImage& image, QString* why) {
  const QRect ink = inkBox(image);
  const int slackX = image.width() / 12, slackY = image.height() / 12;
  const bool ok = !ink.isNull() && ink.left() <= slackX && ink.top() <= slackY &&
                  ink.right() >= image.width() - 1 - slackX && ink.bottom() >= image.height() - 1 - slackY;
  if (!ok)
    *why = QStringLiteral("canvas %1x%2, drawing (%3,%4)-(%5,%6)")
               .arg(image.width())
               .arg(image.height())
               .arg(ink.left())
               .arg(ink.top())
               .arg(ink.right())
               .arg(ink.bottom());
  return ok;
}

QString normalized(QString text) {
  // pdftotext breaks lines where the drawing does; a legend entry wrapped over two lines still counts
  // as whole only if its words follow each other.
  return text.replace(QLatin1Char('\n'), QLatin1Char(' ')).simplified();
}

}  // namespace

class TestFigureExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY2(!QStandardPaths::findExecutable("pdftotext").isEmpty(), "poppler-utils (pdftotext) is needed");
    QVERIFY2(!QStandardPaths::findExecutable("pdftoppm").isEmpty(), "poppler-utils (pdftoppm) is needed");
  }

  void svgHoldsWholeLegendTitlesAndFillsItsCanvas() {
    Dashboard dashboard;
    dashboard.resize(1024, 700);  // the charts as squeezed as on a 1024-px screen
    feed(dashboard);
    dashboard.refreshNow();
    FigureOptions options;
    options.width = 12.0;
    options.height = 9.0;
    options.unit = SizeUnit::Centimetres;
    options.dpi = 300.0;
    options.fontPoints = 8.0;
    QString why;
    const QString svg = m_dir.filePath("convergence.svg");
    QVERIFY2(exportChart(dashboard.convergence(), svg, options, &why), qPrintable(why));

    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    // 12 x 9 cm: laid out at 96 px per inch, and as wide and tall in mm.
    QCOMPARE(renderer.viewBox(), QRect(0, 0, 454, 340));
    QImage image(renderer.viewBox().size(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
      QPainter painter(&image);
      renderer.render(&painter);
    }
    QVERIFY2(fillsCanvas(image, &why), qPrintable(why));

    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    const auto size =
        QRegularExpression(QStringLiteral("width=\"([0-9.]+)mm\" height=\"([0-9.]+)mm\"")).match(text);
    QVERIFY2(size.hasMatch(), "the SVG's size in mm");
    QVERIFY2(std::abs(size.captured(1).toDouble() - 120.0) < 0.5 &&
                 std::abs(size.captured(2).toDouble() - 90.0) < 0.5,
             qPrintable(size.captured(0)));
    for (const QString& label : kOverlays) QVERIFY2(text.contains(label), qPrintable(label));
    QVERIFY2(text.contains(QStringLiteral("ringmaster paper")), "this run's legend entry");
    QVERIFY2(text.contains(QStringLiteral("time [units]")), "the x title of a simulated run");
    QVERIFY2(text.contains(QStringLiteral("f(x) − f*")), "the y title names the quantity");
    QVERIFY2(!text.contains(QStringLiteral("e+0")), "a tick label in C's exponent notation");
    QVERIFY(text.contains(QStringLiteral(">20000<")) || text.contains(QStringLiteral(">15000<")) ||
            text.contains(QStringLiteral(">10000<")));

    // The CSV beside it: exactly what each series drew.
    QFile csv(m_dir.filePath("convergence.csv"));
    QVERIFY2(csv.open(QIODevice::ReadOnly), "no CSV beside the figure");
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.front(), QStringLiteral("series,x,y"));
    for (const QString& label : kOverlays)
      QVERIFY2(lines.filter(QRegularExpression(QStringLiteral("^") + QRegularExpression::escape(label) + ","))
                       .size() > 10,
               qPrintable(label));
    // The screen's chart is back as it was: its drawn points are its own width's, and the file's count
    // is the export's (a different width), which is what the CSV must hold.
    const int rows =
        static_cast<int>(lines.filter(QRegularExpression(QStringLiteral("^ringmaster paper,"))).size());
    QVERIFY(rows > 0);
    QVERIFY(rows <= 201);
  }

  void pdfRendersTheSameInPoppler() {
    Dashboard dashboard;
    dashboard.resize(1024, 700);
    feed(dashboard);
    dashboard.refreshNow();
    FigureOptions options;
    options.width = 640;
    options.height = 420;
    QString why;
    const QString pdf = m_dir.filePath("figure.pdf");
    QVERIFY2(exportChart(dashboard.convergence(), pdf, options, &why), qPrintable(why));
    const QString text = normalized(run("pdftotext", {pdf, "-"}));
    QVERIFY2(!text.isEmpty(), "pdftotext read nothing");
    for (const QString& label : kOverlays) QVERIFY2(text.contains(label), qPrintable(label + " in: " + text));
    QVERIFY2(text.contains(QStringLiteral("time [units]")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("f(x) − f*")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("e+0")), qPrintable(text));
    // The log axis in powers of ten, as the PDF's text (its fonts carry the superscripts), not "1e-05".
    QVERIFY2(!text.contains(QRegularExpression(QStringLiteral("[0-9]e-[0-9]"))), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("10⁻²")) && text.contains(QStringLiteral("10⁰")), qPrintable(text));
    // A page the figure's size (640 x 420 px at 96 per inch), filled by it.
    QCOMPARE(QProcess::execute("pdftoppm",
                               {"-r", "96", "-png", "-singlefile", pdf, m_dir.filePath("figure-page")}),
             0);
    const QImage page(m_dir.filePath("figure-page.png"));
    QVERIFY(!page.isNull());
    QVERIFY2(std::abs(page.width() - 640) <= 2 && std::abs(page.height() - 420) <= 2,
             qPrintable(QStringLiteral("%1x%2").arg(page.width()).arg(page.height())));
    QVERIFY2(fillsCanvas(page, &why), qPrintable(why));
    // Hostile options are refused, naming the file, and write nothing.
    options.dpi = 0;
    QVERIFY(!exportChart(dashboard.convergence(), m_dir.filePath("bad.pdf"), options, &why));
    QVERIFY2(why.contains("bad.pdf") && why.contains("dpi"), qPrintable(why));
    QVERIFY(!QFile::exists(m_dir.filePath("bad.pdf")));
  }

  void legendNeverCutsOnScreen() {
    Dashboard dashboard;
    dashboard.resize(1024, 700);
    feed(dashboard);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    dashboard.refreshNow();
    ChartLegend* legend = dashboard.convergence()->legend();
    QCOMPARE(static_cast<int>(legend->entries().size()), 1 + kOverlays.size());
    for (int i = 0; i < kOverlays.size(); ++i)
      QCOMPARE(legend->entries()[static_cast<std::size_t>(i) + 1].label, kOverlays[i]);
    // As tall as its rows need at its width: every entry has room.
    QVERIFY(legend->height() >= legend->heightForWidth(legend->width()));
    QVERIFY(legend->heightForWidth(200) > legend->heightForWidth(2000));
    QVERIFY(!dashboard.convergence()->chart()->legend()->isVisible() ||
            dashboard.convergence()->chart()->legend()->opacity() == 0.0);
  }

  void reportCarriesEveryLegendEntryTablesAndComparison() {
    Dashboard dashboard;
    dashboard.resize(1024, 700);
    feed(dashboard);
    dashboard.setBaseline({QStringLiteral("sgd baseline run"), curve(4.0, true, false)});
    dashboard.refreshNow();
    ReportContent content;
    content.title = "figures";
    content.experiment = experiment();
    content.summary = {{"algorithm", "ringmaster"}, {"time_to_target", 12.5}};
    const QString dir = m_dir.filePath("report");
    QStringList written;
    QString why;
    QVERIFY2(exportReport(&dashboard, content, dir, &written, &why), qPrintable(why));
    for (const char* file : {"convergence.pdf", "convergence.svg", "convergence.png", "convergence.csv"})
      QVERIFY2(written.contains(file), file);
    const QString text = normalized(run("pdftotext", {dir + "/report.pdf", "-"}));
    for (const QString& label : kOverlays) QVERIFY2(text.contains(label), qPrintable(label));
    QVERIFY2(text.contains("time to target 12.5"), "the summary table");
    QVERIFY2(text.contains("algorithm.params.gamma 0.5"), "the experiment's parameters");
    QVERIFY2(text.contains("baseline sgd baseline run"), "the comparison");
    QVERIFY2(text.contains("overlaid run " + kOverlays[1]), "the overlaid runs in the comparison");
    // The per-chart PDF of the report is the same figure as an export's.
    const QString figure = normalized(run("pdftotext", {dir + "/convergence.pdf", "-"}));
    for (const QString& label : kOverlays) QVERIFY2(figure.contains(label), qPrintable(label));
  }

  // Overlaid runs keep their colours: cleared and overlaid again in another order, each run gets the
  // colour it had, and a new run one no shown run has.
  void overlaysKeepTheirColours() {
    Dashboard dashboard;
    feed(dashboard);
    const auto colours = [&dashboard] {
      std::map<QString, QColor> byName;
      for (int s = 1; s < dashboard.convergence()->seriesCount(); ++s) {
        const QXYSeries* series = dashboard.convergence()->series(s);
        byName[series->name()] = series->pen().color();
      }
      return byName;
    };
    const auto first = colours();
    QCOMPARE(first.size(), std::size_t(3));
    std::set<QRgb> distinct;
    for (const auto& [name, colour] : first) distinct.insert(colour.rgb());
    QCOMPARE(distinct.size(), std::size_t(3));
    dashboard.clearOverlays();
    dashboard.addOverlay(QStringLiteral("a new run"), curve(5.0, true, false), QStringLiteral("#9"));
    dashboard.addOverlay(kOverlays[2], curve(4.0, true, false), QStringLiteral("#2"));
    dashboard.addOverlay(kOverlays[0], curve(2.0, true, false), QStringLiteral("#0"));
    const auto again = colours();
    QCOMPARE(again.at(kOverlays[2]), first.at(kOverlays[2]));
    QCOMPARE(again.at(kOverlays[0]), first.at(kOverlays[0]));
    // Not the colour of a run shown, nor of the one remembered for #1 (which may come back).
    for (const auto& [name, colour] : first) QVERIFY(again.at(QStringLiteral("a new run")) != colour);
  }

  // The closed choice shows the quantity's short name (the long one was cut: "f(x) − f*: dis"), its list
  // and tooltip the long one; also when the program chose it (a new run).
  void quantityChoiceShowsShortNames() {
    ConvergenceChart chart;
    chart.addRunPoints(curve(1.0, true, true));
    auto* choice = chart.findChild<ShortTextComboBox*>(QStringLiteral("quantityChoice"));
    QVERIFY(choice);
    QCOMPARE(choice->shownText(), QStringLiteral("f(x) − f*"));
    QCOMPARE(choice->toolTip(), quantityName("gap"));
    QCOMPARE(choice->currentText(), QStringLiteral("f(x) − f*: distance to the optimum"));
    chart.setMetric("test_accuracy");
    QCOMPARE(choice->shownText(), QStringLiteral("test accuracy"));
    chart.setMetric("metric:consensus_error");
    QCOMPARE(choice->shownText(), QStringLiteral("Consensus error"));
    QVERIFY(choice->sizeHint().width() >= choice->fontMetrics().horizontalAdvance(choice->shownText()));
    chart.setMetric("loss");
    QCOMPARE(choice->shownText(), QStringLiteral("loss f(x)"));
    QCOMPARE(choice->toolTip(), quantityName("loss"));
  }

  void convergenceOffersWhatTheRunHas() {
    ConvergenceChart chart;
    chart.resize(800, 500);
    // A run without f*: no f − f*, the loss by default.
    chart.addRunPoints(curve(1.0, false, true));
    QCOMPARE(chart.metrics(),
             QStringList({"loss", "grad_norm_sq", "test_accuracy", "metric:consensus_error"}));
    QCOMPARE(chart.metric(), QStringLiteral("loss"));
    QCOMPARE(chart.yTitle(), QStringLiteral("loss f(x)"));
    chart.setMetric("test_accuracy");
    QCOMPARE(chart.yTitle(), QStringLiteral("test accuracy [fraction]"));
    QVERIFY(!chart.logY());
    QCOMPARE(chart.buffer(0).y().back(), 0.9);
    chart.setMetric("metric:consensus_error");
    QCOMPARE(chart.yTitle(), QStringLiteral("Consensus error [squared norm]"));
    QCOMPARE(chart.buffer(0).y().front(), 0.5);
    chart.setMetric("test_accuracy");
    // A new run of the same problem keeps the choice; one without accuracy falls back and takes it up
    // again when a run has it.
    chart.beginRun("next", Qt::blue);
    chart.addRunPoints(curve(1.0, true, true));
    QCOMPARE(chart.metric(), QStringLiteral("test_accuracy"));
    chart.beginRun("no accuracy", Qt::blue);
    chart.addRunPoints(curve(1.0, true, false));
    QCOMPARE(chart.metric(), QStringLiteral("gap"));
    QCOMPARE(chart.yTitle(), QStringLiteral("f(x) − f*"));
    chart.addOverlay("with accuracy", Qt::green, curve(1.0, true, true));
    QCOMPARE(chart.metric(), QStringLiteral("test_accuracy"));
    QCOMPARE(chart.buffer(0).size(), std::size_t{0});    // this run has no accuracy to draw
    QCOMPARE(chart.buffer(1).size(), std::size_t{201});  // once, not appended again on the switch
  }
};

QTEST_MAIN(TestFigureExport)
#include "test_figure_export.moc"
