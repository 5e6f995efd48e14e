#include "core/data/libsvm_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "core/data/gz_file.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// std::from_chars rejects a leading '+', which LIBSVM files use for labels ("+1").
bool parseDouble(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && std::isfinite(value);
}

bool parseIndex(std::string_view text, std::int64_t& value) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() > kMax) return "'" + std::string(text.substr(0, kMax)) + "...'";
  return "'" + std::string(text) + "'";
}

}  // namespace

bool LibsvmReadOptions::isValid(std::string* why) const {
  if (numFeatures < 0) {
    if (why) *why = "numFeatures must be >= 0 (0 = infer from the file)";
    return false;
  }
  return true;
}

Dataset readLibsvm(const std::string& path, const LibsvmReadOptions& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  const std::string text = GzFile(path).readAll();

  // CSR arrays built directly: a9a has ~450k non-zeros, and triplets would double the memory traffic.
  std::vector<int> outer{0};
  std::vector<int> inner;
  std::vector<double> values;
  std::vector<std::int64_t> rawLabels;
  std::vector<double> targets;  // options.realLabels only
  std::int64_t maxIndex = 0;
  std::int64_t firstNegativeLine = 0;  // first line with a label < 0 other than -1
  std::int64_t firstMinusOneLine = 0;
  std::int64_t firstNonBinaryLine = 0;  // first line with a label outside {-1, +1}
  std::int64_t nonBinaryLabel = 0;
  std::int64_t negativeLabel = 0;

  const auto fail = [&](std::int64_t line, const std::string& message) -> void {
    throw InputError(path + ":" + std::to_string(line), message);
  };

  std::size_t pos = 0;
  std::int64_t lineNumber = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++lineNumber;
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);

    std::size_t at = 0;
    auto nextToken = [&]() -> std::string_view {
      while (at < line.size() && isSpace(line[at])) ++at;
      const std::size_t start = at;
      while (at < line.size() && !isSpace(line[at])) ++at;
      return line.substr(start, at - start);
    };

    const std::string_view labelToken = nextToken();
    if (labelToken.empty()) continue;  // blank or comment-only line
    double labelValue = 0.0;
    if (options.realLabels) {
      if (!parseDouble(labelToken, labelValue)) {
        fail(lineNumber,
             "bad label " + quoted(labelToken) + ": expected a finite number (a regression target)");
      }
      targets.push_back(labelValue);
    }
    // Regression rows pass the class checks below as label +1; the targets replace the labels at the end.
    const std::string_view classToken = options.realLabels ? std::string_view("1") : labelToken;
    if (!parseDouble(classToken, labelValue) || labelValue != std::floor(labelValue) ||
        std::abs(labelValue) > 1e9) {
      fail(lineNumber, "bad label " + quoted(labelToken) +
                           ": expected an integer class label such as +1, -1, 0 or 3");
    }
    const auto label = static_cast<std::int64_t>(labelValue);
    if (label < -1 && firstNegativeLine == 0) {
      firstNegativeLine = lineNumber;
      negativeLabel = label;
    }
    if (label == -1 && firstMinusOneLine == 0) firstMinusOneLine = lineNumber;
    if (label != -1 && label != 1 && firstNonBinaryLine == 0) {
      firstNonBinaryLine = lineNumber;
      nonBinaryLabel = label;
    }
    rawLabels.push_back(label);

    std::int64_t previous = 0;
    for (std::string_view token = nextToken(); !token.empty(); token = nextToken()) {
      const auto colon = token.find(':');
      std::int64_t index = 0;
      double value = 0.0;
      if (colon == std::string_view::npos || !parseIndex(token.substr(0, colon), index) ||
          !parseDouble(token.substr(colon + 1), value)) {
        fail(lineNumber, "bad token " + quoted(token) + ": expected INDEX:VALUE with a positive integer index and a "
                         "finite number");
      }
      if (index == 0) fail(lineNumber, "feature index 0 in " + quoted(token) + ": indices are 1-based");
      if (index <= previous) {
        fail(lineNumber, "feature index " + std::to_string(index) + " after " + std::to_string(previous) +
                             ": indices must be strictly increasing within a line");
      }
      if (options.numFeatures > 0 && index > options.numFeatures) {
        fail(lineNumber, "feature index " + std::to_string(index) + " beyond the declared feature count " +
                             std::to_string(options.numFeatures));
      }
      if (index > std::numeric_limits<int>::max()) {
        fail(lineNumber, "feature index " + std::to_string(index) + " is too large");
      }
      previous = index;
      inner.push_back(static_cast<int>(index - 1));
      values.push_back(value);
    }
    maxIndex = std::max(maxIndex, previous);
    if (inner.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      fail(lineNumber, "too many non-zero values for one data set");
    }
    outer.push_back(static_cast<int>(inner.size()));
  }

  if (rawLabels.empty()) throw InputError(path, "no samples (the file is empty or only has comments)");

  Dataset data;
  data.source = path;
  data.isSparse = true;
  data.labels.resize(rawLabels.size());
  if (options.realLabels) {
    data.targets = std::move(targets);
    data.numClasses = 1;
  } else if (firstNonBinaryLine == 0) {
    // Only -1 and +1: the LIBSVM binary convention.
    for (std::size_t i = 0; i < rawLabels.size(); ++i) data.labels[i] = rawLabels[i] > 0 ? 1 : 0;
    data.numClasses = 2;
    data.classValues = {-1.0, 1.0};
  } else {
    if (firstNegativeLine != 0) {
      fail(firstNegativeLine, "bad label " + std::to_string(negativeLabel) +
                                  ": labels must be +1/-1 or non-negative class ids");
    }
    if (firstMinusOneLine != 0) {
      fail(firstMinusOneLine, "bad label -1: this file also has label " + std::to_string(nonBinaryLabel) +
                                  " (line " + std::to_string(firstNonBinaryLine) +
                                  "); labels must be +1/-1 or non-negative class ids");
    }
    std::int64_t maxLabel = 0;
    for (std::size_t i = 0; i < rawLabels.size(); ++i) {
      data.labels[i] = static_cast<int>(rawLabels[i]);
      maxLabel = std::max(maxLabel, rawLabels[i]);
    }
    data.numClasses = static_cast<int>(std::max<std::int64_t>(2, maxLabel + 1));
  }

  const std::int64_t cols = options.numFeatures > 0 ? options.numFeatures : maxIndex;
  const auto rows = static_cast<Eigen::Index>(rawLabels.size());
  data.sparse = Eigen::Map<const Dataset::SparseFeatures>(rows, static_cast<Eigen::Index>(cols),
                                                          static_cast<Eigen::Index>(inner.size()), outer.data(),
                                                          inner.data(), values.data());
  return data;
}

}  // namespace distopt
