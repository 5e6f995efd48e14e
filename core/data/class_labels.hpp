#pragma once
// Turning the label values read from a user's table (CSV, .npy) into a Dataset's labels, by the
// convention the LIBSVM reader uses: only -1 and +1 make a binary set (class 0 is -1, class 1 is +1);
// otherwise every label must be a non-negative integer and is its own class id (0..K-1, or 1..K with
// class 0 unused). Regression keeps the values as they are (Dataset::targets).

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace distopt {

/// What a label column holds.
enum class LabelKind {
  Classes,  ///< class ids (classification: logistic, softmax, MLP)
  Values,   ///< real values (regression: least squares)
};

/// Fills data.labels, numClasses and classValues from `values` (Classes) or data.targets (Values).
/// `places` names where each value was read (e.g. "FILE:LINE" or "FILE: row 3"), for the error.
/// Throws InputError(places[i], ...) for the first value that breaks the convention.
void assignLabels(Dataset& data, const std::vector<double>& values, const std::vector<std::string>& places,
                  LabelKind kind);

}  // namespace distopt
