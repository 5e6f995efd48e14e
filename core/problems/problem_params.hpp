#pragma once
// Small helpers shared by the registry entries (the problems', and algorithms' options too): concise
// OptionSpec construction (an enum option comes from its EnumTable, core/registry/enum_option.hpp),
// data-file path resolution with field-named errors, and turning an Options::isValid failure into an
// InputError.

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/component.hpp"
#include "core/registry/option_spec.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

OptionSpec intOption(std::string name, std::int64_t defaultValue, std::optional<double> minValue,
                     std::optional<double> maxValue, std::string help);
OptionSpec doubleOption(std::string name, double defaultValue, std::optional<double> minValue,
                        std::optional<double> maxValue, std::string help);
OptionSpec boolOption(std::string name, bool defaultValue, std::string help);
/// An integer option with no default: absent means something of its own (its help says what).
OptionSpec optionalIntOption(std::string name, std::optional<double> minValue, std::string help);
/// A file path option; required unless `optional`.
OptionSpec pathOption(std::string name, bool optional, std::string help);

/// Finds the data file `value` (the params field `field`): an absolute path as it is, a relative one on
/// the data search path starting at context.baseDirectory (core/data/data_search_path.hpp). Throws
/// InputError(context.path + "." + field, "file not found: ...") naming every place looked in.
std::string resolveDataFile(const ProblemBuildContext& context, const std::string& field, const std::string& value);

/// Bytes the data files named by `fields` of `params` take in memory, measured without reading them
/// (for ProblemEntry::footprint): each file's uncompressed length (a gzip file's recorded length, its
/// last four bytes) times `bytesPerFileByte`. A field that is absent or names no file counts 0: the
/// build reports a missing file, this only sizes what is there.
double dataFilesBytes(const nlohmann::json& params, const ProblemBuildContext& context,
                      std::initializer_list<const char*> fields, double bytesPerFileByte);

}  // namespace distopt
