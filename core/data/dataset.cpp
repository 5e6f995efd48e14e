#include "core/data/dataset.hpp"

#include <vector>

#include "core/util/check.hpp"

namespace distopt {

std::vector<std::int64_t> Dataset::classCounts() const {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(numClasses > 0 ? numClasses : 0), 0);
  for (int label : labels) {
    DISTOPT_CHECK(label >= 0 && label < numClasses);
    ++counts[static_cast<std::size_t>(label)];
  }
  return counts;
}

Dataset::SparseFeatures Dataset::sparseCopy() const {
  if (isSparse) return sparse;
  return dense.cast<double>().sparseView();
}

Dataset::DenseFeatures Dataset::denseCopy() const {
  if (!isSparse) return dense;
  return DenseFeatures(sparse.cast<float>());
}

Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Dataset::denseRows(std::int64_t first,
                                                                                         std::int64_t count) const {
  DISTOPT_CHECK(first >= 0 && count >= 0 && first + count <= numSamples());
  const auto rows = static_cast<Eigen::Index>(count);
  if (!isSparse) return dense.middleRows(static_cast<Eigen::Index>(first), rows).cast<double>();
  return Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>(
      sparse.middleRows(static_cast<Eigen::Index>(first), rows));
}

}  // namespace distopt
