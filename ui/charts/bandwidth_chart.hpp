#pragma once
// Bandwidth for the dashboard, from the cumulative byte counters the runtime samples at the socket
// (BandwidthSample). Rates are differences of cumulative counts over time differences, so a
// missed or late sample lowers the resolution but never the total. Views: bytes/s per worker
// (top-k + "others", a positive line per direction: solid up, dashed down, each named in the legend),
// cumulative bytes, bytes per accepted update, and a by-message-kind table.
// Thread: GUI thread only.

#include <QList>
#include <QPointF>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/live_chart.hpp"

class QComboBox;
class QLineSeries;
class QTableWidget;

namespace distopt::ui {

class BandwidthChart : public ChartPanel {
  Q_OBJECT

 public:
  enum class Mode { Rate, Cumulative, BytesPerUpdate, ByKind };
  static constexpr int kDefaultTopWorkers = 6;
  static constexpr int kMaxWorkers = 1 << 16;

  explicit BandwidthChart(QWidget* parent = nullptr);
  ~BandwidthChart() override;

  void addSample(const BandwidthSample& sample);
  void addSamples(const std::vector<BandwidthSample>& samples);
  /// Accepted updates so far at `time` (cumulative, non-decreasing), for bytes per update.
  void setAcceptedUpdates(double time, std::uint64_t count);
  /// The accepted updates drawn at `time` (interpolated between its points); NaN before the first.
  double acceptedUpdatesAt(double time) const;
  void clear();

  void setMode(Mode mode);
  Mode mode() const { return m_mode; }
  /// Workers drawn on their own; the rest are summed as "others".
  void setTopWorkers(int k);

  /// Mean bytes/s over [t0, t1] for one worker (-1 = all) and direction, from the cumulative
  /// counts interpolated linearly between samples.
  double rate(int worker, bool uplink, double t0, double t1) const;
  /// Per-sample rates of one worker (-1 = all): (t_i, (B_i − B_{i−1}) / (t_i − t_{i−1})).
  std::vector<QPointF> ratePoints(int worker, bool uplink) const;
  /// Cumulative bytes at `time` for one worker (-1 = all) and direction.
  double cumulativeBytes(int worker, bool uplink, double time) const;
  /// Totals per (direction, kind) over all workers: bytes and messages.
  struct KindTotal {
    bool uplink = true;
    std::string kind;
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
  };
  std::vector<KindTotal> kindTotals() const;
  QTableWidget* kindTable() const { return m_table; }

  /// The series of the i-th drawn worker group (0 = largest worker; the last shown one may be
  /// "others") in the current mode; nullptr if not shown.
  QXYSeries* groupSeries(int group, bool uplink) const;
  /// Drawn bytes-per-update series: 0 = up, 1 = down, 2 = total.
  QXYSeries* perUpdateSeries(int which) const;

 protected:
  bool dataExtent(Range& x, Range& y) const override;
  void drawFrame(bool viewChanged) override;
  QString hoverText(QPointF chartPosition) const override;
  void logYChanged() override { applyModeVisibility(); }
  void timeTitleChanged() override { setXTitle(timeTitle()); }

 private:
  /// Cumulative values at increasing times; one time holds one value (the latest).
  struct Cumulative {
    std::vector<double> time;
    std::vector<double> value;
    void add(double t, double v);
    double at(double t) const;
    bool empty() const { return time.empty(); }
  };
  struct WorkerData {
    std::array<Cumulative, 2> bytes;  ///< [0] up, [1] down
    std::array<double, 2> current{};
  };
  struct Latest {
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
  };
  struct Group {
    std::array<QLineSeries*, 2> line{};
  };
  /// Grid the rate and cumulative views are evaluated on, cached between frames.
  struct Grid {
    Range x;
    int intervals = 0;
    std::uint64_t version = ~std::uint64_t{0};
    std::vector<double> edges;
    std::vector<int> members;  ///< worker id per drawn group; -2 = others
    int othersCount = 0;
    /// [group][dir][interval] bytes/s; [group][dir][edge] cumulative bytes.
    std::vector<std::array<std::vector<double>, 2>> rates;
    std::vector<std::array<std::vector<double>, 2>> cumulative;
    std::array<std::vector<double>, 2> totalRates;
    std::array<std::vector<double>, 2> totalCumulative;
    /// [0] up, [1] down, [2] both: cumulative bytes / accepted updates at each edge (NaN if none).
    std::array<std::vector<double>, 3> perUpdate;
  };

  const Cumulative* series(int worker, bool uplink) const;
  const Grid& grid(const Range& x, int width) const;
  bool timeExtent(Range& x) const;
  void setSeriesShown(QAbstractSeries* series, bool shown, bool inLegend);
  void applyModeVisibility();
  void drawRate(const Grid& g);
  void drawCumulative(const Grid& g);
  void drawPerUpdate(const Grid& g);
  void ensureGroups(int count);
  void updateTable();
  /// "worker 3 up", "others (12 workers) down".
  QString groupName(const Grid& g, std::size_t group, bool uplink) const;
  /// Names and pens a group's line (a new pen only when it differs: Qt re-lays the series out on each).
  static void styleGroupLine(QLineSeries* line, const QString& name, const QColor& colour, bool dashed);

  std::vector<WorkerData> m_workers;
  std::array<Cumulative, 2> m_total;
  std::array<double, 2> m_totalCurrent{};
  Cumulative m_accepted;
  std::map<std::tuple<int, int, std::string>, Latest> m_latest;
  std::map<std::pair<int, std::string>, Latest> m_kinds;
  std::uint64_t m_version = 0;

  Mode m_mode = Mode::Rate;
  int m_topWorkers = kDefaultTopWorkers;
  /// Up to this many other workers the "others" line sums their own counts (exact whatever their
  /// sampling instants; 64 others cost ~40k interpolations per grid, a few ms per changed frame);
  /// beyond, it is the total minus the drawn workers (O(top) per grid edge).
  static constexpr int kOthersSummed = 64;
  std::vector<Group> m_groups;
  std::array<QLineSeries*, 2> m_totalLines{};
  std::array<QLineSeries*, 3> m_perUpdate{};
  QComboBox* m_modeChoice = nullptr;
  QTableWidget* m_table = nullptr;
  mutable Grid m_grid;
  std::size_t m_shownGroups = 0;
  QList<QPointF> m_scratch;
};

}  // namespace distopt::ui
