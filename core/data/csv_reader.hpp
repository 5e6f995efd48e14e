#pragma once
// Reader for dense CSV tables: one sample per line, comma-separated numbers, one column of which is the
// label and the rest the features. The first line is a header (skipped) when any of its fields is not a
// number. Blank lines are skipped; every other line must have the header's (or the first row's) number
// of fields. The file may be gzip-compressed.
//
// Every malformation throws InputError with where() = "FILE:LINE" and a message naming the problem and
// the column.

#include <cstdint>
#include <string>

#include "core/data/class_labels.hpp"
#include "core/data/dataset.hpp"

namespace distopt {

struct CsvReadOptions {
  /// Column holding the label, 0-based; negative counts from the end (-1 = the last column).
  std::int64_t labelColumn = 0;
  /// Class ids or real values (see class_labels.hpp).
  LabelKind labels = LabelKind::Classes;

  bool isValid(std::string* why) const;
};

/// Reads `path` into a dense Dataset. Throws InputError.
Dataset readCsv(const std::string& path, const CsvReadOptions& options = {});

/// The 0-based column `labelColumn` names in a table of `columns` columns, or -1 when it names none.
std::int64_t labelColumnIndex(std::int64_t labelColumn, std::int64_t columns);

}  // namespace distopt
