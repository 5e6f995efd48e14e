#include "core/registry/option_spec.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace distopt {
namespace {

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool inRange(const OptionSpec& spec, double value) {
  if (spec.minValue) {
    if (spec.minExclusive ? !(value > *spec.minValue) : !(value >= *spec.minValue)) return false;
  }
  if (spec.maxValue && !(value <= *spec.maxValue)) return false;
  return true;
}

std::string rangeText(const OptionSpec& spec) {
  std::string text;
  if (spec.minValue) text += std::string(spec.minExclusive ? " > " : " >= ") + formatNumber(*spec.minValue);
  if (spec.maxValue) text += std::string(spec.minValue ? " and" : "") + " <= " + formatNumber(*spec.maxValue);
  return text;
}

// 2^53: every integer up to here is exactly a double.
constexpr double kExactDoubleLimit = 9007199254740992.0;

std::optional<double> integralFloat(const nlohmann::json& value) {
  if (!value.is_number_float()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number) || std::floor(number) != number || std::abs(number) > kExactDoubleLimit)
    return std::nullopt;
  return number;
}

// Consumers read Int options with get<std::int64_t>(): an unsigned literal beyond INT64_MAX would wrap.
bool isInteger(const nlohmann::json& value) { return exactInt64(value).has_value(); }

}  // namespace

std::optional<std::int64_t> exactInt64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(number);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (const auto number = integralFloat(value)) return static_cast<std::int64_t>(*number);
  return std::nullopt;
}

std::optional<std::uint64_t> exactUint64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number < 0) return std::nullopt;
    return static_cast<std::uint64_t>(number);
  }
  if (const auto number = integralFloat(value); number && *number >= 0)
    return static_cast<std::uint64_t>(*number);
  return std::nullopt;
}

std::string quotedChoices(const std::vector<std::string>& choices) {
  std::string text;
  for (std::size_t i = 0; i < choices.size(); ++i)
    text += std::string(i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + "\"" + choices[i] + "\"";
  return text;
}

std::string enumRefusal(const nlohmann::json& value, const std::vector<std::string>& choices) {
  // The value is quoted as JSON, so a control character or a long paste cannot garble the message.
  std::string shown = value.is_string() ? value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                        : std::string("a ") + value.type_name();
  constexpr std::size_t kShownLimit = 60;
  if (shown.size() > kShownLimit) shown = shown.substr(0, kShownLimit) + "...";
  return "is " + shown + ", not one of " + quotedChoices(choices);
}

const char* optionTypeName(OptionType type) {
  switch (type) {
    case OptionType::Bool: return "bool";
    case OptionType::Int: return "int";
    case OptionType::IntOrInf: return "int|inf";
    case OptionType::Double: return "number";
    case OptionType::String: return "string";
    case OptionType::Enum: return "enum";
    case OptionType::DoubleList: return "number[]";
    case OptionType::IntList: return "int[]";
    case OptionType::Object: return "object";
  }
  return "?";
}

std::string OptionSpec::describe() const {
  switch (type) {
    case OptionType::Bool: return "true or false";
    case OptionType::Int: return "an integer" + rangeText(*this);
    case OptionType::IntOrInf: return "an integer" + rangeText(*this) + " or \"inf\"";
    case OptionType::Double: return "a number" + rangeText(*this);
    case OptionType::String: return "a string";
    case OptionType::Enum: {
      return "one of " + quotedChoices(choices);
    }
    case OptionType::DoubleList: return "a list of numbers" + (rangeText(*this).empty() ? "" : ", each" + rangeText(*this));
    case OptionType::IntList: return "a list of integers" + (rangeText(*this).empty() ? "" : ", each" + rangeText(*this));
    case OptionType::Object: return "an object";
  }
  return "?";
}

bool OptionSpec::accepts(const nlohmann::json& value, std::string* why) const {
  auto fail = [&]() {
    if (why) *why = "must be " + describe();
    return false;
  };
  switch (type) {
    case OptionType::Bool:
      return value.is_boolean() || fail();
    case OptionType::Int:
      return (isInteger(value) && inRange(*this, value.get<double>())) || fail();
    case OptionType::IntOrInf:
      if (value.is_string()) return value.get<std::string>() == "inf" || fail();
      return (isInteger(value) && inRange(*this, value.get<double>())) || fail();
    case OptionType::Double:
      return (value.is_number() && std::isfinite(value.get<double>()) && inRange(*this, value.get<double>())) ||
             fail();
    case OptionType::String:
      return value.is_string() || fail();
    case OptionType::Enum:
      if (value.is_string())
        for (const auto& choice : choices)
          if (value.get<std::string>() == choice) return true;
      if (why) *why = enumRefusal(value, choices);
      return false;
    case OptionType::DoubleList:
    case OptionType::IntList:
      if (!value.is_array()) return fail();
      for (const auto& item : value) {
        const bool typeOk = type == OptionType::IntList ? isInteger(item) : item.is_number();
        if (!typeOk || !std::isfinite(item.get<double>()) || !inRange(*this, item.get<double>())) return fail();
      }
      return true;
    case OptionType::Object:
      return value.is_object() || fail();
  }
  return fail();
}

bool validateAndFillOptions(const std::vector<OptionSpec>& specs, nlohmann::json& params,
                            const std::string& path, std::string* why) {
  auto fail = [&](const std::string& field, const std::string& message) {
    if (why) *why = path + (field.empty() ? "" : "." + field) + ": " + message;
    return false;
  };
  if (params.is_null()) params = nlohmann::json::object();
  if (!params.is_object()) return fail("", "must be an object");
  for (auto it = params.begin(); it != params.end(); ++it) {
    bool known = false;
    for (const auto& spec : specs) known = known || spec.name == it.key();
    if (!known) {
      std::string names;
      for (const auto& spec : specs) names += (names.empty() ? "" : ", ") + spec.name;
      return fail(it.key(), "unknown option (known: " + (names.empty() ? std::string("none") : names) + ")");
    }
  }
  for (const auto& spec : specs) {
    if (!params.contains(spec.name)) {
      if (!spec.defaultValue.is_null()) {
        params[spec.name] = spec.defaultValue;
      } else if (!spec.optional) {
        return fail(spec.name, "is required (" + spec.describe() + ")");
      }
      continue;
    }
    std::string message;
    if (!spec.accepts(params[spec.name], &message)) return fail(spec.name, message);
    // Normalise integral floats so consumers can call get<int>() safely.
    if ((spec.type == OptionType::Int || spec.type == OptionType::IntOrInf) && params[spec.name].is_number())
      params[spec.name] = *exactInt64(params[spec.name]);
  }
  return true;
}

}  // namespace distopt
