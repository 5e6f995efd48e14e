#pragma once
// The hybrid-order family's view: each worker's peak curvature memory (bars), the top-k eigenvalue
// (Ritz value) estimates over time, and the age of the installed curvature estimate.

#include <QString>
#include <vector>

#include "ui/family/family_view.hpp"

namespace distopt::ui {

class WorkerBarChart;

class CurvatureView : public FamilyView {
  Q_OBJECT

 public:
  explicit CurvatureView(QWidget* parent = nullptr);
  ~CurvatureView() override;

  distopt::FamilyId family() const override { return distopt::FamilyId::Hybrid; }
  QString title() const override { return tr("Curvature"); }
  void beginRun(const nlohmann::json& experiment) override;
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points) override;
  void refreshNow() override;
  std::vector<ExportItem> exportItems() const override;

  WorkerBarChart* memory() const { return m_memory; }
  /// One series per eigenvalue.<j> (j = 0 the largest); lambda_max / lambda_k when a run reports
  /// only those.
  LiveChart* eigenvalues() const { return m_eigen; }
  int eigenvalueSeriesCount() const;
  LiveChart* age() const { return m_age; }

 private:
  int eigenSeries(int index);

  WorkerBarChart* m_memory = nullptr;
  LiveChart* m_eigen = nullptr;
  LiveChart* m_age = nullptr;
  std::vector<int> m_eigenSeries;  ///< chart series of eigenvalue.<j>, -1 until it appears
  MetricLines m_fallback;          ///< lambda_max, lambda_k (runs without eigenvalue.<j>)
  MetricLines m_ageLines;
};

}  // namespace distopt::ui
