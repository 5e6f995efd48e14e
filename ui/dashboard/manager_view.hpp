#pragma once
// The manager view: a run told in plain words and a few large figures readable across a room (how
// close it is to the best possible loss, or its test accuracy; how long it has run and how long it
// still needs; time to the target; speed-up and bytes saved against a baseline run), and two charts
// (progress and traffic) against that baseline. Fed by the Dashboard with the same telemetry as its
// other tabs, and by the main window with the run's state line and status. What is not set (a
// target, a baseline) is said with a hint how to set it, in normal type, not as a large "no target".
// Presentation mode (a wall screen) shows it large, without its controls. Thread: GUI thread only.

#include <QDateTime>
#include <QFont>
#include <QJsonObject>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/series_buffer.hpp"

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QTimer;

namespace distopt::ui {

class BigNumberLabel;
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

  /// One large figure: its caption, its value (hidden while a hint stands in for it) and the hint.
  struct Figure {
    QWidget* box = nullptr;
    QLabel* caption = nullptr;
    BigNumberLabel* value = nullptr;
    QLabel* hint = nullptr;
  };

  /// Clears everything for a new run of `experiment` (its name, target, limits, worker count).
  void beginRun(const nlohmann::json& experiment);
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points);
  void finishRun(const QJsonObject& summary);
  /// The workers table changed (alive count).
  void workersChanged();
  /// The run's state line ("Running", "Finished (time limit)"); `live` while the run is being watched
  /// (the wall clock ticks, the time left is estimated).
  void setRunState(const QString& text, bool live);
  /// When the run started (wall clock); unknown (an attached remote run) counts from when it was first
  /// seen live, and says so.
  void setStartedAt(const QDateTime& started);
  /// A coordinator status (time, updates and the run's limits): progress for the time-left estimate.
  void showStatus(const QJsonObject& status);

  void setBaseline(Baseline baseline);
  void clearBaseline();
  const std::optional<Baseline>& baseline() const { return m_baseline; }
  /// The figures against the baseline at the current run's best gap so far: the baseline's time to
  /// that gap over ours, and its bytes to that gap minus ours. nullopt until both runs have reached a
  /// common gap.
  std::optional<double> speedUp() const { return m_speedUp; }
  std::optional<double> bytesSaved() const { return m_bytesSaved; }

  /// Large, without the controls (presentation mode on a wall screen); `scale` multiplies the type.
  void setPresentation(bool on, double scale = 1.0);
  bool presentation() const { return m_presentation; }

  /// The run's name and state line, the figures and the charts: what exports and presentation show,
  /// without the controls.
  QWidget* figure() const { return m_figure; }
  LiveChart* progress() const { return m_progress; }
  LiveChart* traffic() const { return m_traffic; }
  const Figure& quality() const { return m_quality; }
  const Figure& accuracy() const { return m_accuracy; }
  const Figure& elapsed() const { return m_elapsed; }
  const Figure& timeLeft() const { return m_left; }
  const Figure& target() const { return m_target; }
  const Figure& speedUpFigure() const { return m_speedUpFigure; }
  const Figure& bytesSavedFigure() const { return m_saved; }
  const Figure& workersFigure() const { return m_workersFigure; }
  QString runName() const;
  QString runState() const;
  void setXAxis(XAxis axis);
  XAxis xAxis() const;
  /// The progress chart on a log scale where it shows f − f* (which spans decades); a loss, which
  /// levels off above 0 within a decade, is drawn on a linear axis whatever this says.
  void setLogY(bool on);
  bool logY() const { return m_logWanted; }
  void refreshNow();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  Figure addFigure(const QString& caption, const QString& tooltip);
  void relayoutFigures();
  void applyFonts();
  /// The charts' title, legend and axis fonts at the presentation scale (their own at scale 1).
  void applyChartFonts();
  void updateComparison();
  void updateFigures();
  void updateClock();
  /// The value, or the hint in normal type in its place when `hint` is not empty.
  static void showFigure(const Figure& figure, const QString& value, const QString& hint = QString());

  const WorkersModel& m_workers;
  QWidget* m_figure = nullptr;
  QWidget* m_controls = nullptr;
  QComboBox* m_xChoice = nullptr;
  QCheckBox* m_logToggle = nullptr;
  QLabel* m_name = nullptr;
  QLabel* m_state = nullptr;
  QGridLayout* m_grid = nullptr;
  std::vector<Figure*> m_order;  ///< the figures in reading order
  int m_columns = 0;
  Figure m_quality, m_accuracy, m_left, m_elapsed, m_target, m_speedUpFigure, m_saved, m_workersFigure,
      m_updates, m_perUpdate;
  LiveChart* m_progress = nullptr;
  LiveChart* m_traffic = nullptr;
  int m_progressSeries = -1;
  int m_trafficSeries = -1;
  struct ChartFonts {
    QFont title, legend, labels, axisTitle;
  };
  std::vector<std::pair<LiveChart*, ChartFonts>> m_chartFonts;  ///< each chart's own fonts
  bool m_logWanted = true;
  bool m_presentation = false;
  double m_scale = 1.0;

  std::vector<distopt::EvaluationPoint> m_points;  ///< this run's curve, for the baseline comparison
  std::optional<Baseline> m_baseline;
  std::optional<double> m_speedUp;
  std::optional<double> m_bytesSaved;
  EvaluationPoint m_last;
  bool m_haveGap = false;
  std::optional<double> m_lastAccuracy;
  std::optional<double> m_timeToTarget;
  std::optional<double> m_targetGap;
  std::optional<double> m_targetGradNormSq;
  bool m_hasLimit = false;  ///< the experiment stops at a time or an update count
  int m_workerTotal = 0;
  bool m_simulated = false;  ///< engine "sim": workers modelled, none reported

  // The wall clock: elapsed since the start, and the time left from the progress the status reports.
  QTimer* m_tick = nullptr;
  bool m_live = false;
  bool m_ended = false;
  QDateTime m_startedAt;
  bool m_startKnown = false;
  std::optional<double> m_wallSeconds;  ///< the summary's, once the run ended
  std::optional<double> m_fraction;     ///< progress in [0, 1], from the last status
  std::optional<std::pair<QDateTime, double>>
      m_firstProgress;  ///< first status seen, when the start is unknown
  std::optional<QDateTime> m_expectedEnd;
};

/// A figure for people: 3 significant digits, "5.99 × 10⁻³" rather than "5.99e-03".
QString readableNumber(double value);
/// "45 s", "12 min 5 s", "3 h 20 min".
QString readableDuration(double seconds);

}  // namespace distopt::ui
