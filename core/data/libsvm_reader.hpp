#pragma once
// Reader for the LIBSVM sparse text format: one sample per line, `label index:value index:value ...`,
// 1-based strictly increasing feature indices, '#' starts a comment, blank lines are skipped. The file
// may be gzip-compressed.
//
// Labels: +1/-1 files (binary, the usual LIBSVM convention) become class ids 0 (for -1) and 1 (for +1)
// with classValues = {-1, +1}; files with non-negative integer labels (0/1, or class ids 0..K-1) keep
// them as class ids and have max label + 1 classes (at least 2). Any other label (a fraction, a negative
// number other than -1 in a +1/-1 file, multi-label "1,3") is an error.
//
// Every malformation throws InputError with where() = "FILE:LINE" and a message naming the problem.

#include <cstdint>
#include <string>

#include "core/data/dataset.hpp"

namespace distopt {

struct LibsvmReadOptions {
  /// Number of features (columns). 0 = the largest index found in the file. Set it when a file may not
  /// use the last feature (a9a.t never uses feature 123 of a9a's 123) so train and test agree; an index
  /// beyond it is then an error.
  std::int64_t numFeatures = 0;
  /// Keep each label as a real value in Dataset::targets (regression data for least squares) instead of
  /// making it a class id; labels are then all 0 and numClasses 1.
  bool realLabels = false;

  bool isValid(std::string* why) const;
};

/// Reads `path` into a sparse Dataset (isSparse = true). Throws InputError.
Dataset readLibsvm(const std::string& path, const LibsvmReadOptions& options = {});

}  // namespace distopt
