#pragma once
// Histogram of gradient delays (k − job version) for the dashboard: accepted, discarded and
// cancelled outcomes are separate series (never summed: the point is to see what each policy threw
// away), with markers at R, n − 1 and the observed maximum, for the whole run or one worker.
// Thread: GUI thread only.

#include <QList>
#include <QPointF>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/live_chart.hpp"

class QAreaSeries;
class QComboBox;
class QGraphicsSimpleTextItem;
class QLineSeries;

namespace distopt::ui {

class DelayHistogram : public ChartPanel {
  Q_OBJECT

 public:
  /// The outcomes drawn, in series order. LateCancelled is not among them: such gradients arrive
  /// for jobs already cancelled and were counted when they were cancelled.
  static constexpr std::array<Outcome, 3> kOutcomes = {Outcome::Accepted, Outcome::Discarded,
                                                       Outcome::Cancelled};
  enum class Marker { R, LastWorker, Maximum };
  /// Delays above this are not binned (counted in ignoredCount()); guards memory against a bogus
  /// delay without bounding any real run.
  static constexpr std::int64_t kMaxDelay = 1'000'000;
  /// Workers with a histogram of their own (the filter's choices): ids below this. Every worker counts
  /// in the whole run's histogram; per-worker bins for 100 000 workers would cost gigabytes.
  static constexpr int kMaxFilteredWorkers = 2048;
  /// A worker's own histogram bins delays up to this; its larger delays count in its total only.
  static constexpr std::int64_t kMaxWorkerDelay = 2047;

  explicit DelayHistogram(QWidget* parent = nullptr);
  ~DelayHistogram() override;

  /// O(1) per event; the chart is redrawn by the frame timer, not here.
  void addEvents(const std::vector<UpdateEvent>& events);
  void addEvent(const UpdateEvent& event);
  /// `count` outcomes of one worker at one delay at once: a stored run's exact histogram.
  void addCount(int worker, Outcome outcome, std::int64_t delay, std::uint64_t count);
  void clear();

  /// R is drawn only when given (not every algorithm has one); n − 1 when workers > 0.
  void setMarkers(std::optional<int> r, int workers);
  /// -1 = all workers, else a worker id. Instant: bins are kept per worker.
  void setWorkerFilter(int worker);
  int workerFilter() const { return m_filter; }

  /// Count in one delay bin under the current worker filter.
  std::uint64_t count(Outcome outcome, std::int64_t delay) const;
  /// Events of one outcome under the current worker filter.
  std::uint64_t total(Outcome outcome) const;
  /// Largest delay seen under the current filter (any drawn outcome); -1 when none.
  std::int64_t maxDelay() const;
  std::uint64_t lateCancelledCount() const { return m_lateCancelled; }
  std::uint64_t ignoredCount() const { return m_ignored; }
  /// Where a marker is drawn (delay value), if it is.
  std::optional<double> markerValue(Marker marker) const;
  /// A marker beyond the axis (the axis follows the data, not n − 1 of a huge run): its label sits at
  /// the right edge with an arrow instead of a line.
  bool markerOffScale(Marker marker) const;
  /// The marker's label as drawn ("" when hidden). Markers at one delay share the first one's line and
  /// label ("R = max = 4"); the others have none.
  QString markerLabel(Marker marker) const;
  QAreaSeries* outcomeSeries(Outcome outcome) const;
  int drawnPointCount(Outcome outcome) const;

 protected:
  bool dataExtent(Range& x, Range& y) const override;
  void drawFrame(bool viewChanged) override;
  QString hoverText(QPointF chartPosition) const override;

 private:
  struct Bins {
    std::array<std::vector<std::uint64_t>, 3> counts;
    std::array<std::uint64_t, 3> totals{};
    std::int64_t maxDelay = -1;
  };
  struct MarkerItem {
    QLineSeries* line = nullptr;
    QGraphicsSimpleTextItem* label = nullptr;
    std::optional<double> value;
    bool offScale = false;
  };

  const Bins& shown() const;
  std::optional<double> markerPosition(Marker marker) const;
  static int outcomeIndex(Outcome outcome);
  void drawOutcome(int index, const Range& x, int width);
  void drawMarkers();
  void syncWorkerChoice();

  Bins m_all;
  std::vector<Bins> m_workers;
  std::array<QAreaSeries*, 3> m_areas{};
  std::array<QLineSeries*, 3> m_uppers{};
  std::array<int, 3> m_drawn{};
  std::array<MarkerItem, 3> m_markers;
  std::optional<int> m_r;
  int m_workerCount = 0;
  int m_filter = -1;
  std::uint64_t m_lateCancelled = 0;
  std::uint64_t m_ignored = 0;
  QComboBox* m_workerChoice = nullptr;
  int m_listedWorkers = 0;
  QList<QPointF> m_scratch;
  std::vector<double> m_binX;
  std::vector<double> m_binY;
};

}  // namespace distopt::ui
