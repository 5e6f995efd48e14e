#include "ui/family/topology_view.hpp"

#include <QSplitter>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "core/registry/option_spec.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/family/topology_graph.hpp"

namespace distopt::ui {
namespace {

// The graph the run builds: the algorithm's params with their defaults filled, the worker count as
// the node count (DecentralizedSimRun does the same), then core/topology's makeGraph.
void showGraphOf(const nlohmann::json& experiment, TopologyGraph* view) {
  const AlgorithmEntry* entry = findAlgorithm(algorithmOf(experiment));
  if (!entry) {
    view->clearGraph(QObject::tr("No decentralized algorithm in the experiment."));
    return;
  }
  nlohmann::json params = experiment["algorithm"].value("params", nlohmann::json::object());
  std::string why;
  if (!validateAndFillOptions(entry->options, params, "algorithm.params", &why)) {
    view->clearGraph(QString::fromStdString(why));
    return;
  }
  const int nodes = experiment.contains("workers") && experiment["workers"].is_object()
                        ? experiment["workers"].value("count", 0)
                        : 0;
  if (nodes < 1) {
    view->clearGraph(QObject::tr("workers.count: the graph needs at least one node"));
    return;
  }
  try {
    GraphOptions options;
    options.kind = *graphKindFromName(params.at("graph").get<std::string>());
    options.nodes = nodes;
    options.rows = params.at("graph_rows").get<int>();
    options.edgeProbability = params.at("edge_probability").get<double>();
    options.seed = params.at("graph_seed").get<std::uint64_t>();
    if (!options.isValid(&why)) {
      view->clearGraph(QString::fromStdString("algorithm.params." + why));
      return;
    }
    const Graph graph = makeGraph(options, "algorithm.params.graph");
    switch (options.kind) {
      case GraphKind::Torus:
      case GraphKind::Grid:
        view->setGraph(graph, TopologyGraph::Layout::Lattice, latticeRows(options));
        break;
      case GraphKind::Star:
        view->setGraph(graph, TopologyGraph::Layout::Star);
        break;
      default:
        view->setGraph(graph, TopologyGraph::Layout::Circle);
    }
  } catch (const std::exception& e) {  // InputError (no connected random draw), or a param of the wrong type
    view->clearGraph(QString::fromUtf8(e.what()));
  }
}

}  // namespace

TopologyView::TopologyView(QWidget* parent)
    : FamilyView(parent),
      m_graph(new TopologyGraph()),
      m_consensus(new LiveChart()),
      m_lines(m_consensus, {{"consensus_error", familyColor(0)},
                            {"tracker_consensus_error", familyColor(1)},
                            {"prox_grad_mapping_norm_sq", familyColor(2)}}) {
  m_consensus->setTitle(tr("Consensus"));
  m_consensus->setYTitle(m_lines.axisTitle());
  m_consensus->setLogY(true);
  m_consensus->setXAxis(XAxis::Updates);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(m_graph);
  split->addWidget(m_consensus);
  // Half and half: the graph's legend and the chart's own legend both need the width.
  split->setSizes({500, 500});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  m_graph->clearGraph(tr("No run yet."));
}

TopologyView::~TopologyView() = default;

void TopologyView::beginRun(const nlohmann::json& experiment) {
  m_lines.clear();
  showGraphOf(experiment, m_graph);
}

void TopologyView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  const EvaluationPoint* latest = nullptr;
  for (const auto& p : points) {
    m_lines.add(p);
    if (p.metrics.contains("node_consensus_error.0")) latest = &p;
  }
  // The graph shows the newest state; older points of the batch are only the chart's.
  if (!latest) return;
  std::vector<double> errors(static_cast<std::size_t>(m_graph->nodeCount()),
                             std::numeric_limits<double>::quiet_NaN());
  for (const auto& [name, value] : latest->metrics)
    if (const auto i = metricIndex(name, "node_consensus_error"); i && *i < m_graph->nodeCount())
      errors[static_cast<std::size_t>(*i)] = value;
  m_graph->setNodeErrors(errors,
                         tr("iteration %1, t = %2").arg(latest->updates).arg(latest->time, 0, 'g', 4));
}

void TopologyView::addBandwidth(const std::vector<BandwidthSample>& samples) {
  for (const auto& s : samples) {
    if (!s.uplink || !s.kind.starts_with("peer:")) continue;
    bool ok = false;
    const int to = QString::fromStdString(s.kind.substr(5)).toInt(&ok);
    if (ok) m_graph->setEdgeBytes(s.worker, to, s.bytes);
  }
}

void TopologyView::refreshNow() {
  m_consensus->refreshNow();
  m_graph->repaint();
}

std::vector<FamilyView::ExportItem> TopologyView::exportItems() const {
  return {{QStringLiteral("family-topology"), tr("Topology: consensus error per node, traffic per edge"),
           nullptr, m_graph},
          {QStringLiteral("family-consensus"), tr("Consensus"), m_consensus, nullptr}};
}

}  // namespace distopt::ui
