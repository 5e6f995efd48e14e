#include "core/problems/problem_params.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/data/data_search_path.hpp"
#include "core/problems/data_file_recorder.hpp"

namespace distopt {

namespace {

OptionSpec namedOption(std::string name, OptionType type, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.help = std::move(help);
  return spec;
}

}  // namespace

OptionSpec intOption(std::string name, std::int64_t defaultValue, std::optional<double> minValue,
                     std::optional<double> maxValue, std::string help) {
  OptionSpec spec = namedOption(std::move(name), OptionType::Int, std::move(help));
  spec.defaultValue = defaultValue;
  spec.minValue = minValue;
  spec.maxValue = maxValue;
  return spec;
}

OptionSpec doubleOption(std::string name, double defaultValue, std::optional<double> minValue,
                        std::optional<double> maxValue, std::string help) {
  OptionSpec spec = namedOption(std::move(name), OptionType::Double, std::move(help));
  spec.defaultValue = defaultValue;
  spec.minValue = minValue;
  spec.maxValue = maxValue;
  return spec;
}

OptionSpec boolOption(std::string name, bool defaultValue, std::string help) {
  OptionSpec spec = namedOption(std::move(name), OptionType::Bool, std::move(help));
  spec.defaultValue = defaultValue;
  return spec;
}

OptionSpec optionalIntOption(std::string name, std::optional<double> minValue, std::string help) {
  OptionSpec spec = namedOption(std::move(name), OptionType::Int, std::move(help));
  spec.minValue = minValue;
  spec.optional = true;
  return spec;
}

OptionSpec pathOption(std::string name, bool optional, std::string help) {
  OptionSpec spec = namedOption(std::move(name), OptionType::String, std::move(help));
  spec.optional = optional;
  return spec;
}

std::string resolveDataFile(const ProblemBuildContext& context, const std::string& field, const std::string& value) {
  const std::string where = context.path + "." + field;
  if (value.empty()) throw InputError(where, "must name a data file (got an empty path)");
  const DataFileLookup lookup =
      findDataFile(value, context.baseDirectory, DataSearchEnvironment::fromProcess());
  if (lookup.found) {
    DataFileRecorder::record(*lookup.found);
    return *lookup.found;
  }
  for (const auto& candidate : lookup.tried) {
    std::error_code ec;
    if (std::filesystem::is_directory(candidate, ec))
      throw InputError(where, "is a directory, not a data file: " + candidate);
  }
  std::string places;
  for (const auto& candidate : lookup.tried) places += (places.empty() ? "" : ", ") + candidate;
  if (lookup.tried.size() == 1) throw InputError(where, "file not found: " + places);
  throw InputError(where, "file not found: " + value + " (looked for " + places +
                              "; a relative name is looked up in the experiment's folder, $DISTOPT_DATA, "
                              "the XDG data folders' distopt/data and the installed share/distopt/data)");
}

namespace {

double uncompressedFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return 0.0;
  const auto size = static_cast<double>(in.tellg());
  if (size < 18) return size;  // shorter than any gzip file
  in.seekg(0);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  if (!in || magic[0] != 0x1f || magic[1] != 0x8b) return size;
  in.seekg(-4, std::ios::end);
  unsigned char trailer[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(trailer), 4);
  if (!in) return size;
  // ISIZE: the uncompressed length modulo 2^32, little-endian.
  const double recorded =
      static_cast<double>(trailer[0]) + 256.0 * trailer[1] + 65536.0 * trailer[2] + 16777216.0 * trailer[3];
  return std::max(recorded, size);
}

}  // namespace

double dataFilesBytes(const nlohmann::json& params, const ProblemBuildContext& context,
                      std::initializer_list<const char*> fields, double bytesPerFileByte) {
  double bytes = 0.0;
  for (const char* field : fields) {
    if (!params.contains(field) || !params.at(field).is_string()) continue;
    std::filesystem::path path(params.at(field).get<std::string>());
    if (path.is_relative() && !context.baseDirectory.empty())
      path = std::filesystem::path(context.baseDirectory) / path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    bytes += uncompressedFileBytes(path) * bytesPerFileByte;
  }
  return bytes;
}

}  // namespace distopt
