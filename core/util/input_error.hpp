#pragma once
// Bad user input (experiment file, command line, data file) found while building a run: carries the
// place it was found — a field path such as "algorithm.params.R" or "a9a:17" for a data file line — so
// every front end can print "PLACE: message" and stop before anything starts (docs/architecture.md, rule 7).

#include <stdexcept>
#include <string>

namespace distopt {

class InputError : public std::runtime_error {
 public:
  InputError(std::string where, const std::string& message)
      : std::runtime_error(where.empty() ? message : where + ": " + message), m_where(std::move(where)) {}

  /// Field path or file:line of the bad input.
  const std::string& where() const { return m_where; }

 private:
  std::string m_where;
};

/// Throws InputError when `options.isValid` fails. By convention isValid writes "field: message", which
/// becomes InputError(path + ".field", "message"), so the user sees e.g. "algorithm.params.R: ...".
template <typename Options>
void requireValid(const Options& options, const std::string& path) {
  std::string why;
  if (options.isValid(&why)) return;
  const auto colon = why.find(": ");
  if (colon == std::string::npos) throw InputError(path, why);
  throw InputError(path + "." + why.substr(0, colon), why.substr(colon + 2));
}

}  // namespace distopt
