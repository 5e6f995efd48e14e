#include "ui/family/compressed_view.hpp"

#include <QCheckBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <cmath>

#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/charts/tick_label_axis.hpp"

namespace distopt::ui {
namespace {

// The loss-bits chart's x: the table's words for the uplink count (the sum has none of its own).
QString bitsTitle(bool withDownlink) {
  return withDownlink ? QObject::tr("Uplink + downlink bits so far") : metricName("cumulative_bits_up").words;
}

}  // namespace

CompressedView::CompressedView(QWidget* parent)
    : FamilyView(parent),
      m_lossBits(new LiveChart()),
      m_bitsPerIteration(new LiveChart()),
      m_votes(new LiveChart()),
      m_bitsLines(m_bitsPerIteration,
                  {{"bits_up_per_iteration", familyColor(0)}, {"bits_down_per_iteration", familyColor(1)}}),
      m_voteLines(m_votes, {{"vote_agreement", familyColor(2)},
                            {"vote_margin", familyColor(4)},
                            {"vote_coverage", familyColor(9)}}) {
  m_lossBits->setTitle(tr("Loss against communicated bits"));
  m_lossBits->setLogY(true);
  m_lossBits->setYTitle(tr("f − f* (or loss)"));
  // Bits span orders of magnitude between methods (32-bit SGD vs 1-bit signs): x is log10 of the count,
  // labelled as the counts it stands for ("10⁷", "4 × 10⁷").
  m_lossBits->fixXAxis(XAxis::Bytes, bitsTitle(false));
  m_lossBits->xLabels()->setLog10Values(true);
  m_downToggle = new QCheckBox(tr("+ downlink bits"), m_lossBits);
  m_downToggle->setToolTip(tr("Count the server's broadcast bits as well as the workers' uplink bits"));
  connect(m_downToggle, &QCheckBox::toggled, this, &CompressedView::setIncludeDownlink);
  m_lossBits->addControl(m_downToggle);

  m_bitsPerIteration->setTitle(tr("Bits per iteration"));
  m_bitsPerIteration->setYTitle(m_bitsLines.axisTitle());
  m_bitsPerIteration->setXAxis(XAxis::Updates);
  m_votes->setTitle(tr("Majority vote"));
  m_votes->setYTitle(m_voteLines.axisTitle());
  m_votes->setXAxis(XAxis::Updates);
  m_votes->hide();

  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(m_bitsPerIteration);
  bottom->addWidget(m_votes);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(m_lossBits);
  split->addWidget(bottom);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  beginRun(nlohmann::json::object());
}

CompressedView::~CompressedView() = default;

void CompressedView::beginRun(const nlohmann::json& experiment) {
  m_curves.clear();
  const std::string algorithm = algorithmOf(experiment);
  m_curves.push_back(
      {algorithm.empty() ? tr("this run") : QString::fromStdString(algorithm) + tr(" (this run)"), {}});
  m_bitsLines.clear();
  m_voteLines.clear();
  m_haveVotes = false;
  m_votes->hide();
  rebuildLossBits();
}

void CompressedView::appendLossBits(int series, const EvaluationPoint& p) {
  double bits = p.metrics.at("cumulative_bits_up");
  if (m_includeDown) {
    const auto down = p.metrics.find("cumulative_bits_down");
    if (down != p.metrics.end()) bits += down->second;
  }
  // log10(0) is -inf: the first evaluation (nothing sent yet) has no place on a log axis.
  if (!(bits > 0.0)) return;
  m_lossBits->append(series, p.time, static_cast<double>(p.updates), std::log10(bits),
                     p.gap ? *p.gap : p.loss);
}

void CompressedView::rebuildLossBits() {
  m_lossBits->removeSeriesFrom(0);
  for (std::size_t i = 0; i < m_curves.size(); ++i) {
    const int series = m_lossBits->addSeries(m_curves[i].label, familyColor(i == 0 ? 0 : i + 1));
    for (const auto& p : m_curves[i].points) appendLossBits(series, p);
  }
  m_lossBits->setXTitle(bitsTitle(m_includeDown));
  m_lossBits->resetZoom();
}

void CompressedView::setIncludeDownlink(bool on) {
  {
    const QSignalBlocker block(m_downToggle);
    m_downToggle->setChecked(on);
  }
  if (on == m_includeDown) return;
  m_includeDown = on;
  rebuildLossBits();
}

void CompressedView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  for (const auto& p : points) {
    // f − f* spans decades (log y); a plain training loss of a network moves within one, where a log
    // axis shows no tick label at all.
    if (m_curves.front().points.empty() && m_lossBits->seriesCount() > 0 && m_lossBits->buffer(0).empty()) {
      m_lossBits->setLogY(p.gap.has_value());
      m_lossBits->setYTitle(p.gap ? tr("f − f*") : tr("loss"));
    }
    if (p.metrics.contains("cumulative_bits_up")) {
      m_curves.front().points.push_back(p);
      appendLossBits(0, p);
    }
    m_bitsLines.add(p);
    if (m_voteLines.add(p) && !m_haveVotes) {
      m_haveVotes = true;
      m_votes->show();
    }
  }
}

void CompressedView::addOverlay(const QString& label, const std::vector<EvaluationPoint>& points) {
  Curve curve{label, {}};
  for (const auto& p : points)
    if (p.metrics.contains("cumulative_bits_up")) curve.points.push_back(p);
  // A run of another family has no bit count to compare against.
  if (curve.points.empty()) return;
  const int series = m_lossBits->addSeries(label, familyColor(m_curves.size() + 1));
  for (const auto& p : curve.points) appendLossBits(series, p);
  m_curves.push_back(std::move(curve));
}

void CompressedView::clearOverlays() {
  m_curves.resize(1);
  m_lossBits->removeSeriesFrom(1);
}

void CompressedView::refreshNow() {
  m_lossBits->refreshNow();
  m_bitsPerIteration->refreshNow();
  m_votes->refreshNow();
}

std::vector<FamilyView::ExportItem> CompressedView::exportItems() const {
  std::vector<ExportItem> items = {
      {QStringLiteral("family-loss-bits"), tr("Loss against communicated bits"), m_lossBits, nullptr},
      {QStringLiteral("family-bits-per-iteration"), tr("Bits per iteration"), m_bitsPerIteration, nullptr}};
  if (m_haveVotes) items.push_back({QStringLiteral("family-votes"), tr("Majority vote"), m_votes, nullptr});
  return items;
}

}  // namespace distopt::ui
