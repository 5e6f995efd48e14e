#include "ui/family/topology_graph.hpp"

#include <QFontMetricsF>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"

namespace distopt::ui {
namespace {

constexpr double kLegendWidth = 150.0;
constexpr double kCaptionHeight = 24.0;
constexpr double kMargin = 12.0;

double distanceToSegment(QPointF p, QPointF a, QPointF b) {
  const QPointF ab = b - a;
  const double length2 = QPointF::dotProduct(ab, ab);
  const double t = length2 > 0 ? std::clamp(QPointF::dotProduct(p - a, ab) / length2, 0.0, 1.0) : 0.0;
  const QPointF nearest = a + t * ab;
  return std::hypot(p.x() - nearest.x(), p.y() - nearest.y());
}

QString number(double value) { return QString::number(value, 'g', 3); }

}  // namespace

TopologyGraph::TopologyGraph(QWidget* parent) : QWidget(parent) {
  setMinimumSize(320, 240);
  setMouseTracking(true);
  m_timer = new QTimer(this);
  connect(m_timer, &QTimer::timeout, this, [this] {
    if (!m_dirty) return;
    m_dirty = false;
    update();
  });
  m_timer->start(ChartPanel::kFrameIntervalMs);
}

QColor TopologyGraph::colorScale(double t) {
  // Diverging blue - pale yellow - red (ColorBrewer RdYlBu, reversed): hot is unmistakably the worst node.
  static const QColor stops[] = {QColor(44, 123, 182), QColor(255, 255, 191), QColor(215, 25, 28)};
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 2.0;
  const int k = std::min(1, static_cast<int>(t));
  const double f = t - k;
  const QColor& a = stops[k];
  const QColor& b = stops[k + 1];
  return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                          static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                          static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
}

void TopologyGraph::setGraph(const Graph& graph, Layout layout, int rows) {
  m_graph = graph;
  m_layout = layout;
  m_rows = rows;
  m_message.clear();
  m_edges.clear();
  for (int i = 0; i < graph.size(); ++i)
    for (int j : graph.neighbours(i))
      if (i < j) m_edges.emplace_back(i, j);
  m_errors.assign(static_cast<std::size_t>(graph.size()), std::numeric_limits<double>::quiet_NaN());
  m_sent.clear();
  m_caption.clear();
  layoutNodes();
  markDirty();
}

void TopologyGraph::clearGraph(const QString& why) {
  setGraph(Graph(0), Layout::Circle);
  m_message = why;
}

void TopologyGraph::setNodeErrors(const std::vector<double>& errors, const QString& caption) {
  for (std::size_t i = 0; i < m_errors.size() && i < errors.size(); ++i) m_errors[i] = errors[i];
  m_caption = caption;
  markDirty();
}

void TopologyGraph::setEdgeBytes(int from, int to, std::uint64_t bytes) {
  if (!m_graph.size() || from < 0 || to < 0 || from >= m_graph.size() || to >= m_graph.size()) return;
  m_sent[{from, to}] = bytes;
  markDirty();
}

void TopologyGraph::markDirty() { m_dirty = true; }

void TopologyGraph::layoutNodes() {
  const int n = m_graph.size();
  m_unit.assign(static_cast<std::size_t>(n), QPointF(0.5, 0.5));
  if (m_layout == Layout::Lattice && m_rows > 0 && n % m_rows == 0) {
    const int cols = n / m_rows;
    for (int id = 0; id < n; ++id) {
      const int a = id / cols;
      const int b = id % cols;
      m_unit[static_cast<std::size_t>(id)] =
          QPointF(cols > 1 ? static_cast<double>(b) / (cols - 1) : 0.5,
                  m_rows > 1 ? static_cast<double>(a) / (m_rows - 1) : 0.5);
    }
    return;
  }
  // Node 0 at the top, clockwise; a star's hub sits in the middle with the leaves around it.
  const bool star = m_layout == Layout::Star && n > 1;
  const int around = star ? n - 1 : n;
  for (int id = star ? 1 : 0; id < n; ++id) {
    const int k = star ? id - 1 : id;
    const double angle = -std::numbers::pi / 2 + 2 * std::numbers::pi * k / std::max(1, around);
    m_unit[static_cast<std::size_t>(id)] = QPointF(0.5 + 0.5 * std::cos(angle), 0.5 + 0.5 * std::sin(angle));
  }
}

QRectF TopologyGraph::graphArea() const {
  const double r = nodeRadius();
  // Room for wrap-around stubs of a lattice outside its outermost nodes.
  const double pad = kMargin + r + (m_layout == Layout::Lattice ? 2.5 * r : 0.0);
  QRectF area(pad, kCaptionHeight + pad, width() - kLegendWidth - 2 * pad,
              height() - kCaptionHeight - 2 * pad);
  if (m_layout != Layout::Lattice) {
    const double side = std::min(area.width(), area.height());
    area = QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side);
  } else if (m_rows > 0 && m_graph.size() % m_rows == 0) {
    // Square cells.
    const int cols = m_graph.size() / m_rows;
    const double cell =
        std::min(area.width() / std::max(1, cols - 1), area.height() / std::max(1, m_rows - 1));
    const QSizeF size(cell * std::max(0, cols - 1), cell * std::max(0, m_rows - 1));
    area = QRectF(area.center() - QPointF(size.width() / 2, size.height() / 2), size);
  }
  return area;
}

double TopologyGraph::nodeRadius() const {
  const int n = std::max(1, m_graph.size());
  const double w = std::max(50.0, width() - kLegendWidth - 2 * kMargin);
  const double h = std::max(50.0, height() - kCaptionHeight - 2 * kMargin);
  double spacing;
  if (m_layout == Layout::Lattice && m_rows > 0) {
    const int cols = n / m_rows;
    spacing = std::min(w / (cols + 1.5), h / (m_rows + 1.5));
  } else {
    spacing = std::numbers::pi * std::min(w, h) / n;
  }
  return std::clamp(0.32 * spacing, 3.0, 16.0);
}

QPointF TopologyGraph::nodePosition(int node) const {
  if (node < 0 || node >= static_cast<int>(m_unit.size())) return {};
  const QRectF area = graphArea();
  const QPointF u = m_unit[static_cast<std::size_t>(node)];
  return {area.left() + u.x() * area.width(), area.top() + u.y() * area.height()};
}

bool TopologyGraph::wraps(int i, int j) const {
  if (m_layout != Layout::Lattice || m_rows <= 0 || m_graph.size() % m_rows != 0) return false;
  const int cols = m_graph.size() / m_rows;
  return std::abs(i / cols - j / cols) > 1 || std::abs(i % cols - j % cols) > 1;
}

std::vector<std::pair<QPointF, QPointF>> TopologyGraph::edgeSegments(int i, int j) const {
  const QPointF a = nodePosition(i);
  const QPointF b = nodePosition(j);
  if (!wraps(i, j)) return {{a, b}};
  // The wrap-around edge leaves each end outward, away from the other end: two short stubs.
  const QPointF d = b - a;
  const double length = std::hypot(d.x(), d.y());
  const QPointF unit = length > 0 ? d / length : QPointF(1, 0);
  const double stub = 2.2 * nodeRadius();
  return {{a, a - unit * stub}, {b, b + unit * stub}};
}

double TopologyGraph::nodeError(int node) const {
  return node >= 0 && node < static_cast<int>(m_errors.size()) ? m_errors[static_cast<std::size_t>(node)]
                                                               : std::numeric_limits<double>::quiet_NaN();
}

std::pair<double, double> TopologyGraph::errorRange() const {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (double e : m_errors)
    if (std::isfinite(e)) {
      lo = std::min(lo, e);
      hi = std::max(hi, e);
    }
  return {lo, hi};
}

QColor TopologyGraph::nodeColor(int node) const {
  const double e = nodeError(node);
  if (!std::isfinite(e)) return QColor(200, 200, 200);
  const auto [lo, hi] = errorRange();
  return colorScale(hi > lo ? (e - lo) / (hi - lo) : 0.0);
}

std::uint64_t TopologyGraph::edgeBytes(int i, int j) const {
  std::uint64_t bytes = 0;
  if (const auto found = m_sent.find({i, j}); found != m_sent.end()) bytes += found->second;
  if (const auto found = m_sent.find({j, i}); found != m_sent.end()) bytes += found->second;
  return bytes;
}

std::uint64_t TopologyGraph::maxEdgeBytes() const {
  std::uint64_t most = 0;
  for (const auto& [i, j] : m_edges) most = std::max(most, edgeBytes(i, j));
  return most;
}

double TopologyGraph::maxEdgeWidth() const { return std::clamp(0.6 * nodeRadius(), 2.0, kMaxEdgeWidth); }

double TopologyGraph::edgeWidth(int i, int j) const {
  const std::uint64_t most = maxEdgeBytes();
  if (most == 0) return 1.0;
  return 1.0 + (maxEdgeWidth() - 1.0) * static_cast<double>(edgeBytes(i, j)) / static_cast<double>(most);
}

QString TopologyGraph::toolTipAt(QPointF position) const {
  const double r = nodeRadius();
  for (int i = 0; i < m_graph.size(); ++i) {
    const QPointF p = nodePosition(i);
    if (std::hypot(p.x() - position.x(), p.y() - position.y()) <= r + 2) {
      const double e = nodeError(i);
      return tr("node %1 (degree %2)\n‖x_i − x̄‖² = %3")
          .arg(i)
          .arg(m_graph.degree(i))
          .arg(std::isfinite(e) ? QString::number(e, 'g', 4) : tr("not reported"));
    }
  }
  for (const auto& [i, j] : m_edges)
    for (const auto& [a, b] : edgeSegments(i, j))
      if (distanceToSegment(position, a, b) <= std::max(4.0, edgeWidth(i, j) / 2 + 2)) {
        const auto sent = [this](int from, int to) {
          const auto found = m_sent.find({from, to});
          return formatBytes(found == m_sent.end() ? 0.0 : static_cast<double>(found->second));
        };
        return tr("edge %1 – %2: %3\n%1 → %2: %4\n%2 → %1: %5")
            .arg(i)
            .arg(j)
            .arg(formatBytes(static_cast<double>(edgeBytes(i, j))), sent(i, j), sent(j, i));
      }
  return {};
}

bool TopologyGraph::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = toolTipAt(help->pos());
    if (text.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), text, this);
    return true;
  }
  return QWidget::event(event);
}

void TopologyGraph::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  markDirty();
}

QString TopologyGraph::title() const {
  QFont bold = font();
  bold.setBold(true);
  const QFontMetricsF metrics(bold);
  const double room = width() - 2 * kMargin;
  if (!m_message.isEmpty()) return metrics.elidedText(tr("No graph"), Qt::ElideRight, room);
  // Longest first; the state the colours show (the caption) matters more than the words around the size.
  QStringList candidates{tr("Graph: %1 nodes, %2 edges").arg(nodeCount()).arg(edgeCount()),
                         tr("%1 nodes, %2 edges").arg(nodeCount()).arg(edgeCount()), tr("%1 nodes").arg(nodeCount())};
  if (!m_caption.isEmpty())
    for (QString& candidate : candidates) candidate += QStringLiteral(" — ") + m_caption;
  for (const QString& candidate : candidates)
    if (metrics.horizontalAdvance(candidate) <= room) return candidate;
  return metrics.elidedText(candidates.back(), Qt::ElideRight, room);
}

void TopologyGraph::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.fillRect(rect(), Qt::white);
  QFont bold = font();
  bold.setBold(true);
  painter.setFont(bold);
  painter.setPen(QColor(40, 40, 40));
  painter.drawText(QRectF(kMargin, 4, width() - 2 * kMargin, kCaptionHeight), Qt::AlignLeft | Qt::AlignVCenter,
                   title());
  painter.setFont(font());
  if (!m_message.isEmpty()) {
    painter.drawText(rect().adjusted(20, 40, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, m_message);
    return;
  }

  // Edges under the nodes: busier edges wider and darker.
  const std::uint64_t most = maxEdgeBytes();
  for (const auto& [i, j] : m_edges) {
    const double share = most ? static_cast<double>(edgeBytes(i, j)) / static_cast<double>(most) : 0.0;
    const int grey = static_cast<int>(190 - 140 * share);
    QPen pen(QColor(grey, grey, grey), edgeWidth(i, j));
    pen.setCapStyle(Qt::RoundCap);
    painter.setPen(pen);
    for (const auto& [a, b] : edgeSegments(i, j)) painter.drawLine(a, b);
  }
  const double r = nodeRadius();
  QFont small = font();
  small.setPointSizeF(std::max(6.0, std::min(small.pointSizeF(), r * 0.75)));
  painter.setFont(small);
  for (int i = 0; i < m_graph.size(); ++i) {
    const QPointF p = nodePosition(i);
    const QColor fill = nodeColor(i);
    painter.setPen(QPen(QColor(60, 60, 60), 1.0));
    painter.setBrush(fill);
    painter.drawEllipse(p, r, r);
    if (r >= 8) {
      painter.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
      painter.drawText(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r), Qt::AlignCenter, QString::number(i));
    }
  }
  painter.setFont(font());

  // Legend: the colour scale over the current spread of errors, then the edge widths.
  const double left = width() - kLegendWidth + 8;
  const QRectF bar(left, kCaptionHeight + 40, 18,
                   std::max(60.0, std::min(200.0, height() - kCaptionHeight - 170)));
  painter.setPen(QColor(40, 40, 40));
  painter.drawText(QRectF(left, kCaptionHeight + 8, kLegendWidth - 12, 28), Qt::AlignLeft | Qt::AlignVCenter,
                   tr("‖x_i − x̄‖² per node"));
  QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
  for (int k = 0; k <= 10; ++k) gradient.setColorAt(k / 10.0, colorScale(k / 10.0));
  painter.setPen(QPen(QColor(80, 80, 80), 1.0));
  painter.setBrush(gradient);
  painter.drawRect(bar);
  const auto [lo, hi] = errorRange();
  const bool known = std::isfinite(lo);
  painter.drawText(QRectF(bar.right() + 6, bar.top() - 8, kLegendWidth - 36, 16),
                   Qt::AlignLeft | Qt::AlignVCenter, known ? number(hi) + tr(" (max)") : QStringLiteral("–"));
  painter.drawText(QRectF(bar.right() + 6, bar.bottom() - 8, kLegendWidth - 36, 16),
                   Qt::AlignLeft | Qt::AlignVCenter, known ? number(lo) + tr(" (min)") : QStringLiteral("–"));
  double y = bar.bottom() + 30;
  painter.drawText(QRectF(left, y, kLegendWidth - 12, 34), Qt::AlignLeft | Qt::TextWordWrap,
                   tr("Edges: bytes sent, both ways"));
  y += 44;
  for (const auto& [share, label] :
       {std::pair<double, QString>{0.0, QStringLiteral("0")},
        std::pair<double, QString>{1.0, formatBytes(static_cast<double>(most))}}) {
    const int grey = static_cast<int>(190 - 140 * share);
    QPen pen(QColor(grey, grey, grey), 1.0 + (maxEdgeWidth() - 1.0) * share);
    pen.setCapStyle(Qt::RoundCap);
    painter.setPen(pen);
    painter.drawLine(QPointF(left + 4, y), QPointF(left + 34, y));
    painter.setPen(QColor(40, 40, 40));
    painter.drawText(QRectF(left + 42, y - 9, kLegendWidth - 54, 18), Qt::AlignLeft | Qt::AlignVCenter,
                     label);
    y += 22;
  }
}

}  // namespace distopt::ui
