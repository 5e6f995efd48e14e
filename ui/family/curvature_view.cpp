#include "ui/family/curvature_view.hpp"

#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/charts/units.hpp"
#include "ui/family/worker_bar_chart.hpp"

namespace distopt::ui {

CurvatureView::CurvatureView(QWidget* parent)
    : FamilyView(parent),
      m_memory(new WorkerBarChart()),
      m_eigen(new LiveChart()),
      m_age(new LiveChart()),
      m_fallback(m_eigen, {{"lambda_max", familyColor(0)}, {"lambda_k", familyColor(1)}}),
      m_ageLines(m_age, {{"curvature_age", familyColor(0)}}) {
  m_memory->setTitle(tr("Curvature memory per worker (peak)"));
  m_memory->setYTitle(metricUnitTitle(MetricUnit::Bytes));
  m_memory->setFormatter([](double bytes) { return formatBytes(bytes); });
  m_eigen->setTitle(tr("Top-k eigenvalue estimates (Ritz values)"));
  m_eigen->setYTitle(m_fallback.axisTitle());
  // Linear: the top k usually lie within a decade, where a log axis would show no tick label.
  m_eigen->setXAxis(XAxis::Updates);
  m_age->setTitle(tr("Curvature age"));
  m_age->setYTitle(m_ageLines.axisTitle());
  m_age->setXAxis(XAxis::Updates);

  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(m_memory);
  bottom->addWidget(m_age);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(m_eigen);
  split->addWidget(bottom);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
}

CurvatureView::~CurvatureView() = default;

void CurvatureView::beginRun(const nlohmann::json&) {
  m_memory->clear();
  m_eigen->removeSeriesFrom(0);
  m_eigenSeries.clear();
  m_fallback.clear();
  m_ageLines.clear();
}

int CurvatureView::eigenSeries(int index) {
  if (static_cast<std::size_t>(index) >= m_eigenSeries.size())
    m_eigenSeries.resize(static_cast<std::size_t>(index) + 1, -1);
  int& series = m_eigenSeries[static_cast<std::size_t>(index)];
  if (series < 0)
    series = m_eigen->addSeries(index == 0 ? tr("λ1 (largest)") : tr("λ%1").arg(index + 1),
                                familyColor(static_cast<std::size_t>(index)));
  return series;
}

int CurvatureView::eigenvalueSeriesCount() const {
  return static_cast<int>(
      std::count_if(m_eigenSeries.begin(), m_eigenSeries.end(), [](int s) { return s >= 0; }));
}

void CurvatureView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  for (const auto& p : points) {
    bool haveEigen = false;
    for (const auto& [name, value] : p.metrics) {
      if (const auto j = metricIndex(name, "eigenvalue"); j && *j < 4096) {
        m_eigen->append(eigenSeries(*j), p.time, static_cast<double>(p.updates),
                        static_cast<double>(p.bytesUp + p.bytesDown), value);
        haveEigen = true;
      } else if (const auto w = metricIndex(name, "curvature_memory_bytes")) {
        m_memory->setValue(*w, value);
      }
    }
    // Runs recorded before eigenvalue.<j> existed still show the two extremes they reported.
    if (!haveEigen && m_eigenSeries.empty()) m_fallback.add(p);
    m_ageLines.add(p);
  }
}

void CurvatureView::refreshNow() {
  m_memory->refreshNow();
  m_eigen->refreshNow();
  m_age->refreshNow();
}

std::vector<FamilyView::ExportItem> CurvatureView::exportItems() const {
  return {{QStringLiteral("family-eigenvalues"), tr("Top-k eigenvalue estimates"), m_eigen, nullptr},
          {QStringLiteral("family-curvature-memory"), tr("Curvature memory per worker"), m_memory, nullptr},
          {QStringLiteral("family-curvature-age"), tr("Curvature age"), m_age, nullptr}};
}

}  // namespace distopt::ui
