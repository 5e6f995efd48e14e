#pragma once
// The communication graph of a decentralized run, drawn: nodes coloured by their consensus error
// ‖x_i − x̄‖² (a blue-to-red scale over the current spread, with a legend), edges as wide and as dark
// as the bytes they carried both ways, tooltips with the numbers. Circular layout (a star's hub in the
// middle), or the lattice itself for torus and grid. Repaints on the dashboard's ~30 Hz frame timer
// only when something changed. Thread: GUI thread only.

#include <QColor>
#include <QPointF>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/topology/graph.hpp"

class QTimer;

namespace distopt::ui {

class TopologyGraph : public QWidget {
  Q_OBJECT

 public:
  enum class Layout { Circle, Star, Lattice };

  explicit TopologyGraph(QWidget* parent = nullptr);

  /// Shows `graph` (values cleared). Lattice: `rows` rows, node id = row * cols + col.
  void setGraph(const distopt::Graph& graph, Layout layout, int rows = 0);
  /// No graph, with the reason shown instead (e.g. the experiment's topology is invalid).
  void clearGraph(const QString& why);
  /// Consensus error per node (NaN: not reported), as of `caption` (e.g. the iteration).
  void setNodeErrors(const std::vector<double>& errors, const QString& caption);
  /// Cumulative bytes node `from` sent to neighbour `to`.
  void setEdgeBytes(int from, int to, std::uint64_t bytes);

  int nodeCount() const { return m_graph.size(); }
  int edgeCount() const { return static_cast<int>(m_edges.size()); }
  const std::vector<std::pair<int, int>>& edges() const { return m_edges; }
  double nodeError(int node) const;
  /// The fill of a node as drawn: the colour scale at its error's place between the smallest and the
  /// largest error (grey while unknown).
  QColor nodeColor(int node) const;
  /// Bytes over the undirected edge {i, j}, both directions.
  std::uint64_t edgeBytes(int i, int j) const;
  /// Pen width the edge is drawn with (1 px for no traffic up to maxEdgeWidth() for the busiest edge).
  double edgeWidth(int i, int j) const;
  /// The busiest edge's width: kMaxEdgeWidth, less when small nodes (many of them) would drown in it.
  double maxEdgeWidth() const;
  /// Where node i is drawn, in widget coordinates.
  QPointF nodePosition(int node) const;
  /// The tooltip for a widget position: a node's or an edge's numbers; "" over nothing.
  QString toolTipAt(QPointF position) const;
  QString message() const { return m_message; }
  /// The title line as drawn, fitted to the widget's width: the graph's size and the state it shows
  /// ("— iteration 300, t = 12.5"); when both do not fit, the state keeps its place and the graph's
  /// size shortens, then the end is elided.
  QString title() const;

  /// The colour scale: t = 0 cold (blue), 1 hot (red).
  static QColor colorScale(double t);
  static constexpr double kMaxEdgeWidth = 7.0;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void layoutNodes();
  void markDirty();
  /// True when the edge joins lattice neighbours across the wrap-around (drawn as two stubs).
  bool wraps(int i, int j) const;
  /// The segments an edge is drawn as: one line, or two stubs out of the lattice for a wrap edge.
  std::vector<std::pair<QPointF, QPointF>> edgeSegments(int i, int j) const;
  QRectF graphArea() const;
  double nodeRadius() const;
  std::pair<double, double> errorRange() const;
  std::uint64_t maxEdgeBytes() const;

  distopt::Graph m_graph;
  Layout m_layout = Layout::Circle;
  int m_rows = 0;
  std::vector<std::pair<int, int>> m_edges;  ///< i < j
  std::vector<QPointF> m_unit;               ///< node positions in [0, 1]^2
  std::vector<double> m_errors;
  std::map<std::pair<int, int>, std::uint64_t> m_sent;  ///< (from, to) -> cumulative bytes
  QString m_caption;
  QString m_message;
  QTimer* m_timer = nullptr;
  bool m_dirty = false;
};

}  // namespace distopt::ui
