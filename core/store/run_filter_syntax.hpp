#pragma once
// The syntax of a run filter, as typed in the run history's filter field: one line of terms separated by
// ';' or ','. A term "NAME OP VALUE" (OP one of = == != < <= > >= ~, ~ meaning "contains"; the first
// operator in the term splits it) is a condition on the column NAME; any other term, and a term starting
// with an operator, is text whose words (split at spaces) must all be found. Only the syntax lives here:
// which column a name means, and how a run's value compares, belong to whoever holds the columns (the
// GUI's run history, ui/history/run_filter). It sits with the store because it queries stored runs, and
// in core so that it is fuzzed without Qt (tests/fuzz/fuzz_run_filter). Bytes are UTF-8; invalid
// sequences pass through as they are. Pure functions. Thread: any.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace distopt {

enum class RunFilterOp { Contains, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };

/// The operator as typed ("~", "<=", ...; "=" for Equal).
std::string_view runFilterOpText(RunFilterOp op);

struct RunFilterCondition {
  std::string term;    ///< the whole term, trimmed (for messages)
  std::string column;  ///< the name before the operator, trimmed; never empty
  RunFilterOp op = RunFilterOp::Contains;
  std::string value;             ///< after the operator, trimmed; may be empty
  std::optional<double> number;  ///< `value` as a number, when all of it is one (runFilterNumber)

  /// An ordering (< <= > >=) with nothing to compare with: refused by whoever applies the filter.
  bool lacksValue() const;
};

struct RunFilterSyntax {
  std::vector<std::string> words;              ///< from the text terms, in order
  std::vector<RunFilterCondition> conditions;  ///< in order

  bool isEmpty() const { return words.empty() && conditions.empty(); }
};

/// Splits `text` into words and conditions. Never fails: any text is some filter (the names are checked
/// by the caller, which knows the columns).
RunFilterSyntax parseRunFilter(std::string_view text);

/// `text` as a number when the whole of it (surrounding whitespace aside) is one in C notation
/// ("0.1", "-2", "1e-3", "+5", "inf", "nan"); nullopt otherwise, and for a finite number out of double's
/// range.
std::optional<double> runFilterNumber(std::string_view text);

/// `text` without the Unicode white space at either end.
std::string_view trimRunFilterText(std::string_view text);

}  // namespace distopt
