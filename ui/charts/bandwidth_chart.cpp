#include "ui/charts/bandwidth_chart.hpp"

#include <QChart>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QTableWidget>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ui/charts/units.hpp"

namespace distopt::ui {

namespace {

constexpr int kMaxTopWorkers = 16;
constexpr int kOthers = -2;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QColor groupColour(std::size_t group, bool others) {
  static const std::array<QColor, 10> kPalette = {
      QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
      QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0xbc, 0xbd, 0x22),
      QColor(0x17, 0xbe, 0xcf), QColor(0x7f, 0x7f, 0x7f)};
  if (others) return QColor(0x9a, 0x9a, 0x9a);
  return kPalette[group % (kPalette.size() - 1)];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Cumulative

void BandwidthChart::Cumulative::add(double t, double v) {
  if (!std::isfinite(t)) return;
  if (!time.empty() && t <= time.back()) {
    // Same instant (several kinds sampled together) or a late sample: the latest total wins,
    // keeping time strictly increasing for the binary searches in at().
    value.back() = v;
    return;
  }
  time.push_back(t);
  value.push_back(v);
}

double BandwidthChart::Cumulative::at(double t) const {
  if (time.empty()) return 0.0;
  // Outside the sampled span the count is flat: nothing is claimed before the first sample.
  if (t <= time.front()) return value.front();
  if (t >= time.back()) return value.back();
  const auto it = std::upper_bound(time.begin(), time.end(), t);
  const auto i = static_cast<std::size_t>(it - time.begin());
  const double t0 = time[i - 1];
  const double t1 = time[i];
  const double f = (t - t0) / (t1 - t0);
  return value[i - 1] + f * (value[i] - value[i - 1]);
}

// ---------------------------------------------------------------------------------------------
// BandwidthChart

BandwidthChart::BandwidthChart(QWidget* parent) : ChartPanel(parent) {
  setTitle(tr("Bandwidth"));
  setXTitle(timeTitle());

  for (int dir = 0; dir < 2; ++dir) {
    auto* line = new QLineSeries();
    line->setName(dir == 0 ? tr("total up") : tr("total down"));
    QPen pen(QColor(0x20, 0x20, 0x20));
    pen.setWidthF(2.0);
    if (dir == 1) pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    addAttachedSeries(line);
    m_totalLines[static_cast<std::size_t>(dir)] = line;
  }
  const std::array<QString, 3> perUpdateNames = {tr("up / accepted update"), tr("down / accepted update"),
                                                 tr("total / accepted update")};
  const std::array<QColor, 3> perUpdateColours = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                                  QColor(0x20, 0x20, 0x20)};
  for (std::size_t i = 0; i < 3; ++i) {
    auto* line = new QLineSeries();
    line->setName(perUpdateNames[i]);
    QPen pen(perUpdateColours[i]);
    pen.setWidthF(1.5);
    line->setPen(pen);
    addAttachedSeries(line);
    m_perUpdate[i] = line;
  }
  ensureGroups(m_topWorkers + 1);

  m_modeChoice = new QComboBox(this);
  m_modeChoice->addItem(tr("bytes/s per worker"), static_cast<int>(Mode::Rate));
  m_modeChoice->addItem(tr("cumulative bytes"), static_cast<int>(Mode::Cumulative));
  m_modeChoice->addItem(tr("bytes per accepted update"), static_cast<int>(Mode::BytesPerUpdate));
  m_modeChoice->addItem(tr("by message kind"), static_cast<int>(Mode::ByKind));
  controlsLayout()->insertWidget(0, new QLabel(tr("show:"), this));
  controlsLayout()->insertWidget(1, m_modeChoice);
  connect(m_modeChoice, &QComboBox::currentIndexChanged, this,
          [this](int index) { setMode(static_cast<Mode>(m_modeChoice->itemData(index).toInt())); });

  m_table = new QTableWidget(0, 6, this);
  m_table->setHorizontalHeaderLabels({tr("kind"), tr("direction"), tr("messages"), tr("bytes"),
                                      tr("bytes/message"), tr("share of direction")});
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_table->verticalHeader()->setVisible(false);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->hide();
  layout()->addWidget(m_table);

  applyModeVisibility();
}

BandwidthChart::~BandwidthChart() = default;

void BandwidthChart::ensureGroups(int count) {
  while (static_cast<int>(m_groups.size()) < count) {
    Group group;
    for (std::size_t dir = 0; dir < 2; ++dir) {
      group.line[dir] = new QLineSeries();
      addAttachedSeries(group.line[dir]);
    }
    m_groups.push_back(group);
  }
}

void BandwidthChart::addSample(const BandwidthSample& sample) {
  if (sample.worker < 0 || sample.worker >= kMaxWorkers || !std::isfinite(sample.time)) return;
  const int dir = sample.uplink ? 0 : 1;
  Latest& latest = m_latest[{sample.worker, dir, sample.kind}];
  // Counters only grow; a smaller value (e.g. a reconnect restarting a count) adds nothing
  // rather than a negative rate, and becomes the new baseline.
  const std::uint64_t bytes = sample.bytes >= latest.bytes ? sample.bytes - latest.bytes : 0;
  const std::uint64_t messages = sample.messages >= latest.messages ? sample.messages - latest.messages : 0;
  latest = {sample.bytes, sample.messages};

  const auto worker = static_cast<std::size_t>(sample.worker);
  if (worker >= m_workers.size()) m_workers.resize(worker + 1);
  WorkerData& data = m_workers[worker];
  const auto d = static_cast<std::size_t>(dir);
  data.current[d] += static_cast<double>(bytes);
  data.bytes[d].add(sample.time, data.current[d]);
  m_totalCurrent[d] += static_cast<double>(bytes);
  m_total[d].add(sample.time, m_totalCurrent[d]);
  Latest& kind = m_kinds[{dir, sample.kind}];
  kind.bytes += bytes;
  kind.messages += messages;
  ++m_version;
  markDataChanged();
}

void BandwidthChart::addSamples(const std::vector<BandwidthSample>& samples) {
  for (const BandwidthSample& sample : samples) addSample(sample);
}

void BandwidthChart::setAcceptedUpdates(double time, std::uint64_t count) {
  m_accepted.add(time, static_cast<double>(count));
  ++m_version;
  markDataChanged();
}

double BandwidthChart::acceptedUpdatesAt(double time) const {
  if (m_accepted.empty() || time < m_accepted.time.front()) return std::numeric_limits<double>::quiet_NaN();
  return m_accepted.at(time);
}

void BandwidthChart::clear() {
  m_workers.clear();
  m_total = {};
  m_totalCurrent = {};
  m_accepted = {};
  m_latest.clear();
  m_kinds.clear();
  ++m_version;
  markDataChanged();
}

void BandwidthChart::setMode(Mode mode) {
  {
    const QSignalBlocker block(m_modeChoice);
    m_modeChoice->setCurrentIndex(m_modeChoice->findData(static_cast<int>(mode)));
  }
  if (mode == m_mode) return;
  m_mode = mode;
  applyModeVisibility();
  resetZoom();
}

void BandwidthChart::setTopWorkers(int k) {
  m_topWorkers = std::clamp(k, 1, kMaxTopWorkers);
  ensureGroups(m_topWorkers + 1);
  ++m_version;
  applyModeVisibility();
  markDataChanged();
}

void BandwidthChart::setSeriesShown(QAbstractSeries* series, bool shown, bool inLegend) {
  series->setVisible(shown);
  for (QLegendMarker* marker : chart()->legend()->markers(series)) marker->setVisible(shown && inLegend);
}

void BandwidthChart::applyModeVisibility() {
  const bool rate = m_mode == Mode::Rate;
  const std::size_t groups = m_grid.members.size();
  m_shownGroups = groups;
  for (std::size_t i = 0; i < m_groups.size(); ++i) {
    const bool used = i < groups;
    for (std::size_t dir = 0; dir < 2; ++dir) {
      // Both directions in the legend: down is the dashed line in up's colour.
      setSeriesShown(m_groups[i].line[dir], used && (m_mode == Mode::Cumulative || rate), true);
    }
  }
  for (QLineSeries* line : m_totalLines) setSeriesShown(line, m_mode == Mode::Cumulative, true);
  for (QLineSeries* line : m_perUpdate) setSeriesShown(line, m_mode == Mode::BytesPerUpdate, true);
  view()->setVisible(m_mode != Mode::ByKind);
  m_table->setVisible(m_mode == Mode::ByKind);
  switch (m_mode) {
    case Mode::Rate:
      setYTitle(tr("rate [B/s]"));
      break;
    case Mode::Cumulative:
      setYTitle(tr("bytes sent [B]"));
      break;
    case Mode::BytesPerUpdate:
      setYTitle(tr("bytes per accepted update [B]"));
      break;
    case Mode::ByKind:
      break;
  }
  markViewChanged();
}

const BandwidthChart::Cumulative* BandwidthChart::series(int worker, bool uplink) const {
  const std::size_t dir = uplink ? 0 : 1;
  if (worker < 0) return &m_total[dir];
  const auto w = static_cast<std::size_t>(worker);
  return w < m_workers.size() ? &m_workers[w].bytes[dir] : nullptr;
}

double BandwidthChart::rate(int worker, bool uplink, double t0, double t1) const {
  const Cumulative* c = series(worker, uplink);
  if (!c || !(t1 > t0)) return 0.0;
  return (c->at(t1) - c->at(t0)) / (t1 - t0);
}

std::vector<QPointF> BandwidthChart::ratePoints(int worker, bool uplink) const {
  std::vector<QPointF> points;
  const Cumulative* c = series(worker, uplink);
  if (!c) return points;
  for (std::size_t i = 1; i < c->time.size(); ++i) {
    const double dt = c->time[i] - c->time[i - 1];
    points.emplace_back(c->time[i], (c->value[i] - c->value[i - 1]) / dt);
  }
  return points;
}

double BandwidthChart::cumulativeBytes(int worker, bool uplink, double time) const {
  const Cumulative* c = series(worker, uplink);
  return c ? c->at(time) : 0.0;
}

std::vector<BandwidthChart::KindTotal> BandwidthChart::kindTotals() const {
  std::vector<KindTotal> totals;
  for (const auto& [key, value] : m_kinds)
    totals.push_back({key.first == 0, key.second, value.bytes, value.messages});
  return totals;
}

QXYSeries* BandwidthChart::groupSeries(int group, bool uplink) const {
  if (group < 0 || group >= static_cast<int>(m_grid.members.size())) return nullptr;
  const Group& g = m_groups[static_cast<std::size_t>(group)];
  const std::size_t dir = uplink ? 0 : 1;
  if (m_mode == Mode::Rate || m_mode == Mode::Cumulative) return g.line[dir];
  return nullptr;
}

QXYSeries* BandwidthChart::perUpdateSeries(int which) const {
  return which >= 0 && which < 3 ? m_perUpdate[static_cast<std::size_t>(which)] : nullptr;
}

bool BandwidthChart::timeExtent(Range& x) const {
  bool any = false;
  for (const Cumulative& c : m_total) {
    if (c.empty()) continue;
    x = any ? Range{std::min(x.min, c.time.front()), std::max(x.max, c.time.back())}
            : Range{c.time.front(), c.time.back()};
    any = true;
  }
  // One moment only (a run stopped before its first update): a unit around it, never before time 0.
  if (any && !(x.max > x.min)) {
    const double lo = std::max(0.0, x.min - 0.5);
    x = {lo, lo + 1.0};
  }
  return any;
}

const BandwidthChart::Grid& BandwidthChart::grid(const Range& x, int width) const {
  Grid& g = m_grid;
  // Each rate is an average over an interval of ~3 pixels: finer would only show the sampling.
  const int intervals = std::clamp(width / 3, 1, 600);
  if (g.x == x && g.intervals == intervals && g.version == m_version) return g;
  g.x = x;
  g.intervals = intervals;
  g.version = m_version;

  std::vector<int> order;
  for (std::size_t w = 0; w < m_workers.size(); ++w)
    if (!m_workers[w].bytes[0].empty() || !m_workers[w].bytes[1].empty())
      order.push_back(static_cast<int>(w));
  const auto traffic = [&](int w) {
    const WorkerData& data = m_workers[static_cast<std::size_t>(w)];
    return data.current[0] + data.current[1];
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return traffic(a) > traffic(b); });
  const std::size_t top = std::min(order.size(), static_cast<std::size_t>(m_topWorkers));
  g.members.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top));
  g.othersCount = static_cast<int>(order.size() - top);
  if (g.othersCount > 0) g.members.push_back(kOthers);

  const auto edges = static_cast<std::size_t>(intervals) + 1;
  g.edges.resize(edges);
  for (std::size_t i = 0; i < edges; ++i)
    g.edges[i] = x.min + (x.max - x.min) * static_cast<double>(i) / intervals;

  const auto fill = [&](const Cumulative& c, std::vector<double>& cumulative, std::vector<double>& rates) {
    cumulative.resize(edges);
    rates.resize(edges - 1);
    for (std::size_t i = 0; i < edges; ++i) cumulative[i] = c.at(g.edges[i]);
    for (std::size_t i = 0; i + 1 < edges; ++i)
      rates[i] = (cumulative[i + 1] - cumulative[i]) / (g.edges[i + 1] - g.edges[i]);
  };
  for (std::size_t dir = 0; dir < 2; ++dir) fill(m_total[dir], g.totalCumulative[dir], g.totalRates[dir]);
  g.rates.resize(g.members.size());
  g.cumulative.resize(g.members.size());
  for (std::size_t k = 0; k < g.members.size(); ++k) {
    for (std::size_t dir = 0; dir < 2; ++dir) {
      if (g.members[k] != kOthers) {
        fill(m_workers[static_cast<std::size_t>(g.members[k])].bytes[dir], g.cumulative[k][dir],
             g.rates[k][dir]);
        continue;
      }
      if (g.othersCount <= kOthersSummed) {
        // The others' own counts, each interpolated between its own samples: workers that report at
        // different instants (decentralized nodes at their iterations' ends) would otherwise leave
        // all − top-k with spikes where the total's interpolation differs from theirs.
        std::vector<double> cumulative, rates;
        g.cumulative[k][dir].assign(edges, 0.0);
        g.rates[k][dir].assign(edges - 1, 0.0);
        for (std::size_t o = top; o < order.size(); ++o) {
          fill(m_workers[static_cast<std::size_t>(order[o])].bytes[dir], cumulative, rates);
          for (std::size_t i = 0; i < edges; ++i) g.cumulative[k][dir][i] += cumulative[i];
          for (std::size_t i = 0; i + 1 < edges; ++i) g.rates[k][dir][i] += rates[i];
        }
        continue;
      }
      // Others = all − top-k: O(k) per edge however many workers there are.
      g.cumulative[k][dir] = g.totalCumulative[dir];
      g.rates[k][dir] = g.totalRates[dir];
      for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < edges; ++i) g.cumulative[k][dir][i] -= g.cumulative[j][dir][i];
        for (std::size_t i = 0; i + 1 < edges; ++i) g.rates[k][dir][i] -= g.rates[j][dir][i];
      }
      // Different sampling instants make the difference slightly negative at times.
      for (double& v : g.cumulative[k][dir]) v = std::max(v, 0.0);
      for (double& v : g.rates[k][dir]) v = std::max(v, 0.0);
    }
  }
  for (auto& values : g.perUpdate) values.resize(edges);
  for (std::size_t i = 0; i < edges; ++i) {
    const double accepted =
        m_accepted.empty() || g.edges[i] < m_accepted.time.front() ? 0.0 : m_accepted.at(g.edges[i]);
    const double up = g.totalCumulative[0][i];
    const double down = g.totalCumulative[1][i];
    g.perUpdate[0][i] = accepted > 0.0 ? up / accepted : kNaN;
    g.perUpdate[1][i] = accepted > 0.0 ? down / accepted : kNaN;
    g.perUpdate[2][i] = accepted > 0.0 ? (up + down) / accepted : kNaN;
  }
  return g;
}

bool BandwidthChart::dataExtent(Range& x, Range& y) const {
  if (!timeExtent(x)) return false;
  const Grid& g = grid(x, plotWidth());
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0.0;
  const auto scan = [&](const std::vector<double>& values) {
    for (const double v : values) {
      if (!std::isfinite(v)) continue;
      hi = std::max(hi, v);
      if (v > 0.0) lo = std::min(lo, v);
    }
  };
  switch (m_mode) {
    case Mode::Rate:
      for (const auto& group : g.rates)
        for (const auto& values : group) scan(values);
      break;
    case Mode::Cumulative:
      scan(g.totalCumulative[0]);
      scan(g.totalCumulative[1]);
      for (const auto& group : g.cumulative)
        for (const auto& values : group) scan(values);
      break;
    case Mode::BytesPerUpdate:
      for (const auto& values : g.perUpdate) scan(values);
      break;
    case Mode::ByKind:
      break;
  }
  if (logY()) {
    y = std::isfinite(lo) ? Range{lo / 1.25, std::max(hi, lo * 2.0) * 1.25} : Range{0.1, 10.0};
  } else {
    y = {0.0, hi > 0.0 ? hi * 1.05 : 1.0};
  }
  return true;
}

QString BandwidthChart::groupName(const Grid& g, std::size_t group, bool uplink) const {
  const QString direction = uplink ? tr("up") : tr("down");
  if (g.members[group] == kOthers) return tr("others (%1 workers) %2").arg(g.othersCount).arg(direction);
  return tr("worker %1 %2").arg(g.members[group]).arg(direction);
}

void BandwidthChart::drawRate(const Grid& g) {
  // Positive rates, one line per worker group and direction: stacking down below zero read as negative
  // bytes/s in a figure.
  const std::size_t intervals = g.edges.size() - 1;
  for (std::size_t k = 0; k < g.members.size(); ++k) {
    const Group& group = m_groups[k];
    const QColor colour = groupColour(k, g.members[k] == kOthers);
    for (std::size_t dir = 0; dir < 2; ++dir) {
      const std::vector<double>& rates = g.rates[k][dir];
      m_scratch.clear();
      for (std::size_t i = 0; i < intervals; ++i) {
        // Piecewise constant: each rate is the mean over its interval, drawn as a step.
        if (logY() && !(rates[i] > 0.0)) continue;  // a log axis cannot show an idle interval
        m_scratch.append(QPointF(g.edges[i], rates[i]));
        m_scratch.append(QPointF(g.edges[i + 1], rates[i]));
      }
      styleGroupLine(group.line[dir], groupName(g, k, dir == 0), colour, dir == 1);
      group.line[dir]->replace(m_scratch);
    }
  }
}

void BandwidthChart::styleGroupLine(QLineSeries* line, const QString& name, const QColor& colour,
                                    bool dashed) {
  line->setName(name);
  QPen pen(colour);
  pen.setWidthF(1.5);
  if (dashed) pen.setStyle(Qt::DashLine);
  if (line->pen() != pen) line->setPen(pen);
}

void BandwidthChart::drawCumulative(const Grid& g) {
  const auto toPoints = [&](const std::vector<double>& values) {
    m_scratch.clear();
    for (std::size_t i = 0; i < g.edges.size(); ++i) {
      if (logY() && !(values[i] > 0.0)) continue;
      m_scratch.append(QPointF(g.edges[i], values[i]));
    }
  };
  for (std::size_t dir = 0; dir < 2; ++dir) {
    toPoints(g.totalCumulative[dir]);
    m_totalLines[dir]->replace(m_scratch);
  }
  for (std::size_t k = 0; k < g.members.size(); ++k) {
    const QColor colour = groupColour(k, g.members[k] == kOthers);
    for (std::size_t dir = 0; dir < 2; ++dir) {
      toPoints(g.cumulative[k][dir]);
      styleGroupLine(m_groups[k].line[dir], groupName(g, k, dir == 0), colour, dir == 1);
      m_groups[k].line[dir]->replace(m_scratch);
    }
  }
}

void BandwidthChart::drawPerUpdate(const Grid& g) {
  for (std::size_t which = 0; which < 3; ++which) {
    m_scratch.clear();
    for (std::size_t i = 0; i < g.edges.size(); ++i) {
      const double v = g.perUpdate[which][i];
      if (!std::isfinite(v) || (logY() && !(v > 0.0))) continue;
      m_scratch.append(QPointF(g.edges[i], v));
    }
    m_perUpdate[which]->replace(m_scratch);
  }
}

void BandwidthChart::updateTable() {
  std::array<double, 2> directionTotal{};
  for (const auto& [key, value] : m_kinds)
    directionTotal[static_cast<std::size_t>(key.first)] += static_cast<double>(value.bytes);
  std::vector<KindTotal> rows = kindTotals();
  std::stable_sort(rows.begin(), rows.end(), [](const KindTotal& a, const KindTotal& b) {
    return a.uplink != b.uplink ? a.uplink : a.bytes > b.bytes;
  });
  m_table->setRowCount(static_cast<int>(rows.size()));
  const auto set = [&](int row, int column, const QString& text) {
    auto* item = m_table->item(row, column);
    if (!item) {
      item = new QTableWidgetItem();
      m_table->setItem(row, column, item);
    }
    item->setText(text);
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const KindTotal& row = rows[r];
    const int i = static_cast<int>(r);
    const double bytes = static_cast<double>(row.bytes);
    const double total = directionTotal[row.uplink ? 0 : 1];
    set(i, 0, QString::fromStdString(row.kind));
    set(i, 1, row.uplink ? tr("up") : tr("down"));
    set(i, 2, QString::number(row.messages));
    set(i, 3, formatBytes(bytes));
    set(i, 4, row.messages > 0 ? formatBytes(bytes / static_cast<double>(row.messages)) : QString());
    set(i, 5, total > 0.0 ? QStringLiteral("%1 %").arg(100.0 * bytes / total, 0, 'f', 1) : QString());
  }
}

void BandwidthChart::drawFrame(bool /*viewChanged*/) {
  if (m_mode == Mode::ByKind) {
    updateTable();
    return;
  }
  const Grid& g = grid(xRange(), plotWidth());
  // Membership can grow as workers appear: show the series that now have a group.
  if (g.members.size() != m_shownGroups) applyModeVisibility();
  switch (m_mode) {
    case Mode::Rate:
      drawRate(g);
      break;
    case Mode::Cumulative:
      drawCumulative(g);
      break;
    case Mode::BytesPerUpdate:
      drawPerUpdate(g);
      break;
    case Mode::ByKind:
      break;
  }
}

QString BandwidthChart::hoverText(QPointF chartPosition) const {
  const Grid& g = m_grid;
  if (g.edges.size() < 2 || m_mode == Mode::ByKind) return {};
  const double t = toValue(chartPosition).x();
  if (t < g.edges.front() || t > g.edges.back()) return {};
  const auto it = std::upper_bound(g.edges.begin(), g.edges.end(), t);
  const std::size_t edge = std::min(static_cast<std::size_t>(it - g.edges.begin()), g.edges.size() - 1);
  const std::size_t interval = edge - 1;
  switch (m_mode) {
    case Mode::Rate:
      return tr("t = %1 s: up %2/s, down %3/s (all workers)")
          .arg(t, 0, 'g', 5)
          .arg(formatBytes(g.totalRates[0][interval]))
          .arg(formatBytes(g.totalRates[1][interval]));
    case Mode::Cumulative:
      return tr("t = %1 s: up %2, down %3 (all workers)")
          .arg(t, 0, 'g', 5)
          .arg(formatBytes(g.totalCumulative[0][edge]))
          .arg(formatBytes(g.totalCumulative[1][edge]));
    case Mode::BytesPerUpdate:
      if (!std::isfinite(g.perUpdate[2][edge])) return {};
      return tr("t = %1 s: %2 per accepted update (up %3, down %4)")
          .arg(t, 0, 'g', 5)
          .arg(formatBytes(g.perUpdate[2][edge]))
          .arg(formatBytes(g.perUpdate[0][edge]))
          .arg(formatBytes(g.perUpdate[1][edge]));
    case Mode::ByKind:
      break;
  }
  return {};
}

}  // namespace distopt::ui
