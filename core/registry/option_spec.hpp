#pragma once
// Option metadata (docs/architecture.md, rule 6): every problem, algorithm and time model describes its
// options once, here, and the experiment-file validator, `distopt-run --list` and the GUI's generated forms
// all read the same description. Adding a component therefore adds its form and its validation.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distopt {

enum class OptionType {
  Bool,
  Int,        ///< JSON integer within [minValue, maxValue]
  IntOrInf,   ///< JSON integer >= minValue, or the string "inf" (e.g. Ringmaster's R)
  Double,     ///< JSON number within [minValue, maxValue]
  String,     ///< free text (e.g. a file path)
  Enum,       ///< one of `choices`
  DoubleList, ///< JSON array of numbers, each within [minValue, maxValue]
  IntList,    ///< JSON array of integers, each within [minValue, maxValue]
  Object,     ///< a JSON object validated by the component itself (e.g. a piecewise schedule)
};

const char* optionTypeName(OptionType type);

struct OptionSpec {
  std::string name;          ///< key in the component's "params" object
  OptionType type = OptionType::Double;
  nlohmann::json defaultValue;   ///< null = required (unless `optional`)
  std::optional<double> minValue;
  std::optional<double> maxValue;
  bool minExclusive = false;     ///< true: value must be > minValue rather than >=
  std::vector<std::string> choices;  ///< for Enum
  std::vector<std::string>
      choiceHelp;                ///< for Enum: what each choice means (parallel to choices; may be empty)
  std::string help;              ///< one line, shown as tooltip and in --list
  bool optional = false;         ///< may be absent with no default (component decides)
  std::string unit;              ///< e.g. "time units", "s"; empty if dimensionless

  /// Checks `value` against this spec. On failure writes a message (without the field path) to *why,
  /// e.g. "must be an integer >= 1 or \"inf\"".
  bool accepts(const nlohmann::json& value, std::string* why) const;
  /// What a valid value looks like, e.g. "an integer >= 1 or \"inf\"".
  std::string describe() const;
};

/// `"a", "b" or "c"`, for messages that list the choices.
std::string quotedChoices(const std::vector<std::string>& choices);

/// The refusal of `value` for an enum field with these choices: names the value (or its JSON type) and
/// lists the choices, e.g. `is "b", not one of "A" or "B"`.
std::string enumRefusal(const nlohmann::json& value, const std::vector<std::string>& choices);

/// The exact value of an integer field: a JSON integer literal, or a float with an integral value of
/// magnitude <= 2^53 (3.0 written by a tool, 1e6 written by hand: exactly representable). nullopt for a
/// fraction, a float beyond 2^53 (its low digits are already lost), a literal outside the type's range
/// (nlohmann reads 18446744073709551615 as unsigned, 1e19 as a float) or a non-number.
std::optional<std::int64_t> exactInt64(const nlohmann::json& value);
std::optional<std::uint64_t> exactUint64(const nlohmann::json& value);

/// Fills defaults into `params` and validates every field against `specs`. Unknown keys are errors
/// (a typo must not silently fall back to a default). `path` prefixes messages, e.g.
/// "algorithm.params". Returns false with the first problem in *why as "PATH.FIELD: message".
bool validateAndFillOptions(const std::vector<OptionSpec>& specs, nlohmann::json& params,
                            const std::string& path, std::string* why);

}  // namespace distopt
