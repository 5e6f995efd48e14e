#pragma once
// Typed enum options: one table per option kind gives the spelling of every choice, its meaning and the
// enumerator it stands for. The OptionSpec the validator, `distopt-run --list` and the GUI's combo boxes
// read is built from the table, and the component reads its value back through the same table, so the
// choices offered and the choices understood cannot drift apart and no value falls back to a default
// because a compare elsewhere was spelled differently.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/option_spec.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

template <typename T>
class EnumTable {
 public:
  struct Choice {
    std::string name;  ///< how the value is spelled in an experiment file
    T value;
    std::string help;  ///< what the choice means, one short phrase (tooltip, --list)
  };

  EnumTable(std::initializer_list<Choice> choices) : m_choices(choices) {}
  explicit EnumTable(std::vector<Choice> choices) : m_choices(std::move(choices)) {}

  const std::vector<Choice>& choices() const { return m_choices; }

  std::vector<std::string> names() const {
    std::vector<std::string> names;
    for (const auto& choice : m_choices) names.push_back(choice.name);
    return names;
  }

  std::optional<T> find(std::string_view name) const {
    for (const auto& choice : m_choices)
      if (choice.name == name) return choice.value;
    return std::nullopt;
  }

  /// The spelling of `value`; empty when the table does not hold it. Lives as long as the table.
  const std::string& nameOf(T value) const {
    static const std::string kNone;
    for (const auto& choice : m_choices)
      if (choice.value == value) return choice.name;
    return kNone;
  }

  /// The option `field` with these choices and `defaultValue` (which the table must hold).
  OptionSpec option(std::string field, T defaultValue, std::string help) const {
    OptionSpec spec;
    spec.name = std::move(field);
    spec.type = OptionType::Enum;
    spec.defaultValue = nameOf(defaultValue);
    for (const auto& choice : m_choices) {
      spec.choices.push_back(choice.name);
      spec.choiceHelp.push_back(choice.help);
    }
    spec.help = std::move(help);
    return spec;
  }

  /// The value of `value`; throws InputError(where, ...) naming the bad value and the choices.
  T parse(const nlohmann::json& value, const std::string& where) const {
    if (value.is_string())
      if (const auto found = find(value.get<std::string>())) return *found;
    throw InputError(where, enumRefusal(value, names()));
  }

  /// The value of params[field]; an absent field is refused like a bad one (validated params hold every
  /// enum field, its default filled in). `path` is the params' path, e.g. "algorithm.params".
  T parse(const nlohmann::json& params, const std::string& field, const std::string& path) const {
    const std::string where = path + "." + field;
    if (!params.is_object() || !params.contains(field))
      throw InputError(where, "is required (" + quotedChoices(names()) + ")");
    return parse(params.at(field), where);
  }

 private:
  std::vector<Choice> m_choices;
};

/// A table whose spellings come from an existing name list and lookup (e.g. graphKindNames /
/// graphKindFromName), so a module that already keeps its own table stays the one source of the spelling.
template <typename T, typename Names, typename Lookup>
EnumTable<T> enumTableOf(const Names& names, Lookup lookup) {
  std::vector<typename EnumTable<T>::Choice> choices;
  for (const auto& name : names)
    choices.push_back({std::string(name), *lookup(std::string(name)), std::string()});
  return EnumTable<T>(std::move(choices));
}

}  // namespace distopt
