#pragma once
// The Kronecker family's view: the fraction of (neuron, sample) pairs that fired, and the measured
// time per iteration. Runs overlaid from the history add their time per iteration, labelled with their
// algorithm, so kron-naive and kron-fast compare on one chart.

#include <QString>
#include <vector>

#include "ui/family/family_view.hpp"

namespace distopt::ui {

class KroneckerView : public FamilyView {
  Q_OBJECT

 public:
  explicit KroneckerView(QWidget* parent = nullptr);
  ~KroneckerView() override;

  distopt::FamilyId family() const override { return distopt::FamilyId::Kronecker; }
  QString title() const override { return tr("Kronecker"); }
  void beginRun(const nlohmann::json& experiment) override;
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points) override;
  void addOverlay(const QString& label, const std::vector<distopt::EvaluationPoint>& points) override;
  void clearOverlays() override;
  void refreshNow() override;
  std::vector<ExportItem> exportItems() const override;

  LiveChart* firedFraction() const { return m_fired; }
  /// Series 0: this run's iteration_seconds; then one per overlaid run that reports it.
  LiveChart* iterationTime() const { return m_time; }

 private:
  void chooseTimeScale();

  LiveChart* m_fired = nullptr;
  LiveChart* m_time = nullptr;
  MetricLines m_firedLines;
  bool m_timeScaleChosen = false;
};

}  // namespace distopt::ui
