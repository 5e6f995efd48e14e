// The run filter's syntax (core/store/run_filter_syntax), as typed into the run history's filter field:
// the input is the text. Checks what the GUI relies on: every condition names a column and carries its
// operator, the parts are trimmed and hold no term separator, a condition's own term parses back to the
// same condition, and a value's number is the one runFilterNumber reads. A broken promise traps.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/store/run_filter_syntax.hpp"

namespace {

void check(bool promise) {
  if (!promise) __builtin_trap();
}

bool trimmed(std::string_view text) { return distopt::trimRunFilterText(text) == text; }

bool sameNumber(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return std::isnan(*a) ? std::isnan(*b) : *a == *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const RunFilterSyntax filter = parseRunFilter(text);
  for (const std::string& word : filter.words) {
    check(!word.empty());
    check(word.find_first_of(" ;,") == std::string::npos);
  }
  for (const RunFilterCondition& condition : filter.conditions) {
    check(!condition.column.empty() && trimmed(condition.column) && trimmed(condition.value));
    check(!condition.term.empty() && trimmed(condition.term));
    check(condition.term.find_first_of(";,") == std::string::npos);
    check(condition.term.find(runFilterOpText(condition.op)) != std::string::npos);
    check(sameNumber(condition.number, runFilterNumber(condition.value)));
    const RunFilterSyntax again = parseRunFilter(condition.term);
    check(again.words.empty() && again.conditions.size() == 1);
    const RunFilterCondition& back = again.conditions.front();
    check(back.column == condition.column && back.op == condition.op && back.value == condition.value &&
          back.term == condition.term && sameNumber(back.number, condition.number));
    (void)condition.lacksValue();
  }
  return 0;
}
