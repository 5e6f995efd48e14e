#include "ui/export/report_export.hpp"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFont>
#include <QPainter>
#include <QPdfWriter>
#include <QTextStream>

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
      << " (PNG and SVG); all of it in report.pdf. The experiment is in experiment.json; the run's data, "
         "when "
         "stored, in data/.\n";
  return text;
}

// One A4 landscape page per chart after a title page with the summary table.
bool writePdf(const QString& path, const ReportContent& content, const std::vector<ReportPage>& charts,
              QString* why) {
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
  titleFont.setPointSizeF(20);
  titleFont.setBold(true);
  QFont bodyFont = painter.font();
  bodyFont.setPointSizeF(10);
  painter.setFont(titleFont);
  painter.drawText(QRect(0, 0, page.width(), 50), Qt::AlignLeft | Qt::AlignVCenter, content.title);
  painter.setFont(bodyFont);
  int y = 70;
  const int lineHeight = painter.fontMetrics().height() + 4;
  const auto rows = summaryRows(content.summary);
  if (rows.empty()) painter.drawText(0, y, QObject::tr("The run has not finished: no summary yet."));
  for (const auto& [name, value] : rows) {
    painter.drawText(QRect(0, y, 260, lineHeight), Qt::AlignLeft, name);
    painter.drawText(QRect(270, y, page.width() - 270, lineHeight), Qt::AlignLeft, value);
    y += lineHeight;
  }
  for (const ReportPage& chart : charts) {
    pdf.newPage();
    paintPicture(chart.picture, painter, QRectF(page));
  }
  if (!painter.end()) {
    if (why) *why = QStringLiteral("%1: cannot write the file").arg(path);
    return false;
  }
  return true;
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

std::vector<std::pair<QString, QString>> summaryRows(const nlohmann::json& s) {
  std::vector<std::pair<QString, QString>> rows;
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

ReportSnapshot snapshotReport(Dashboard* dashboard, ReportContent content) {
  ReportSnapshot snapshot;
  snapshot.content = std::move(content);
  auto chart = [&](const QString& file, const QString& title, ChartPanel* panel) {
    snapshot.charts.push_back({file, title, recordChart(panel)});
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
      snapshot.charts.push_back(
          {item.file, item.title,
           item.panel ? recordChart(item.panel) : recordWidget(item.widget, QSize(1000, 620))});
  snapshot.managerView = recordWidget(dashboard->managerView());
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
  for (const ReportPage& chart : snapshot.charts)
    for (const char* extension : {"png", "svg"}) {
      const QString name = chart.file + QLatin1Char('.') + QLatin1String(extension);
      if (!writePicture(chart.picture, dir.filePath(name), why)) return false;
      files << name;
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
  if (!writePdf(dir.filePath(QStringLiteral("report.pdf")), content, snapshot.charts, why)) return false;
  files << QStringLiteral("report.pdf");
  if (written) *written = files;
  return true;
}

bool exportReport(Dashboard* dashboard, const ReportContent& content, const QString& directory,
                  QStringList* written, QString* why) {
  return writeReport(snapshotReport(dashboard, content), directory, written, why);
}

}  // namespace distopt::ui
