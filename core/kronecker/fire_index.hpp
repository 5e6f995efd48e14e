#pragma once
// Fired-neuron index over an inner-product table P (rows = neurons of one block, columns = training points):
// for a point j it lists exactly {r : P[r][j] > b} in ascending r (docs/papers.md, kronecker-async §3.4).
//
// Kinds:
// - FlipSets (default): one m-bit set per point, toggled when a P write changes an entry's fire status;
//   query = count-trailing-zeros scan, O(m/64 + k). Upkeep is folded into the P update.
// - Tree: our reconstruction of the paper's AsynchronizeTree — one max-tree per point, one leaf per
//   neuron; query descends only into children whose max is > b, O(k·log(m/k) + k). Eagerly refreshed
//   for every changed neuron on every point, O(n·|U_t|·log m) per step (EagerTree, kronecker-async §3.4).
// - Scan: a linear scan of column j, O(m): the baseline that shows what an index buys.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/kronecker/kron_data.hpp"

namespace distopt {

/// A complete binary max-tree over `size` leaves (padding leaves hold −∞), stored as an array with the
/// root at 1 and children 2k, 2k+1.
class MaxTree {
 public:
  MaxTree() = default;
  explicit MaxTree(std::span<const double> leaves) { build(leaves); }

  void build(std::span<const double> leaves);
  /// Rewrites one leaf and its ancestors, stopping once a recomputed node keeps its old value.
  void update(std::size_t leaf, double value);
  /// Appends every leaf index with value > threshold (strict), ascending, to `out`.
  void query(double threshold, std::vector<std::uint32_t>& out) const;
  std::size_t size() const { return m_size; }
  double leaf(std::size_t i) const { return m_nodes[m_leaves + i]; }
  /// True when every internal node equals the max of its children (tests).
  bool consistent() const;

 private:
  std::size_t m_size = 0;
  std::size_t m_leaves = 1;  // power of two >= size
  std::vector<double> m_nodes;
};

class FireIndex {
 public:
  enum class Kind { FlipSets, Tree, Scan };

  /// An index over a rows × cols table at threshold b. Call build() before use.
  FireIndex(Kind kind, std::size_t rows, std::size_t cols, double threshold);

  Kind kind() const { return m_kind; }
  /// Rebuilds from the whole table (init, resync).
  void build(const RowMatrix& p);
  /// Must be called for every write P[r][j]: old -> now (FlipSets keeps its bits from these).
  void noteWrite(std::size_t r, std::size_t j, double before, double after) {
    if (m_kind == Kind::FlipSets && ((before > m_threshold) != (after > m_threshold)))
      m_bits[j * m_words + (r >> 6)] ^= std::uint64_t{1} << (r & 63);
  }
  /// After rows `changed` (ascending) of `p` were rewritten: Tree refreshes every point's leaves.
  void refreshRows(const RowMatrix& p, std::span<const std::uint32_t> changed);
  /// Replaces `out` by the fired rows of column j, ascending.
  void query(const RowMatrix& p, std::size_t j, std::vector<std::uint32_t>& out) const;

 private:
  Kind m_kind;
  std::size_t m_rows;
  std::size_t m_cols;
  double m_threshold;
  std::size_t m_words = 0;
  std::vector<std::uint64_t> m_bits;  // FlipSets: point-major bitsets
  std::vector<MaxTree> m_trees;       // Tree: one per point
};

/// "flipsets", "tree", "scan".
const char* fireIndexKindName(FireIndex::Kind kind);

}  // namespace distopt
