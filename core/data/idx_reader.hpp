#pragma once
// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte
// magic (two zero bytes, a type code, the number of dimensions), the dimensions as big-endian 32-bit
// integers, then the values. Only unsigned-byte data is supported (type 0x08): images have 3 dimensions
// (count, rows, cols), labels 1. Files may be gzip-compressed (the usual *.gz downloads) or plain.
//
// Every malformation throws InputError with where() = the file path and a message naming the problem
// (bad magic, truncated header or data, image/label count mismatch).

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace distopt {

struct IdxImages {
  std::int64_t declaredCount = 0;  ///< image count in the header (the file may be read partially)
  int rows = 0;
  int cols = 0;
  /// One row per image read, rows*cols pixels in row-major order, scaled from 0..255 to [0, 1].
  Dataset::DenseFeatures pixels;
};

struct IdxLabels {
  std::int64_t declaredCount = 0;  ///< label count in the header
  std::vector<int> labels;         ///< the labels read, 0..255
};

/// Reads the first `limit` images of `path` (all when limit is 0). Throws InputError.
IdxImages readIdxImages(const std::string& path, std::int64_t limit = 0);
/// Reads the first `limit` labels of `path` (all when limit is 0). Throws InputError.
IdxLabels readIdxLabels(const std::string& path, std::int64_t limit = 0);

struct IdxReadOptions {
  /// Use only the first `limit` samples; 0 = all (async-sgd E2 trains on the first 100 images).
  std::int64_t limit = 0;
  /// Pixels become (p - pixelMean) / pixelStd after scaling to [0, 1]; the defaults leave them in
  /// [0, 1]. MNIST's customary normalisation is mean 0.1307, std 0.3081.
  double pixelMean = 0.0;
  double pixelStd = 1.0;

  bool isValid(std::string* why) const;
};

/// Reads an image file and its label file into a dense Dataset; the header counts must agree.
/// numClasses is the largest label + 1 (at least 2). Throws InputError.
Dataset readIdxDataset(const std::string& imagesPath, const std::string& labelsPath,
                       const IdxReadOptions& options = {});

}  // namespace distopt
