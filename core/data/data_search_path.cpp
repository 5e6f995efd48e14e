#include "core/data/data_search_path.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#ifndef DISTOPT_INSTALL_DATA_RELATIVE
#define DISTOPT_INSTALL_DATA_RELATIVE "../share/distopt/data"
#endif

namespace distopt {
namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

std::vector<std::string> splitColons(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(':', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool isRegularFile(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

}  // namespace

DataSearchEnvironment DataSearchEnvironment::fromProcess() {
  DataSearchEnvironment environment;
  environment.distoptData = variable("DISTOPT_DATA");
  environment.xdgDataHome = variable("XDG_DATA_HOME");
  environment.xdgDataDirs = variable("XDG_DATA_DIRS");
  environment.home = variable("HOME");
  std::error_code error;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) environment.programDirectory = program.parent_path().string();
  return environment;
}

std::string installedDataRelativeToPrograms() { return DISTOPT_INSTALL_DATA_RELATIVE; }

std::vector<std::string> dataSearchDirectories(const std::string& baseDirectory,
                                               const DataSearchEnvironment& environment) {
  std::vector<std::string> directories;
  const auto add = [&](const std::filesystem::path& directory) {
    // Relative XDG entries are invalid by the specification and are ignored, as it asks.
    const std::string text = directory.lexically_normal().string();
    for (const auto& known : directories)
      if (known == text) return;
    directories.push_back(text);
  };
  if (!baseDirectory.empty()) add(baseDirectory);
  if (environment.distoptData)
    for (const auto& entry : splitColons(*environment.distoptData)) add(entry);
  // XDG Base Directory defaults apply when a variable is unset or empty.
  if (environment.xdgDataHome && std::filesystem::path(*environment.xdgDataHome).is_absolute())
    add(std::filesystem::path(*environment.xdgDataHome) / "distopt" / "data");
  else if (environment.home && !environment.home->empty())
    add(std::filesystem::path(*environment.home) / ".local" / "share" / "distopt" / "data");
  const std::string dataDirs = environment.xdgDataDirs && !environment.xdgDataDirs->empty()
                                   ? *environment.xdgDataDirs
                                   : std::string("/usr/local/share:/usr/share");
  for (const auto& entry : splitColons(dataDirs))
    if (std::filesystem::path(entry).is_absolute()) add(std::filesystem::path(entry) / "distopt" / "data");
  if (!environment.programDirectory.empty())
    add(std::filesystem::path(environment.programDirectory) / installedDataRelativeToPrograms());
  return directories;
}

DataFileLookup findDataFile(const std::string& name, const std::string& baseDirectory,
                            const DataSearchEnvironment& environment) {
  DataFileLookup lookup;
  const std::filesystem::path path(name);
  if (path.is_absolute()) {
    lookup.tried.push_back(path.lexically_normal().string());
    if (isRegularFile(path)) lookup.found = lookup.tried.back();
    return lookup;
  }
  for (const auto& directory : dataSearchDirectories(baseDirectory, environment)) {
    const auto candidate = (std::filesystem::path(directory) / path).lexically_normal();
    lookup.tried.push_back(candidate.string());
    if (isRegularFile(candidate)) {
      lookup.found = candidate.string();
      return lookup;
    }
  }
  return lookup;
}

}  // namespace distopt
