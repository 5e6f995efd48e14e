#pragma once
// Reader for NumPy .npy files (format versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", the version,
// the header length, a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (rows, cols)},
// then the values. A data set is one 2-D array, one column of which is the label. Supported types:
// little-endian (or byte-sized) float32/64, int8/16/32/64, uint8/16/32/64, bool. The file may be
// gzip-compressed.
//
// Every malformation throws InputError with where() = "FILE" and a message giving the byte offset.

#include <cstdint>
#include <string>

#include "core/data/class_labels.hpp"
#include "core/data/dataset.hpp"

namespace distopt {

struct NpyReadOptions {
  /// Column holding the label, 0-based; negative counts from the end (-1 = the last column).
  std::int64_t labelColumn = 0;
  /// Class ids or real values (see class_labels.hpp).
  LabelKind labels = LabelKind::Classes;

  bool isValid(std::string* why) const;
};

/// Reads `path` into a dense Dataset. Throws InputError.
Dataset readNpy(const std::string& path, const NpyReadOptions& options = {});

}  // namespace distopt
