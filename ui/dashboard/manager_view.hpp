#pragma once
// The manager view: a few large numbers readable across a room, and two charts (progress and traffic),
// each against a chosen baseline run. Fed by the Dashboard with the same telemetry as its other tabs.
// Thread: GUI thread only.

#include <QJsonObject>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"

class QLabel;

namespace distopt::ui {

class LiveChart;
class WorkersModel;

class ManagerView : public QWidget {
  Q_OBJECT

 public:
  /// `workers` is the dashboard's table: the view counts the workers alive from it.
  explicit ManagerView(const WorkersModel& workers, QWidget* parent = nullptr);

  /// The run the view measures speed-up and bytes saved against (a stored run's curve).
  struct Baseline {
    QString label;
    std::vector<distopt::EvaluationPoint> points;
  };

  /// Clears everything for a new run of `experiment` (its target, its worker count).
  void beginRun(const nlohmann::json& experiment);
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points);
  void finishRun(const QJsonObject& summary);
  /// The workers table changed (alive count).
  void workersChanged();

  void setBaseline(Baseline baseline);
  void clearBaseline();
  const std::optional<Baseline>& baseline() const { return m_baseline; }
  /// The figures against the baseline at the current run's best gap so far: the baseline's time to
  /// that gap over ours, and its bytes to that gap minus ours. nullopt until both runs have reached a
  /// common gap.
  std::optional<double> speedUp() const { return m_speedUp; }
  std::optional<double> bytesSaved() const { return m_bytesSaved; }

  LiveChart* progress() const { return m_progress; }
  LiveChart* traffic() const { return m_traffic; }
  void refreshNow();

 private:
  void updateComparison();
  void updateFigures();

  const WorkersModel& m_workers;
  QLabel* m_bigGap = nullptr;
  QLabel* m_bigTime = nullptr;
  QLabel* m_bigUpdates = nullptr;
  QLabel* m_bigWorkers = nullptr;
  QLabel* m_bigBytes = nullptr;
  QLabel* m_bigTarget = nullptr;
  QLabel* m_bigSpeedUp = nullptr;
  QLabel* m_bigSaved = nullptr;
  LiveChart* m_progress = nullptr;
  LiveChart* m_traffic = nullptr;
  int m_progressSeries = -1;
  int m_trafficSeries = -1;
  std::vector<distopt::EvaluationPoint> m_points;  ///< this run's curve, for the baseline comparison
  std::optional<Baseline> m_baseline;
  std::optional<double> m_speedUp;
  std::optional<double> m_bytesSaved;
  EvaluationPoint m_last;
  std::optional<double> m_timeToTarget;
  std::optional<double> m_targetGap;
  int m_workerTotal = 0;
};

}  // namespace distopt::ui
