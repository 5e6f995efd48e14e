#include "core/data/csv_reader.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "core/data/gz_file.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

std::string_view trimmed(std::string_view text) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool parseNumber(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && std::isfinite(value);
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(trimmed(
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() > kMax) return "'" + std::string(text.substr(0, kMax)) + "...'";
  return "'" + std::string(text) + "'";
}

}  // namespace

bool CsvReadOptions::isValid(std::string* why) const {
  if (labelColumn < -1000000 || labelColumn > 1000000) {
    if (why) *why = "label_column: must be a column index (0-based; negative counts from the end)";
    return false;
  }
  return true;
}

std::int64_t labelColumnIndex(std::int64_t labelColumn, std::int64_t columns) {
  const std::int64_t index = labelColumn < 0 ? columns + labelColumn : labelColumn;
  return index >= 0 && index < columns ? index : -1;
}

Dataset readCsv(const std::string& path, const CsvReadOptions& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  const std::string text = GzFile(path).readAll();
  const auto fail = [&](std::int64_t line, const std::string& message) -> void {
    throw InputError(path + ":" + std::to_string(line), message);
  };

  std::int64_t columns = 0;
  std::int64_t labelIndex = -1;
  std::vector<float> features;
  std::vector<double> labelValues;
  std::vector<std::string> places;
  std::size_t pos = 0;
  std::int64_t lineNumber = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++lineNumber;
    const std::string_view line = trimmed(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    const auto fields = splitFields(line);
    if (first) {
      first = false;
      columns = static_cast<std::int64_t>(fields.size());
      if (columns < 2)
        fail(lineNumber, "a table needs a label column and at least one feature column (found 1 column)");
      labelIndex = labelColumnIndex(options.labelColumn, columns);
      if (labelIndex < 0) {
        fail(lineNumber, "label column " + std::to_string(options.labelColumn) + " is outside the " +
                             std::to_string(columns) + " columns");
      }
      double ignored = 0.0;
      bool header = false;
      for (const auto field : fields) header = header || !parseNumber(field, ignored);
      if (header) continue;
    }
    if (static_cast<std::int64_t>(fields.size()) != columns) {
      fail(lineNumber,
           "has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(columns));
    }
    for (std::int64_t c = 0; c < columns; ++c) {
      double value = 0.0;
      if (!parseNumber(fields[static_cast<std::size_t>(c)], value)) {
        fail(lineNumber, "column " + std::to_string(c) + ": " + quoted(fields[static_cast<std::size_t>(c)]) +
                             " is not a finite number");
      }
      if (c == labelIndex) {
        labelValues.push_back(value);
      } else {
        features.push_back(static_cast<float>(value));
      }
    }
    places.push_back(path + ":" + std::to_string(lineNumber));
  }
  if (labelValues.empty()) throw InputError(path, "no samples (the file is empty or only has a header)");

  Dataset data;
  data.source = path;
  data.isSparse = false;
  const auto rows = static_cast<Eigen::Index>(labelValues.size());
  data.dense =
      Eigen::Map<const Dataset::DenseFeatures>(features.data(), rows, static_cast<Eigen::Index>(columns - 1));
  assignLabels(data, labelValues, places, options.labels);
  return data;
}

}  // namespace distopt
