#include "core/topology/graph.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include "core/util/check.hpp"
#include "core/util/input_error.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

Graph::Graph(int n) : m_neighbours(static_cast<std::size_t>(std::max(n, 0))) {}

void Graph::addEdge(int i, int j) {
  DISTOPT_CHECK(i >= 0 && j >= 0 && i < size() && j < size());
  if (i == j || hasEdge(i, j)) return;
  auto insert = [](std::vector<int>& list, int value) {
    list.insert(std::lower_bound(list.begin(), list.end(), value), value);
  };
  insert(m_neighbours[static_cast<std::size_t>(i)], j);
  insert(m_neighbours[static_cast<std::size_t>(j)], i);
}

int Graph::maxDegree() const {
  int best = 0;
  for (int i = 0; i < size(); ++i) best = std::max(best, degree(i));
  return best;
}

std::size_t Graph::numEdges() const {
  std::size_t twice = 0;
  for (const auto& list : m_neighbours) twice += list.size();
  return twice / 2;
}

bool Graph::hasEdge(int i, int j) const {
  const auto& list = neighbours(i);
  return std::binary_search(list.begin(), list.end(), j);
}

bool Graph::isConnected() const {
  if (size() <= 1) return true;
  std::vector<char> seen(static_cast<std::size_t>(size()), 0);
  std::queue<int> frontier;
  frontier.push(0);
  seen[0] = 1;
  int reached = 1;
  while (!frontier.empty()) {
    const int node = frontier.front();
    frontier.pop();
    for (int next : neighbours(node)) {
      if (seen[static_cast<std::size_t>(next)]) continue;
      seen[static_cast<std::size_t>(next)] = 1;
      ++reached;
      frontier.push(next);
    }
  }
  return reached == size();
}

bool Graph::isRegular() const {
  for (int i = 1; i < size(); ++i)
    if (degree(i) != degree(0)) return false;
  return true;
}

namespace {

struct KindName {
  GraphKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {GraphKind::Ring, "ring"},
    {GraphKind::Path, "path"},
    {GraphKind::Torus, "torus"},
    {GraphKind::Grid, "grid"},
    {GraphKind::Star, "star"},
    {GraphKind::Complete, "complete"},
    {GraphKind::Ladder, "ladder"},
    {GraphKind::Exponential, "exponential"},
    {GraphKind::ErdosRenyi, "erdos-renyi"},
};

Graph lattice(int rows, int cols, bool wrap) {
  DISTOPT_CHECK(rows >= 1 && cols >= 1);
  Graph graph(rows * cols);
  for (int a = 0; a < rows; ++a) {
    for (int b = 0; b < cols; ++b) {
      const int id = a * cols + b;
      if (a + 1 < rows || (wrap && rows > 1)) graph.addEdge(id, ((a + 1) % rows) * cols + b);
      if (b + 1 < cols || (wrap && cols > 1)) graph.addEdge(id, a * cols + (b + 1) % cols);
    }
  }
  return graph;
}

}  // namespace

const char* graphKindName(GraphKind kind) {
  for (const auto& entry : kKindNames)
    if (entry.kind == kind) return entry.name;
  return "?";
}

std::optional<GraphKind> graphKindFromName(const std::string& name) {
  for (const auto& entry : kKindNames)
    if (name == entry.name) return entry.kind;
  return std::nullopt;
}

std::vector<std::string> graphKindNames() {
  std::vector<std::string> names;
  for (const auto& entry : kKindNames) names.emplace_back(entry.name);
  return names;
}

Graph makeRing(int n) {
  Graph graph(n);
  for (int i = 0; i + 1 < n; ++i) graph.addEdge(i, i + 1);
  if (n >= 3) graph.addEdge(n - 1, 0);
  return graph;
}

Graph makePath(int n) {
  Graph graph(n);
  for (int i = 0; i + 1 < n; ++i) graph.addEdge(i, i + 1);
  return graph;
}

Graph makeTorus(int rows, int cols) { return lattice(rows, cols, true); }
Graph makeGrid(int rows, int cols) { return lattice(rows, cols, false); }

Graph makeStar(int n) {
  Graph graph(n);
  for (int i = 1; i < n; ++i) graph.addEdge(0, i);
  return graph;
}

Graph makeComplete(int n) {
  Graph graph(n);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) graph.addEdge(i, j);
  return graph;
}

Graph makeLadder(int n) {
  DISTOPT_CHECK(n % 2 == 0);
  const int half = n / 2;
  Graph graph(n);
  for (int i = 0; i + 1 < half; ++i) {
    graph.addEdge(i, i + 1);
    graph.addEdge(half + i, half + i + 1);
  }
  for (int i = 0; i < half; ++i) graph.addEdge(i, i + half);
  return graph;
}

Graph makeExponential(int n) {
  Graph graph(n);
  for (int i = 0; i < n; ++i)
    for (long long hop = 1; hop < n; hop *= 2) graph.addEdge(i, static_cast<int>((i + hop) % n));
  return graph;
}

Graph makeErdosRenyi(int n, double edgeProbability, std::uint64_t seed, int maxTries,
                     const std::string& where) {
  DISTOPT_CHECK(edgeProbability > 0.0 && edgeProbability <= 1.0);
  for (int attempt = 0; attempt < maxTries; ++attempt) {
    // One stream per attempt: a redraw never depends on how far the previous one got.
    RandomStream stream(StreamKey{.runSeed = seed,
                                  .purpose = StreamPurpose::Data,
                                  .worker = StreamKey::kNoWorker,
                                  .job = 0x6772617068ULL + static_cast<std::uint64_t>(attempt)});
    Graph graph(n);
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j)
        if (stream.uniform() < edgeProbability) graph.addEdge(i, j);
    if (graph.isConnected()) return graph;
  }
  throw InputError(where, "no connected Erdős–Rényi graph in " + std::to_string(maxTries) +
                              " draws; raise edge_probability");
}

bool GraphOptions::isValid(std::string* why) const {
  auto fail = [why](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  if (nodes < 1) return fail("graph: needs at least one node");
  if (!(edgeProbability >= 0.0 && edgeProbability <= 1.0))
    return fail("edge_probability: must be in (0, 1], or 0 for the default 2 ln n / n");
  if (kind == GraphKind::Ladder && nodes % 2 != 0)
    return fail("graph: a ladder needs an even number of nodes");
  if ((kind == GraphKind::Torus || kind == GraphKind::Grid) && rows != 0) {
    if (rows < 1 || nodes % rows != 0)
      return fail("graph_rows: must divide the number of nodes (" + std::to_string(nodes) + ")");
  }
  if (rows < 0) return fail("graph_rows: must be >= 0");
  return true;
}

int latticeRows(const GraphOptions& options) {
  if (options.rows > 0) return options.rows;
  int rows = static_cast<int>(std::floor(std::sqrt(static_cast<double>(options.nodes))));
  while (rows > 1 && options.nodes % rows != 0) --rows;
  return std::max(rows, 1);
}

Graph makeGraph(const GraphOptions& options, const std::string& where) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  const int n = options.nodes;
  switch (options.kind) {
    case GraphKind::Ring:
      return makeRing(n);
    case GraphKind::Path:
      return makePath(n);
    case GraphKind::Torus: {
      const int rows = latticeRows(options);
      return makeTorus(rows, n / rows);
    }
    case GraphKind::Grid: {
      const int rows = latticeRows(options);
      return makeGrid(rows, n / rows);
    }
    case GraphKind::Star:
      return makeStar(n);
    case GraphKind::Complete:
      return makeComplete(n);
    case GraphKind::Ladder:
      return makeLadder(n);
    case GraphKind::Exponential:
      return makeExponential(n);
    case GraphKind::ErdosRenyi: {
      if (n == 1) return Graph(1);
      const double p = options.edgeProbability > 0.0
                           ? options.edgeProbability
                           : std::min(1.0, 2.0 * std::log(static_cast<double>(n)) / static_cast<double>(n));
      return makeErdosRenyi(n, p, options.seed, 1000, where);
    }
  }
  return Graph(n);
}

}  // namespace distopt
