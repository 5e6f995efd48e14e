#include "core/problems/problem_params.hpp"

#include <filesystem>

namespace distopt {

OptionSpec intOption(std::string name, std::int64_t defaultValue, std::optional<double> minValue,
                     std::optional<double> maxValue, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = OptionType::Int;
  spec.defaultValue = defaultValue;
  spec.minValue = minValue;
  spec.maxValue = maxValue;
  spec.help = std::move(help);
  return spec;
}

OptionSpec doubleOption(std::string name, double defaultValue, std::optional<double> minValue,
                        std::optional<double> maxValue, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = OptionType::Double;
  spec.defaultValue = defaultValue;
  spec.minValue = minValue;
  spec.maxValue = maxValue;
  spec.help = std::move(help);
  return spec;
}

OptionSpec enumOption(std::string name, std::string defaultValue, std::vector<std::string> choices,
                      std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = OptionType::Enum;
  spec.defaultValue = std::move(defaultValue);
  spec.choices = std::move(choices);
  spec.help = std::move(help);
  return spec;
}

OptionSpec pathOption(std::string name, bool optional, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = OptionType::String;
  spec.optional = optional;
  spec.help = std::move(help);
  return spec;
}

std::string resolveDataFile(const ProblemBuildContext& context, const std::string& field, const std::string& value) {
  const std::string where = context.path + "." + field;
  if (value.empty()) throw InputError(where, "must name a data file (got an empty path)");
  std::filesystem::path path(value);
  if (path.is_relative() && !context.baseDirectory.empty()) path = std::filesystem::path(context.baseDirectory) / path;
  path = path.lexically_normal();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw InputError(where, "file not found: " + path.string());
  if (std::filesystem::is_directory(status)) throw InputError(where, "is a directory, not a data file: " + path.string());
  return path.string();
}

}  // namespace distopt
