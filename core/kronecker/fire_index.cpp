#include "core/kronecker/fire_index.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "core/util/check.hpp"

namespace distopt {

void MaxTree::build(std::span<const double> leaves) {
  m_size = leaves.size();
  m_leaves = std::bit_ceil(std::max<std::size_t>(m_size, 1));
  m_nodes.assign(2 * m_leaves, -std::numeric_limits<double>::infinity());
  std::copy(leaves.begin(), leaves.end(), m_nodes.begin() + static_cast<std::ptrdiff_t>(m_leaves));
  for (std::size_t k = m_leaves - 1; k >= 1; --k) m_nodes[k] = std::max(m_nodes[2 * k], m_nodes[2 * k + 1]);
}

void MaxTree::update(std::size_t leaf, double value) {
  DISTOPT_CHECK(leaf < m_size);
  std::size_t k = m_leaves + leaf;
  m_nodes[k] = value;
  for (k >>= 1; k >= 1; k >>= 1) {
    const double next = std::max(m_nodes[2 * k], m_nodes[2 * k + 1]);
    if (next == m_nodes[k]) break;
    m_nodes[k] = next;
  }
}

void MaxTree::query(double threshold, std::vector<std::uint32_t>& out) const {
  if (m_size == 0 || !(m_nodes[1] > threshold)) return;
  // Depth-first, left child first, so leaves come out ascending. Depth <= 64.
  std::size_t stack[128];
  std::size_t top = 0;
  stack[top++] = 1;
  while (top > 0) {
    const std::size_t k = stack[--top];
    if (k >= m_leaves) {
      out.push_back(static_cast<std::uint32_t>(k - m_leaves));
      continue;
    }
    if (m_nodes[2 * k + 1] > threshold) stack[top++] = 2 * k + 1;
    if (m_nodes[2 * k] > threshold) stack[top++] = 2 * k;
  }
}

bool MaxTree::consistent() const {
  for (std::size_t k = 1; k < m_leaves; ++k)
    if (m_nodes[k] != std::max(m_nodes[2 * k], m_nodes[2 * k + 1])) return false;
  for (std::size_t i = m_size; i < m_leaves; ++i)
    if (m_nodes[m_leaves + i] != -std::numeric_limits<double>::infinity()) return false;
  return true;
}

FireIndex::FireIndex(Kind kind, std::size_t rows, std::size_t cols, double threshold)
    : m_kind(kind), m_rows(rows), m_cols(cols), m_threshold(threshold), m_words((rows + 63) / 64) {}

void FireIndex::build(const RowMatrix& p) {
  DISTOPT_CHECK(static_cast<std::size_t>(p.rows()) == m_rows && static_cast<std::size_t>(p.cols()) == m_cols);
  if (m_kind == Kind::FlipSets) {
    m_bits.assign(m_cols * m_words, 0);
    for (std::size_t r = 0; r < m_rows; ++r)
      for (std::size_t j = 0; j < m_cols; ++j)
        if (p(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) > m_threshold)
          m_bits[j * m_words + (r >> 6)] |= std::uint64_t{1} << (r & 63);
  } else if (m_kind == Kind::Tree) {
    m_trees.resize(m_cols);
    std::vector<double> column(m_rows);
    for (std::size_t j = 0; j < m_cols; ++j) {
      for (std::size_t r = 0; r < m_rows; ++r)
        column[r] = p(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j));
      m_trees[j].build(column);
    }
  }
}

void FireIndex::refreshRows(const RowMatrix& p, std::span<const std::uint32_t> changed) {
  if (m_kind != Kind::Tree) return;
  for (std::size_t j = 0; j < m_cols; ++j) {
    MaxTree& tree = m_trees[j];
    for (const std::uint32_t r : changed)
      tree.update(r, p(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)));
  }
}

void FireIndex::query(const RowMatrix& p, std::size_t j, std::vector<std::uint32_t>& out) const {
  DISTOPT_CHECK(j < m_cols);
  out.clear();
  switch (m_kind) {
    case Kind::FlipSets: {
      const std::uint64_t* words = m_bits.data() + j * m_words;
      for (std::size_t w = 0; w < m_words; ++w) {
        std::uint64_t bits = words[w];
        while (bits != 0) {
          out.push_back(
              static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
          bits &= bits - 1;
        }
      }
      break;
    }
    case Kind::Tree:
      m_trees[j].query(m_threshold, out);
      break;
    case Kind::Scan:
      for (std::size_t r = 0; r < m_rows; ++r)
        if (p(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) > m_threshold)
          out.push_back(static_cast<std::uint32_t>(r));
      break;
  }
}

const char* fireIndexKindName(FireIndex::Kind kind) {
  switch (kind) {
    case FireIndex::Kind::FlipSets:
      return "flipsets";
    case FireIndex::Kind::Tree:
      return "tree";
    case FireIndex::Kind::Scan:
      return "scan";
  }
  return "flipsets";
}

}  // namespace distopt
