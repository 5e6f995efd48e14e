#pragma once
// One entry point for a labelled data file a user names in an experiment, whatever its format: by name,
// *.csv[.gz] is a dense CSV table, *.npy[.gz] a NumPy array, anything else LIBSVM (sparse text).
// IDX image sets (MNIST, Fashion-MNIST) come in two files and have their own reader (idx_reader.hpp).

#include <cstdint>
#include <string>

#include "core/data/class_labels.hpp"
#include "core/data/dataset.hpp"

namespace distopt {

enum class DataFileFormat { Libsvm, Csv, Npy };

/// The format a file name implies (see above).
DataFileFormat dataFileFormatOf(const std::string& path);

struct DataFileReadOptions {
  /// LIBSVM: the feature count (0 = the largest index in the file); CSV/NPY: must match the file's
  /// feature columns when not 0.
  std::int64_t numFeatures = 0;
  /// CSV/NPY: the label column, 0-based, negative from the end.
  std::int64_t labelColumn = 0;
  LabelKind labels = LabelKind::Classes;

  bool isValid(std::string* why) const;
};

/// Reads a labelled data set; throws InputError naming the file and line or offset.
Dataset readDataFile(const std::string& path, const DataFileReadOptions& options = {});

/// The first `count` samples of `data` (count <= data.numSamples()), classes and features kept.
Dataset firstSamples(const Dataset& data, std::int64_t count);

}  // namespace distopt
