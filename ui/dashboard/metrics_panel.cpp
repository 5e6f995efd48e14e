#include "ui/dashboard/metrics_panel.hpp"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QXYSeries>
#include <algorithm>

#include "ui/charts/live_chart.hpp"
#include "ui/dashboard/x_axis_choice.hpp"

namespace distopt::ui {
namespace {

// Two charts side by side only where each still gets a readable width (not beside the form on a
// 1024-px screen).
constexpr int kTwoColumnsFrom = 900;
// Room for a title, a few ticks and a legend of two or three lines.
constexpr int kChartMinimumHeight = 270;

// Errors and norms span decades; shares, counts, eigenvalues and volumes read better on a linear axis.
bool logAxisFor(MetricUnit unit) { return unit == MetricUnit::SquaredNorm || unit == MetricUnit::Loss; }

QString unitFileName(MetricUnit unit) {
  QString name = metricUnitTitle(unit);
  name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  while (name.endsWith(QLatin1Char('-'))) name.chop(1);
  return QStringLiteral("metrics-") + name;
}

}  // namespace

MetricsPanel::MetricsPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_controls = new QWidget(this);
  auto* controls = new QHBoxLayout(m_controls);
  controls->setContentsMargins(4, 2, 4, 0);
  controls->addWidget(new QLabel(tr("Horizontal axis:"), m_controls));
  m_xChoice = makeXAxisChoice(m_controls, [this](XAxis axis) { setXAxis(axis); });
  m_xChoice->setToolTip(tr("What every metric chart below measures along its horizontal axis"));
  controls->addWidget(m_xChoice);
  controls->addStretch(1);
  layout->addWidget(m_controls);

  m_note = new QLabel(this);
  m_note->setObjectName(QStringLiteral("metricsNote"));
  m_note->setWordWrap(true);
  m_note->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_note->setMargin(12);
  layout->addWidget(m_note);

  m_figure = new QWidget();
  m_grid = new QGridLayout(m_figure);
  m_grid->setContentsMargins(0, 0, 0, 0);
  m_scroll = new QScrollArea(this);
  m_scroll->setWidgetResizable(true);
  m_scroll->setFrameShape(QFrame::NoFrame);
  m_scroll->setWidget(m_figure);
  layout->addWidget(m_scroll, 1);
  beginRun(nlohmann::json::object());
}

MetricsPanel::UnitChart& MetricsPanel::unitChart(MetricUnit unit) {
  auto found = m_charts.find(unit);
  if (found != m_charts.end()) return found->second;
  auto* chart = new LiveChart(m_figure);
  chart->setTitle(metricUnitCaption(unit));
  chart->setYTitle(metricUnitTitle(unit));
  chart->setLogY(logAxisFor(unit));
  chart->setXAxis(m_xAxis);
  if (!m_timeTitle.isEmpty()) chart->setTimeTitle(m_timeTitle);
  // The one x choice above serves every chart; each chart's own row would repeat it per unit.
  chart->setControlsVisible(false);
  chart->setMinimumHeight(kChartMinimumHeight);
  chart->hide();
  return m_charts.emplace(unit, UnitChart{chart, {}}).first->second;
}

void MetricsPanel::setTimeTitle(const QString& title) {
  m_timeTitle = title;
  for (auto& [unit, entry] : m_charts) entry.chart->setTimeTitle(title);
}

void MetricsPanel::beginRun(const nlohmann::json& experiment) {
  for (auto& [unit, entry] : m_charts) {
    entry.chart->removeSeriesFrom(0);
    entry.series.clear();
  }
  m_colours = 0;
  relayout();
  const std::optional<FamilyId> family = familyOf(experiment);
  if (family == FamilyId::Async || (!family && experiment.contains("algorithm")))
    showNote(
        tr("This tab shows the measurements a method family adds of its own: consensus error and gossip "
           "for decentralized methods, bits sent for compressed ones, curvature for hybrid-order ones, "
           "fired neurons for Kronecker ones, each named in words, one chart per unit.\n\n"
           "Parameter-server methods (this run's family) report none: their loss, f − f* and ‖∇f‖² are "
           "on the Dashboard tab's convergence chart, their staleness in the delay histogram, and their "
           "traffic in the bandwidth chart."));
  else
    showNote(tr("No family metrics yet: they appear here, one chart per unit, as the run reports them."));
}

void MetricsPanel::addEvaluations(const std::vector<EvaluationPoint>& points) {
  bool added = false;
  for (const auto& p : points)
    for (const auto& [key, value] : p.metrics) {
      // Per node or per worker: dozens of series that would drown the rest; the family view shows them.
      if (isIndexedMetric(key)) continue;
      const MetricName name = metricName(key);
      UnitChart& entry = unitChart(name.unit);
      auto series = entry.series.find(key);
      if (series == entry.series.end()) {
        series =
            entry.series.emplace(key, entry.chart->addSeries(name.words, familyColor(m_colours++))).first;
        added = true;
      }
      entry.chart->append(series->second, p.time, static_cast<double>(p.updates),
                          static_cast<double>(p.bytesUp + p.bytesDown), value);
    }
  if (added) relayout();
}

void MetricsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  if (columns() != m_columns) relayout();
}

int MetricsPanel::columns() const { return width() >= kTwoColumnsFrom ? 2 : 1; }

void MetricsPanel::relayout() {
  const std::vector<LiveChart*> shown = charts();
  m_columns = columns();
  for (auto& [unit, entry] : m_charts) {
    m_grid->removeWidget(entry.chart);
    entry.chart->hide();
  }
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const int row = static_cast<int>(i) / m_columns;
    const int column = static_cast<int>(i) % m_columns;
    // A last chart alone on its row takes the whole row.
    const bool alone = i + 1 == shown.size() && column == 0;
    m_grid->addWidget(shown[i], row, column, 1, alone ? m_columns : 1);
    shown[i]->show();
  }
  if (!shown.empty()) showNote(QString());
}

void MetricsPanel::showNote(const QString& text) {
  m_note->setText(text);
  m_note->setVisible(!text.isEmpty());
  // A note stands alone: no x choice and no empty chart area while there is nothing to draw.
  m_controls->setVisible(text.isEmpty());
  m_scroll->setVisible(text.isEmpty());
}

std::vector<LiveChart*> MetricsPanel::charts() const {
  std::vector<LiveChart*> shown;
  for (MetricUnit unit : metricUnitOrder())
    if (const auto found = m_charts.find(unit); found != m_charts.end() && !found->second.series.empty())
      shown.push_back(found->second.chart);
  return shown;
}

LiveChart* MetricsPanel::chart(MetricUnit unit) const {
  const auto found = m_charts.find(unit);
  return found != m_charts.end() && !found->second.series.empty() ? found->second.chart : nullptr;
}

int MetricsPanel::seriesCount() const {
  int count = 0;
  for (const LiveChart* chart : charts()) count += chart->seriesCount();
  return count;
}

QStringList MetricsPanel::seriesNames() const {
  QStringList names;
  for (const LiveChart* chart : charts())
    for (int s = 0; s < chart->seriesCount(); ++s) names << chart->series(s)->name();
  return names;
}

QString MetricsPanel::note() const { return m_note->isHidden() ? QString() : m_note->text(); }

std::vector<FamilyView::ExportItem> MetricsPanel::exportItems() const {
  std::vector<FamilyView::ExportItem> items;
  for (MetricUnit unit : metricUnitOrder())
    if (LiveChart* shown = chart(unit))
      items.push_back(
          {unitFileName(unit), tr("Family metrics: %1").arg(metricUnitCaption(unit)), shown, nullptr});
  return items;
}

void MetricsPanel::setXAxis(XAxis axis) {
  m_xAxis = axis;
  for (auto& [unit, entry] : m_charts) entry.chart->setXAxis(axis);
  showXAxis(m_xChoice, axis);
}

void MetricsPanel::refreshNow() {
  for (auto& [unit, entry] : m_charts) entry.chart->refreshNow();
}

}  // namespace distopt::ui
