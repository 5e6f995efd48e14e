#pragma once
// An in-memory labelled data set as the readers and generators produce it and the data problems
// consume it. Features are either sparse (LIBSVM files such as a9a, where a dense copy would waste
// memory and time) or dense single precision (images: Fashion-MNIST's 60,000 x 784 pixels are 188 MB
// as float and twice that as double; problems widen a batch to double when they compute on it).

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace distopt {

struct Dataset {
  using SparseFeatures = Eigen::SparseMatrix<double, Eigen::RowMajor>;
  using DenseFeatures = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// true: `sparse` holds the features (one row per sample); false: `dense` does.
  bool isSparse = false;
  SparseFeatures sparse;
  DenseFeatures dense;

  /// Class id of each sample, in [0, numClasses).
  std::vector<int> labels;
  /// Number of classes; class ids never reach it. At least 2 for a binary set even if one class is absent.
  int numClasses = 0;
  /// The label value written in the file for each class id when it differs from the id itself
  /// (LIBSVM +1/-1 files: {-1, +1}, so class 0 is -1 and class 1 is +1); empty otherwise.
  std::vector<double> classValues;
  /// Regression data only (least squares): the real-valued label of each sample; empty otherwise.
  std::vector<double> targets;
  /// Where the data came from (file path or generator name), for messages.
  std::string source;

  std::int64_t numSamples() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t numFeatures() const { return isSparse ? sparse.cols() : dense.cols(); }

  /// Number of samples of each class (size numClasses).
  std::vector<std::int64_t> classCounts() const;
  /// The features as a sparse double matrix (a copy; converts dense features, dropping zeros).
  SparseFeatures sparseCopy() const;
  /// The features as a dense float matrix (a copy; densifies sparse features).
  DenseFeatures denseCopy() const;
  /// Rows [first, first + count) as a dense double matrix, for batched computation on dense data.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> denseRows(std::int64_t first,
                                                                                  std::int64_t count) const;
};

}  // namespace distopt
