#include "core/data/class_labels.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

void assignLabels(Dataset& data, const std::vector<double>& values, const std::vector<std::string>& places,
                  LabelKind kind) {
  DISTOPT_CHECK(values.size() == places.size());
  if (values.empty()) throw InputError(data.source, "no samples");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) throw InputError(places[i], "label is not a finite number");
  data.labels.assign(values.size(), 0);
  data.classValues.clear();
  if (kind == LabelKind::Values) {
    data.targets = values;
    data.numClasses = 1;  // one "class": label-based sharding sees a single group
    return;
  }
  const bool binary =
      std::all_of(values.begin(), values.end(), [](double v) { return v == -1.0 || v == 1.0; });
  if (binary) {
    for (std::size_t i = 0; i < values.size(); ++i) data.labels[i] = values[i] > 0 ? 1 : 0;
    data.numClasses = 2;
    data.classValues = {-1.0, 1.0};
    return;
  }
  int maxLabel = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (v != std::floor(v) || v < 0 || v > 1e6) {
      throw InputError(places[i], "bad label " + number(v) +
                                      ": class labels must be +1/-1 or non-negative integer class ids "
                                      "(a regression target belongs to the least-squares problem)");
    }
    data.labels[i] = static_cast<int>(v);
    maxLabel = std::max(maxLabel, data.labels[i]);
  }
  data.numClasses = std::max(2, maxLabel + 1);
}

}  // namespace distopt
