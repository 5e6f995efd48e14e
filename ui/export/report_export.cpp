#include "ui/export/report_export.hpp"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPdfWriter>
#include <QTextStream>
#include <QXYSeries>

#include "core/store/run_export.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/export/chart_export.hpp"
#include "ui/family/family_view.hpp"

namespace distopt::ui {
namespace {

QString number(const nlohmann::json& value, char format = 'g', int precision = 6) {
  if (value.is_number_integer()) return QString::number(value.get<long long>());
  if (value.is_number()) return QString::number(value.get<double>(), format, precision);
  if (value.is_string()) return QString::fromStdString(value.get<std::string>());
  return {};
}

bool writeText(const QString& path, const QString& text, QString* why) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (why) *why = QStringLiteral("%1: cannot write the file").arg(path);
    return false;
  }
  QTextStream(&file) << text;
  return true;
}

QString markdownSummary(const ReportContent& content, const std::vector<ReportPage>& charts) {
  QString text;
  QTextStream out(&text);
  out << "# " << content.title << "\n\n";
  out << "Exported " << QDateTime::currentDateTime().toString(Qt::ISODate) << " by DistOpt Workbench.\n\n";
  const auto rows = summaryRows(content.summary);
  if (rows.empty()) {
    out << "The run has not finished: no summary yet.\n";
  } else {
    out << "| quantity | value |\n|---|---|\n";
    for (const auto& [name, value] : rows) out << "| " << name << " | " << value << " |\n";
  }
  QStringList names;
  for (const ReportPage& chart : charts) names << chart.file;
  out << "\nCharts: " << names.join(QStringLiteral(", "))
      << " (PNG, SVG and PDF, with the drawn data as CSV); all of it in report.pdf. The experiment is in "
         "experiment.json; the run's data, "
         "when "
         "stored, in data/.\n";
  return text;
}

// The first pages' text: tables flow down the left column, then the right one, then onto a new page.
struct TextFlow {
  QPdfWriter& pdf;
  QPainter& painter;
  QRectF area;       ///< the page's text area
  double top = 0.0;  ///< where the columns start on the first page (under the title)
  int column = 0;
  double y = 0.0;

  static constexpr double kGap = 24.0;
  double columnWidth() const { return (area.width() - kGap) / 2.0; }
  double left() const { return area.left() + column * (columnWidth() + kGap); }
  /// Room for `height` more, moving on to the next column or page when there is none.
  void need(double height) {
    if (y + height <= area.bottom()) return;
    if (column == 0) {
      column = 1;
    } else {
      pdf.newPage();
      column = 0;
      top = area.top();
    }
    y = top;
  }
};

// A two-column table (name, value) with a heading; rows wrap, never cut.
void drawTable(TextFlow& flow, const QString& heading, const ReportRows& rows) {
  QPainter& painter = flow.painter;
  const QFont body = painter.font();
  QFont bold = body;
  bold.setBold(true);
  const QFontMetricsF metrics(body);
  const double headingHeight = QFontMetricsF(bold).height() + 8.0;
  const double pad = 3.0;
  const double width = flow.columnWidth();
  const double nameWidth = width * 0.42;
  const int wrap = Qt::TextWordWrap | Qt::TextWrapAnywhere;
  if (flow.y > flow.top) flow.y += 14.0;
  flow.need(headingHeight + metrics.height() + 2 * pad);
  painter.setFont(bold);
  painter.drawText(QRectF(flow.left(), flow.y, width, headingHeight), Qt::AlignLeft | Qt::AlignVCenter,
                   heading);
  painter.setFont(body);
  flow.y += headingHeight;
  for (const auto& [name, value] : rows) {
    const double height =
        std::max(metrics.boundingRect(QRectF(0, 0, nameWidth - 2 * pad, 1e6), wrap, name).height(),
                 metrics.boundingRect(QRectF(0, 0, width - nameWidth - 2 * pad, 1e6), wrap, value).height()) +
        2 * pad;
    flow.need(height);
    const double left = flow.left();
    painter.setPen(QPen(QColor(190, 190, 190), 0.75));
    painter.drawLine(QPointF(left, flow.y + height), QPointF(left + width, flow.y + height));
    painter.setPen(Qt::black);
    painter.drawText(QRectF(left + pad, flow.y + pad, nameWidth - 2 * pad, height), wrap, name);
    painter.drawText(QRectF(left + nameWidth + pad, flow.y + pad, width - nameWidth - 2 * pad, height), wrap,
                     value);
    flow.y += height;
  }
}

// The summary, the comparison and the parameters as tables, then one figure a page: the same recordings
// the PNG, SVG and PDF files are written from.
bool writePdf(const QString& path, const ReportSnapshot& snapshot, QString* why) {
  const ReportContent& content = snapshot.content;
  QPdfWriter pdf(path);
  pdf.setTitle(content.title);
  pdf.setCreator(QStringLiteral("DistOpt Workbench"));
  pdf.setPageSize(QPageSize(QPageSize::A4));
  pdf.setPageOrientation(QPageLayout::Landscape);
  pdf.setResolution(96);
  QPainter painter;
  if (!painter.begin(&pdf)) {
    if (why) *why = QStringLiteral("%1: cannot write the file").arg(path);
    return false;
  }
  const QRect page(QPoint(0, 0), pdf.pageLayout().paintRectPixels(pdf.resolution()).size());
  QFont titleFont = painter.font();
  titleFont.setPointSizeF(18);
  titleFont.setBold(true);
  QFont bodyFont = painter.font();
  bodyFont.setPointSizeF(9);
  painter.setFont(titleFont);
  painter.drawText(QRect(0, 0, page.width(), 44), Qt::AlignLeft | Qt::AlignVCenter, content.title);
  painter.setFont(bodyFont);
  TextFlow flow{pdf, painter, QRectF(page), 56.0, 0, 56.0};
  ReportRows summary = summaryRows(content.summary);
  if (summary.empty())
    summary.emplace_back(QObject::tr("status"), QObject::tr("the run has not finished: no summary yet"));
  drawTable(flow, QObject::tr("Summary"), summary);
  if (!snapshot.comparison.empty()) drawTable(flow, QObject::tr("Comparison"), snapshot.comparison);
  const ReportRows parameters = parameterRows(content.experiment);
  if (!parameters.empty()) drawTable(flow, QObject::tr("Experiment"), parameters);
  for (const ReportPage& chart : snapshot.charts) {
    pdf.newPage();
    paintPicture(chart.figure.picture, painter, QRectF(page));
  }
  if (!painter.end()) {
    if (why) *why = QStringLiteral("%1: cannot write the file").arg(path);
    return false;
  }
  return true;
}

// Leaf fields of a JSON document as (path, value) rows.
void flattenRows(const nlohmann::json& value, const QString& path, ReportRows& rows) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) {
      const QString name = QString::fromStdString(key);
      flattenRows(child, path.isEmpty() ? name : path + QLatin1Char('.') + name, rows);
    }
    return;
  }
  rows.emplace_back(path, value.is_string() ? QString::fromStdString(value.get<std::string>())
                                            : QString::fromStdString(value.dump()));
}

}  // namespace

bool exportRunData(const StoredRun& run, const QString& directory, QString* why) {
  try {
    exportRunCsv(run, directory.toStdString());
    exportRunJson(run, QDir(directory).filePath(QStringLiteral("run.json")).toStdString());
    return true;
  } catch (const std::exception& e) {  // InputError naming the file, or text that is not UTF-8
    if (why) *why = QString::fromUtf8(e.what());
    return false;
  }
}

ReportRows parameterRows(const nlohmann::json& experiment) {
  ReportRows rows;
  if (!experiment.is_object()) return rows;
  for (const auto& [key, value] : experiment.items())
    if (key != "description") flattenRows(value, QString::fromStdString(key), rows);
  return rows;
}

ReportRows summaryRows(const nlohmann::json& s) {
  ReportRows rows;
  if (!s.is_object()) return rows;
  auto add = [&](const QString& name, const QString& value) {
    if (!value.isEmpty()) rows.emplace_back(name, value);
  };
  auto field = [&](const char* key) { return s.contains(key) ? s[key] : nlohmann::json(); };
  add(QObject::tr("algorithm"), number(field("algorithm")));
  add(QObject::tr("engine"), number(field("engine")));
  add(QObject::tr("workers"), number(field("workers")));
  QString termination = number(field("termination"));
  if (!number(field("termination_detail")).isEmpty())
    termination += QStringLiteral(": ") + number(field("termination_detail"));
  add(QObject::tr("termination"), termination);
  add(QObject::tr("time (time units)"), number(field("time")));
  add(QObject::tr("updates applied"), number(field("updates_applied")));
  add(QObject::tr("gradients accepted / discarded"),
      field("gradients_accepted").is_number()
          ? number(field("gradients_accepted")) + QStringLiteral(" / ") + number(field("gradients_discarded"))
          : QString());
  add(QObject::tr("jobs cancelled"), number(field("jobs_cancelled")));
  add(QObject::tr("final loss"), number(field("final_loss")));
  add(QObject::tr("final f − f*"), number(field("final_gap"), 'e', 4));
  add(QObject::tr("final ‖∇f‖²"), number(field("final_grad_norm_sq"), 'e', 4));
  add(QObject::tr("test accuracy"), number(field("final_test_accuracy"), 'f', 4));
  add(QObject::tr("time to target"), number(field("time_to_target")));
  add(QObject::tr("accepted delay mean / max"),
      field("delay_mean").is_number()
          ? number(field("delay_mean"), 'f', 3) + QStringLiteral(" / ") + number(field("delay_max"))
          : QString());
  if (field("bytes_uplink").is_number())
    add(QObject::tr("bytes up / down"), formatBytes(field("bytes_uplink").get<double>()) +
                                            QStringLiteral(" / ") +
                                            formatBytes(field("bytes_downlink").get<double>()));
  add(QObject::tr("wall time (s)"), number(field("wall_seconds"), 'f', 3));
  return rows;
}

namespace {

// What the dashboard compares the run with: the baseline with speed-up and bytes saved, and the runs
// overlaid on the convergence chart by their legend names.
ReportRows comparisonRows(const Dashboard& dashboard) {
  ReportRows rows;
  if (const auto& baseline = dashboard.baseline()) {
    rows.emplace_back(QObject::tr("baseline"), baseline->label);
    rows.emplace_back(QObject::tr("speed-up (baseline's time / this run's, to the same f − f*)"),
                      dashboard.speedUp() ? QStringLiteral("%1×").arg(*dashboard.speedUp(), 0, 'f', 2)
                                          : QObject::tr("no common f − f* reached yet"));
    if (dashboard.bytesSaved())
      rows.emplace_back(QObject::tr("bytes saved (to the same f − f*)"),
                        *dashboard.bytesSaved() < 0
                            ? QStringLiteral("−") + formatBytes(-*dashboard.bytesSaved())
                            : formatBytes(*dashboard.bytesSaved()));
  }
  const ConvergenceChart* convergence = dashboard.convergenceChart();
  const int overlays = dashboard.overlayCount();
  for (int i = convergence->seriesCount() - overlays; i < convergence->seriesCount(); ++i)
    rows.emplace_back(QObject::tr("overlaid run"), convergence->series(i)->name());
  return rows;
}

}  // namespace

ReportSnapshot snapshotReport(Dashboard* dashboard, ReportContent content) {
  ReportSnapshot snapshot;
  snapshot.content = std::move(content);
  // Every figure of a report at one size, whatever each chart had on screen (a headless export found the
  // convergence chart 400 px wide and the histogram 1000).
  FigureOptions size;
  size.width = 1000;
  size.height = 620;
  auto chart = [&](const QString& file, const QString& title, ChartPanel* panel) {
    snapshot.charts.push_back({file, title, recordFigure(panel, size)});
  };
  chart(QStringLiteral("convergence"), QObject::tr("Convergence"), dashboard->convergence());
  chart(QStringLiteral("delays"), QObject::tr("Delay histogram"), dashboard->delays());
  chart(QStringLiteral("bandwidth"), QObject::tr("Bandwidth"), dashboard->bandwidth());
  chart(QStringLiteral("manager-progress"), QObject::tr("Progress against the baseline"),
        dashboard->managerProgress());
  chart(QStringLiteral("manager-traffic"), QObject::tr("Traffic against the baseline"),
        dashboard->managerTraffic());
  // Only families that report their own measurements get metrics pages: one per unit, as on the tab.
  for (const auto& item : dashboard->metrics()->exportItems()) chart(item.file, item.title, item.panel);
  if (const FamilyView* family = dashboard->familyView())
    for (const auto& item : family->exportItems())
      snapshot.charts.push_back({item.file, item.title,
                                 item.panel
                                     ? recordFigure(item.panel, size)
                                     : RecordedFigure{recordWidget(item.widget, QSize(1000, 620)), {}}});
  snapshot.managerView = recordWidget(dashboard->managerView());
  snapshot.comparison = comparisonRows(*dashboard);
  return snapshot;
}

bool writeReport(const ReportSnapshot& snapshot, const QString& directory, QStringList* written,
                 QString* why) {
  QDir dir(directory);
  if (!dir.mkpath(QStringLiteral("."))) {
    if (why) *why = QStringLiteral("%1: cannot create the folder").arg(directory);
    return false;
  }
  const ReportContent& content = snapshot.content;
  QStringList files;
  for (const ReportPage& chart : snapshot.charts) {
    for (const char* extension : {"png", "svg", "pdf"}) {
      const QString name = chart.file + QLatin1Char('.') + QLatin1String(extension);
      // The data once, beside the PNG: the three files draw the same points.
      RecordedFigure figure = chart.figure;
      if (QLatin1String(extension) != QLatin1String("png")) figure.csv.clear();
      if (!writeFigure(figure, dir.filePath(name), why)) return false;
      files << name;
    }
    if (!chart.figure.csv.isEmpty()) files << chart.file + QStringLiteral(".csv");
  }
  if (!writePicture(snapshot.managerView, dir.filePath(QStringLiteral("manager-view.png")), why))
    return false;
  files << QStringLiteral("manager-view.png");

  if (!writeText(dir.filePath(QStringLiteral("summary.md")), markdownSummary(content, snapshot.charts), why))
    return false;
  files << QStringLiteral("summary.md");
  try {
    writeJsonFile(dir.filePath(QStringLiteral("experiment.json")).toStdString(), content.experiment);
    files << QStringLiteral("experiment.json");
    if (!content.summary.is_null()) {
      writeJsonFile(dir.filePath(QStringLiteral("summary.json")).toStdString(), content.summary);
      files << QStringLiteral("summary.json");
    }
    // The stored run is loaded here, not by the caller: a run with a full event log is millions of rows.
    std::optional<StoredRun> loaded;
    const StoredRun* run = content.storedRun ? &*content.storedRun : nullptr;
    if (!run && content.loadRun && (loaded = content.loadRun())) run = &*loaded;
    if (run) {
      if (!exportRunData(*run, dir.filePath(QStringLiteral("data")), why)) return false;
      files << QStringLiteral("data/");
    }
  } catch (const std::exception& e) {  // InputError naming the file, or text that is not UTF-8
    if (why) *why = QString::fromUtf8(e.what());
    return false;
  }
  if (!writePdf(dir.filePath(QStringLiteral("report.pdf")), snapshot, why)) return false;
  files << QStringLiteral("report.pdf");
  if (written) *written = files;
  return true;
}

bool exportReport(Dashboard* dashboard, const ReportContent& content, const QString& directory,
                  QStringList* written, QString* why) {
  return writeReport(snapshotReport(dashboard, content), directory, written, why);
}

}  // namespace distopt::ui
