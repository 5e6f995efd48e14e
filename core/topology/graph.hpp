#pragma once
// Undirected communication graphs for decentralized runs (docs/papers.md, decentralized-proxgt §3.3). Nodes
// are 0..n-1; every neighbour list is sorted ascending, so anything that iterates over neighbours (mixing
// sums, message order) is deterministic. Random generators take a seed and redraw until connected.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace distopt {

class Graph {
 public:
  /// `n` isolated nodes.
  explicit Graph(int n = 0);

  /// Adds the undirected edge {i, j}; self-loops and duplicates are ignored.
  void addEdge(int i, int j);

  int size() const { return static_cast<int>(m_neighbours.size()); }
  const std::vector<int>& neighbours(int i) const { return m_neighbours[static_cast<std::size_t>(i)]; }
  int degree(int i) const { return static_cast<int>(neighbours(i).size()); }
  int maxDegree() const;
  std::size_t numEdges() const;
  bool hasEdge(int i, int j) const;
  /// True when every node reaches every other (BFS); a graph of one node is connected.
  bool isConnected() const;
  /// True when every node has the same degree.
  bool isRegular() const;

 private:
  std::vector<std::vector<int>> m_neighbours;
};

enum class GraphKind { Ring, Path, Torus, Grid, Star, Complete, Ladder, Exponential, ErdosRenyi };

/// "ring", "path", "torus", "grid", "star", "complete", "ladder", "exponential", "erdos-renyi".
const char* graphKindName(GraphKind kind);
std::optional<GraphKind> graphKindFromName(const std::string& name);
std::vector<std::string> graphKindNames();

Graph makeRing(int n);                ///< (i, i+1 mod n); n = 2 is one edge, n = 1 none
Graph makePath(int n);                ///< (i, i+1), i < n-1
Graph makeTorus(int rows, int cols);  ///< wrap-around 2-D lattice, node id = a*cols + b
Graph makeGrid(int rows, int cols);   ///< 2-D lattice without wrap-around
Graph makeStar(int n);                ///< hub 0
Graph makeComplete(int n);
Graph makeLadder(int n);       ///< two paths of n/2 plus rungs (i, i + n/2); n even
Graph makeExponential(int n);  ///< (i, i + 2^k mod n) for 2^k < n, symmetrized
/// G(n, p) redrawn until connected; throws InputError(where, ...) after `maxTries` disconnected draws.
Graph makeErdosRenyi(int n, double edgeProbability, std::uint64_t seed, int maxTries = 1000,
                     const std::string& where = "graph");

struct GraphOptions {
  GraphKind kind = GraphKind::Ring;
  int nodes = 8;  ///< >= 1
  /// Torus and grid: number of rows (it must divide `nodes`); 0 picks the most square factorisation.
  int rows = 0;
  /// Erdős–Rényi edge probability in (0, 1]; 0: min(1, 2 ln n / n), decentralized-proxgt §3.3.
  double edgeProbability = 0.0;
  std::uint64_t seed = 1;  ///< Erdős–Rényi draws

  /// Field names in messages: "graph", "graph_rows", "edge_probability".
  bool isValid(std::string* why) const;
};

/// Builds the graph (ErdosRenyi may throw InputError(where, ...) when no connected draw is found).
Graph makeGraph(const GraphOptions& options, const std::string& where = "graph");

/// Rows of the torus/grid for `options` (the given rows, or the most square factorisation).
int latticeRows(const GraphOptions& options);

}  // namespace distopt
