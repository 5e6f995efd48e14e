#include "core/data/data_file.hpp"

#include "core/data/csv_reader.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/data/npy_reader.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

DataFileFormat dataFileFormatOf(const std::string& path) {
  std::string name = path;
  if (endsWith(name, ".gz")) name.resize(name.size() - 3);
  if (endsWith(name, ".csv") || endsWith(name, ".CSV")) return DataFileFormat::Csv;
  if (endsWith(name, ".npy")) return DataFileFormat::Npy;
  return DataFileFormat::Libsvm;
}

bool DataFileReadOptions::isValid(std::string* why) const {
  if (numFeatures < 0) {
    if (why) *why = "features: must be >= 0 (0 = as the file has)";
    return false;
  }
  return CsvReadOptions{.labelColumn = labelColumn, .labels = labels}.isValid(why);
}

Dataset readDataFile(const std::string& path, const DataFileReadOptions& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  Dataset data;
  switch (dataFileFormatOf(path)) {
    case DataFileFormat::Libsvm:
      data = readLibsvm(
          path, {.numFeatures = options.numFeatures, .realLabels = options.labels == LabelKind::Values});
      return data;
    case DataFileFormat::Csv:
      data = readCsv(path, {.labelColumn = options.labelColumn, .labels = options.labels});
      break;
    case DataFileFormat::Npy:
      data = readNpy(path, {.labelColumn = options.labelColumn, .labels = options.labels});
      break;
  }
  if (options.numFeatures > 0 && data.numFeatures() != options.numFeatures) {
    throw InputError(path, "has " + std::to_string(data.numFeatures()) + " feature columns, expected " +
                               std::to_string(options.numFeatures) + " (as the training data)");
  }
  return data;
}

Dataset firstSamples(const Dataset& data, std::int64_t count) {
  DISTOPT_CHECK(count >= 0 && count <= data.numSamples());
  Dataset first = data;
  const auto rows = static_cast<Eigen::Index>(count);
  if (data.isSparse) {
    first.sparse = data.sparse.topRows(rows);
  } else {
    first.dense = data.dense.topRows(rows);
  }
  first.labels.resize(static_cast<std::size_t>(count));
  if (!first.targets.empty()) first.targets.resize(static_cast<std::size_t>(count));
  return first;
}

}  // namespace distopt
