#include "ui/dashboard/manager_view.hpp"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QFont>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QResizeEvent>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/telemetry/evaluation.hpp"
#include "ui/charts/axis_ticks.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/dashboard/big_number_label.hpp"
#include "ui/dashboard/workers_model.hpp"
#include "ui/dashboard/x_axis_choice.hpp"
#include "ui/session/shown_run.hpp"

namespace distopt::ui {
namespace {

constexpr double kCaptionScale = 1.4;
constexpr double kFigureScale = 3.2;
constexpr double kNameScale = 1.6;
// A column of figures at least this wide (normal type): two or three columns beside the form on a
// 1024-px screen, five on a wall screen.
constexpr int kFigureColumnWidth = 190;
constexpr int kMaxColumns = 5;

const QColor kThisRun(31, 119, 180);
const QColor kBaseline(127, 127, 127);

}  // namespace

QString readableNumber(double value) {
  if (!std::isfinite(value)) return QStringLiteral("–");
  if (value == 0.0) return QStringLiteral("0");
  const double magnitude = std::abs(value);
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  if (exponent >= -2 && exponent < 5) return QString::number(value, 'f', std::max(0, 2 - exponent));
  double mantissa = value / std::pow(10.0, exponent);
  int shown = exponent;
  if (std::abs(std::round(mantissa * 100.0) / 100.0) >= 10.0) {  // 9.996 rounds up to 10.0
    mantissa /= 10.0;
    ++shown;
  }
  return powerOfTenLabel(mantissa, shown, 2);
}

QString readableDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return QStringLiteral("–");
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (whole < 60) return QObject::tr("%1 s").arg(whole);
  if (whole < 3600) return QObject::tr("%1 min %2 s").arg(whole / 60).arg(whole % 60);
  if (whole < 86400) return QObject::tr("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60);
  return QObject::tr("%1 d %2 h").arg(whole / 86400).arg((whole % 86400) / 3600);
}

ManagerView::ManagerView(const WorkersModel& workers, QWidget* parent) : QWidget(parent), m_workers(workers) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_figure = new QWidget(this);
  m_figure->setObjectName(QStringLiteral("managerFigure"));
  layout->addWidget(m_figure, 1);
  auto* figureLayout = new QVBoxLayout(m_figure);

  // Which run, and how it stands, first: a manager glancing at a wall screen needs both.
  auto* header = new QHBoxLayout();
  m_name = new QLabel(m_figure);
  m_name->setObjectName(QStringLiteral("managerRunName"));
  m_name->setWordWrap(true);
  m_state = new QLabel(m_figure);
  m_state->setObjectName(QStringLiteral("managerRunState"));
  m_state->setWordWrap(true);
  m_state->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  header->addWidget(m_name, 3);
  header->addWidget(m_state, 2);
  figureLayout->addLayout(header);

  m_grid = new QGridLayout();
  m_grid->setHorizontalSpacing(18);
  figureLayout->addLayout(m_grid);
  m_quality = addFigure(tr("Distance to the best possible loss"), QString());
  m_accuracy = addFigure(tr("Test accuracy"),
                         tr("Share of the held-out test examples the current model classifies correctly"));
  m_left =
      addFigure(tr("Time left (estimate)"),
                tr("Wall-clock time until the run reaches its time or update limit, estimated from how far "
                   "it got so far: elapsed × (1 − progress) / progress. A run may end earlier (target "
                   "reached, stopped)."));
  m_elapsed = addFigure(tr("Elapsed (wall clock)"), tr("Real time since the run started"));
  m_target =
      addFigure(tr("Time to target (run time)"),
                tr("The run's time (time units; live runs: unit_ms each) at which it first reached the "
                   "target set in Experiment → Stop when (f − f* below, or ‖∇f‖² below)"));
  m_speedUpFigure = addFigure(
      tr("Speed-up vs baseline"),
      tr("How many times faster than the baseline run this run got as close to the best possible loss "
         "(f − f*) as both runs got: the baseline's run time to that f − f* divided by this run's. 2× means "
         "half the time."));
  m_saved = addFigure(tr("Bytes saved vs baseline"),
                      tr("Bytes the baseline run sent and received (up + down) to get as close to the best "
                         "possible loss (f − f*) as both runs got, minus the bytes this run needed for it. "
                         "Negative: this run needed more."));
  m_workersFigure = addFigure(tr("Workers alive"), tr("Workers working now, of the workers the run has"));
  m_updates = addFigure(tr("Model updates"), tr("Updates applied to the model so far"));
  m_perUpdate =
      addFigure(tr("Traffic per update"), tr("Bytes sent and received (up + down) per model update"));
  m_order = {&m_quality,       &m_accuracy, &m_left,          &m_elapsed, &m_target,
             &m_speedUpFigure, &m_saved,    &m_workersFigure, &m_updates, &m_perUpdate};

  m_progress = new LiveChart();
  m_progress->setTitle(tr("Progress"));
  m_progress->setLogY(true);
  m_progress->setControlsVisible(false);
  m_traffic = new LiveChart();
  m_traffic->setTitle(tr("Traffic"));
  m_traffic->setYTitle(tr("bytes (up + down)"));
  m_traffic->setControlsVisible(false);
  auto* charts = new QSplitter(Qt::Horizontal);
  charts->addWidget(m_progress);
  charts->addWidget(m_traffic);
  figureLayout->addWidget(charts, 1);

  // The charts' own control rows would show combo boxes in every export and on the wall screen: one
  // row for both, outside what is exported and presented.
  m_controls = new QWidget(this);
  auto* controls = new QHBoxLayout(m_controls);
  controls->setContentsMargins(6, 0, 6, 2);
  controls->addWidget(new QLabel(tr("Horizontal axis:"), m_controls));
  m_xChoice = makeXAxisChoice(m_controls, [this](XAxis axis) { setXAxis(axis); });
  controls->addWidget(m_xChoice);
  m_logToggle = new QCheckBox(tr("Progress on a log scale"), m_controls);
  m_logToggle->setChecked(true);
  connect(m_logToggle, &QCheckBox::toggled, this, [this](bool on) { setLogY(on); });
  controls->addWidget(m_logToggle);
  controls->addStretch(1);
  layout->addWidget(m_controls);

  m_tick = new QTimer(this);
  m_tick->setInterval(1000);
  connect(m_tick, &QTimer::timeout, this, &ManagerView::updateClock);
  applyFonts();
  relayoutFigures();
}

ManagerView::Figure ManagerView::addFigure(const QString& caption, const QString& tooltip) {
  Figure figure;
  figure.box = new QWidget(m_figure);
  auto* layout = new QVBoxLayout(figure.box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  figure.caption = new QLabel(caption, figure.box);
  figure.caption->setWordWrap(true);  // the manager view must not set the window's minimum width
  figure.caption->setStyleSheet(QStringLiteral("color: #555;"));
  // Shrinks to its column rather than widening the window (a 1024-px screen) or being cut.
  figure.value = new BigNumberLabel(kFigureScale, figure.box);
  figure.value->setText(QStringLiteral("–"));
  figure.hint = new QLabel(figure.box);
  figure.hint->setWordWrap(true);
  figure.hint->setStyleSheet(QStringLiteral("color: #666;"));
  figure.hint->hide();
  layout->addWidget(figure.caption);
  layout->addWidget(figure.value);
  layout->addWidget(figure.hint);
  layout->addStretch(1);
  figure.box->setToolTip(tooltip);
  return figure;
}

void ManagerView::showFigure(const Figure& figure, const QString& value, const QString& hint) {
  figure.value->setText(value);
  figure.value->setVisible(hint.isEmpty());
  figure.hint->setText(hint);
  figure.hint->setVisible(!hint.isEmpty());
}

void ManagerView::applyFonts() {
  QFont base = QApplication::font();
  base.setPointSizeF(base.pointSizeF() * m_scale);
  QFont caption = base;
  caption.setPointSizeF(base.pointSizeF() * kCaptionScale);
  QFont name = base;
  name.setPointSizeF(base.pointSizeF() * kNameScale);
  name.setBold(true);
  m_name->setFont(name);
  m_state->setFont(caption);
  for (Figure* figure : m_order) {
    figure->caption->setFont(caption);
    figure->value->setFont(base);  // BigNumberLabel draws kFigureScale times its font
    figure->hint->setFont(base);
  }
}

void ManagerView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  relayoutFigures();
}

void ManagerView::relayoutFigures() {
  const int columnWidth = static_cast<int>(kFigureColumnWidth * m_scale);
  const int columns = std::clamp(width() / std::max(1, columnWidth), 2, kMaxColumns);
  std::vector<Figure*> shown;
  for (Figure* figure : m_order)
    if (figure != &m_accuracy || m_lastAccuracy) shown.push_back(figure);
  // Laid out again only when the columns or the figures shown change (not on every resize).
  if (columns == m_columns && m_grid->count() == static_cast<int>(shown.size())) return;
  m_columns = columns;
  for (Figure* figure : m_order) {
    m_grid->removeWidget(figure->box);
    figure->box->hide();
  }
  for (int c = 0; c < kMaxColumns; ++c) m_grid->setColumnStretch(c, c < columns ? 1 : 0);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    m_grid->addWidget(shown[i]->box, static_cast<int>(i) / columns, static_cast<int>(i) % columns);
    shown[i]->box->show();
  }
}

void ManagerView::beginRun(const nlohmann::json& experiment) {
  m_progress->removeSeriesFrom(0);
  m_traffic->removeSeriesFrom(0);
  m_points.clear();
  m_speedUp.reset();
  m_bytesSaved.reset();
  m_last = EvaluationPoint{};
  m_haveGap = false;
  m_lastAccuracy.reset();
  m_timeToTarget.reset();
  m_progressSeries = m_progress->addSeries(tr("this run"), kThisRun);
  m_trafficSeries = m_traffic->addSeries(tr("this run"), kThisRun);
  if (m_baseline) setBaseline(*m_baseline);  // re-adds its series to the cleared charts
  const bool document = experiment.is_object();
  m_workerTotal = document && experiment.contains("workers") && experiment["workers"].is_object()
                      ? experiment["workers"].value("count", 0)
                      : 0;
  m_simulated = document && experiment.value("engine", std::string()) == "sim";
  const nlohmann::json stop = document && experiment.contains("stop") && experiment["stop"].is_object()
                                  ? experiment["stop"]
                                  : nlohmann::json::object();
  const auto number = [&stop](const char* key) -> std::optional<double> {
    if (stop.contains(key) && stop[key].is_number()) return stop[key].get<double>();
    return std::nullopt;
  };
  m_targetGap = number("target_gap");
  m_targetGradNormSq = number("target_grad_norm_sq");
  m_hasLimit = number("time").has_value() || number("updates").has_value();
  const std::string name = document ? experiment.value("name", std::string()) : std::string();
  m_name->setText(name.empty() ? tr("No run shown") : QString::fromStdString(name));
  m_live = false;
  m_ended = false;
  m_tick->stop();
  m_startedAt = QDateTime();
  m_startKnown = false;
  m_wallSeconds.reset();
  m_fraction.reset();
  m_firstProgress.reset();
  m_expectedEnd.reset();
  m_progress->setYTitle(QString());
  updateFigures();
  updateClock();
}

void ManagerView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  const bool hadAccuracy = m_lastAccuracy.has_value();
  for (const auto& p : points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    const double y = p.gap ? *p.gap : p.loss;
    m_haveGap = m_haveGap || p.gap.has_value();
    m_progress->append(m_progressSeries, p.time, static_cast<double>(p.updates), bytes, y);
    m_traffic->append(m_trafficSeries, p.time, static_cast<double>(p.updates), bytes, bytes);
    if (!m_timeToTarget && meetsTarget(p, m_targetGap, m_targetGradNormSq)) m_timeToTarget = p.time;
    if (p.testAccuracy) m_lastAccuracy = p.testAccuracy;
    m_points.push_back(p);
    m_last = p;
  }
  if (!points.empty()) {
    // Short: the chart is low beside the form on a small screen, and Qt cuts a long axis title.
    m_progress->setYTitle(m_haveGap ? tr("f − f* (distance to best)") : tr("training loss"));
    setLogY(m_logWanted);
  }
  if (hadAccuracy != m_lastAccuracy.has_value()) relayoutFigures();
  updateComparison();
  updateFigures();
}

void ManagerView::finishRun(const QJsonObject& summary) {
  if (summary.value("time_to_target").isDouble()) m_timeToTarget = summary.value("time_to_target").toDouble();
  const QJsonValue wall = summary.value("wall_seconds");
  if (wall.isDouble() && wall.toDouble() >= 0.0) m_wallSeconds = wall.toDouble();
  m_ended = true;
  m_live = false;
  m_tick->stop();
  updateFigures();
  updateClock();
}

void ManagerView::workersChanged() { updateFigures(); }

void ManagerView::setRunState(const QString& text, bool live) {
  m_state->setText(text);
  if (live && !m_ended) {
    if (!m_startedAt.isValid()) m_startedAt = QDateTime::currentDateTimeUtc();
    m_live = true;
    if (!m_tick->isActive()) m_tick->start();
  } else {
    m_live = false;
    m_tick->stop();
  }
  updateClock();
}

void ManagerView::setStartedAt(const QDateTime& started) {
  if (!started.isValid()) return;
  m_startedAt = started.toUTC();
  m_startKnown = true;
  updateClock();
}

void ManagerView::showStatus(const QJsonObject& status) {
  const auto fraction = progressFraction(status);
  if (!fraction) return;
  const QDateTime now = QDateTime::currentDateTimeUtc();
  m_fraction = *fraction;
  // From the start (progress 0) when it is known, else from the first status seen: the rate the run
  // has been making progress at, carried on to the end.
  std::optional<std::pair<QDateTime, double>> from;
  if (m_startKnown)
    from = std::make_pair(m_startedAt, 0.0);
  else if (!m_firstProgress)
    m_firstProgress = std::make_pair(now, *fraction);
  if (!from) from = m_firstProgress;
  const double seconds = static_cast<double>(from->first.msecsTo(now)) / 1000.0;
  const double done = *fraction - from->second;
  if (*fraction >= 1.0)
    m_expectedEnd = now;
  else if (done > 0.0 && seconds >= 1.0)
    m_expectedEnd = now.addMSecs(static_cast<qint64>(1000.0 * seconds * (1.0 - *fraction) / done));
  updateClock();
}

void ManagerView::updateClock() {
  const QDateTime now = QDateTime::currentDateTimeUtc();
  if (m_wallSeconds)
    showFigure(m_elapsed, readableDuration(*m_wallSeconds));
  else if (m_startedAt.isValid())
    showFigure(m_elapsed, readableDuration(static_cast<double>(m_startedAt.secsTo(now))));
  else
    showFigure(m_elapsed, QStringLiteral("–"));
  m_elapsed.caption->setText(m_startKnown || m_wallSeconds || !m_startedAt.isValid()
                                 ? tr("Elapsed (wall clock)")
                                 : tr("Elapsed since attached (wall clock)"));
  if (m_ended) {
    showFigure(m_left, QString(), tr("The run has ended."));
  } else if (!m_hasLimit && m_startedAt.isValid()) {
    showFigure(m_left, QString(),
               tr("No estimate: the run stops at no time or update limit (Experiment → Stop when)."));
  } else if (m_expectedEnd) {
    const qint64 left = now.secsTo(*m_expectedEnd);
    // Past the estimate while still running: the end is near, not "0 s" for ever.
    showFigure(m_left, left >= 1 ? readableDuration(static_cast<double>(left)) : tr("< 1 s"));
  } else {
    showFigure(m_left, QStringLiteral("–"), m_live ? tr("Estimating from the run's progress…") : QString());
  }
}

void ManagerView::setBaseline(Baseline baseline) {
  m_progress->removeSeriesFrom(1);
  m_traffic->removeSeriesFrom(1);
  const QString label = tr("baseline: %1").arg(baseline.label);
  const int progress = m_progress->addSeries(label, kBaseline);
  const int traffic = m_traffic->addSeries(label, kBaseline);
  for (const auto& p : baseline.points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    m_progress->append(progress, p.time, static_cast<double>(p.updates), bytes, p.gap ? *p.gap : p.loss);
    m_traffic->append(traffic, p.time, static_cast<double>(p.updates), bytes, bytes);
  }
  m_baseline = std::move(baseline);
  updateComparison();
  updateFigures();
}

void ManagerView::clearBaseline() {
  m_progress->removeSeriesFrom(1);
  m_traffic->removeSeriesFrom(1);
  m_baseline.reset();
  updateComparison();
  updateFigures();
}

void ManagerView::updateComparison() {
  m_speedUp.reset();
  m_bytesSaved.reset();
  if (!m_baseline) return;
  const auto ours = bestGap(m_points);
  const auto theirs = bestGap(m_baseline->points);
  if (!ours || !theirs) return;
  // Compare at the finer accuracy both runs have reached (the target once both reach it): time and
  // bytes each needed to get there.
  const double level = std::max(*ours, *theirs);
  const EvaluationPoint* a = firstPointAtGap(m_points, level);
  const EvaluationPoint* b = firstPointAtGap(m_baseline->points, level);
  if (!a || !b) return;
  if (a->time > 0.0) m_speedUp = b->time / a->time;
  m_bytesSaved =
      static_cast<double>(b->bytesUp + b->bytesDown) - static_cast<double>(a->bytesUp + a->bytesDown);
}

void ManagerView::updateFigures() {
  // Nothing measured yet is a dash, never a 0 that reads like a result.
  const bool measured = !m_points.empty();
  const QString none = QStringLiteral("–");
  // The distance to f* where the problem knows f*; otherwise the loss itself, named so.
  m_quality.caption->setText(measured && !m_haveGap ? tr("Training loss")
                                                    : tr("Distance to the best possible loss"));
  m_quality.box->setToolTip(
      measured && !m_haveGap
          ? tr("f(x): the loss of the current model on the training data. Lower is better. This problem does "
               "not know its best possible loss f*, so the distance to it cannot be shown.")
          : tr("f − f*: the loss of the current model on the training data (f) minus the best loss this "
               "problem can reach (f*). 0 means the best possible model; lower is better."));
  showFigure(m_quality, !measured    ? none
                        : m_last.gap ? readableNumber(*m_last.gap)
                                     : readableNumber(m_last.loss));
  showFigure(m_accuracy,
             m_lastAccuracy ? QStringLiteral("%1 %").arg(*m_lastAccuracy * 100.0, 0, 'f', 1) : none);
  showFigure(m_updates, measured ? QString::number(m_last.updates) : none);

  if (m_timeToTarget)
    showFigure(m_target, readableNumber(*m_timeToTarget));
  else if (m_targetGap || m_targetGradNormSq)
    showFigure(m_target, tr("not yet"));
  else
    showFigure(m_target, QString(),
               tr("No target set. Set one in Experiment → Stop when (f − f* below, or ‖∇f‖² below)."));

  const int known = static_cast<int>(m_workers.workers().size());
  const int alive = m_workers.countInState(QStringLiteral("alive")) +
                    m_workers.countInState(QStringLiteral("slow")) +
                    m_workers.countInState(QStringLiteral("suspect"));
  // A simulated run's workers are modelled in virtual time: no process to be alive or lost, nothing
  // reported. Live: alive as the workers report it; before any report the count is unknown, not zero.
  m_workersFigure.caption->setText(m_simulated ? tr("Workers (simulated)") : tr("Workers alive"));
  m_workersFigure.box->setToolTip(m_simulated
                                      ? tr("A simulated run: its workers are modelled in virtual time, "
                                           "not processes, so none can be alive, slow or lost")
                                      : tr("Workers working now, of the workers the run has"));
  if (m_simulated)
    showFigure(m_workersFigure, m_workerTotal > 0 ? QString::number(m_workerTotal) : none);
  else
    showFigure(m_workersFigure, known
                                    ? QStringLiteral("%1 / %2").arg(alive).arg(std::max(m_workerTotal, known))
                                : m_workerTotal > 0 ? QStringLiteral("– / %1").arg(m_workerTotal)
                                                    : none);
  const double bytes = static_cast<double>(m_last.bytesUp + m_last.bytesDown);
  showFigure(m_perUpdate, m_last.updates ? formatBytes(bytes / static_cast<double>(m_last.updates)) : none);
  if (!m_baseline) {
    const QString hint = tr("No baseline. Choose one in Run history → Set baseline.");
    showFigure(m_speedUpFigure, QString(), hint);
    showFigure(m_saved, QString(), hint);
  } else {
    const QString notYet = tr("Not yet: the two runs have no f − f* in common so far.");
    if (m_speedUp)
      showFigure(m_speedUpFigure, QStringLiteral("%1×").arg(*m_speedUp, 0, 'f', 2));
    else
      showFigure(m_speedUpFigure, QString(), notYet);
    if (m_bytesSaved)
      showFigure(m_saved, *m_bytesSaved < 0 ? QStringLiteral("−") + formatBytes(-*m_bytesSaved)
                                            : formatBytes(*m_bytesSaved));
    else
      showFigure(m_saved, QString(), notYet);
  }
}

void ManagerView::setPresentation(bool on, double scale) {
  m_presentation = on;
  m_scale = on ? std::max(1.0, scale) : 1.0;
  m_controls->setVisible(!on);
  m_columns = 0;  // lay the figures out again for the new type size
  applyFonts();
  applyChartFonts();
  relayoutFigures();
}

void ManagerView::applyChartFonts() {
  if (m_chartFonts.empty())
    for (LiveChart* panel : {m_progress, m_traffic}) {
      QChart* chart = panel->chart();
      const auto axes = chart->axes();
      ChartFonts own{chart->titleFont(), chart->legend()->font(),
                     axes.isEmpty() ? chart->titleFont() : axes.first()->labelsFont(),
                     axes.isEmpty() ? chart->titleFont() : axes.first()->titleFont()};
      m_chartFonts.emplace_back(panel, own);
    }
  const auto scaled = [this](QFont font) {
    font.setPointSizeF(font.pointSizeF() * m_scale);
    return font;
  };
  for (const auto& [panel, own] : m_chartFonts) {
    QChart* chart = panel->chart();
    chart->setTitleFont(scaled(own.title));
    chart->legend()->setFont(scaled(own.legend));
    for (QAbstractAxis* axis : chart->axes()) {
      axis->setLabelsFont(scaled(own.labels));
      axis->setTitleFont(scaled(own.axisTitle));
    }
  }
}

QString ManagerView::runName() const { return m_name->text(); }
QString ManagerView::runState() const { return m_state->text(); }

void ManagerView::setXAxis(XAxis axis) {
  m_progress->setXAxis(axis);
  m_traffic->setXAxis(axis);
  showXAxis(m_xChoice, axis);
}

XAxis ManagerView::xAxis() const { return m_progress->xAxis(); }

void ManagerView::setLogY(bool on) {
  m_logWanted = on;
  m_progress->setLogY(on && (m_haveGap || m_points.empty()));
  if (m_logToggle->isChecked() != on) m_logToggle->setChecked(on);
}

void ManagerView::refreshNow() {
  m_progress->refreshNow();
  m_traffic->refreshNow();
}

}  // namespace distopt::ui
