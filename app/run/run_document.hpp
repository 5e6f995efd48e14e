#pragma once
// The experiment document a distopt-run command line asks for: the file, then --engine, --events,
// --workers and every --set in order. One place, so a sweep checks each of its runs exactly as the run
// itself will read it.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command_line.hpp"

namespace distopt::app {

/// Reads line.experimentPath and applies the command line's overrides, then `extra` assignments
/// (PATH=VALUE, as --set). Throws InputError.
nlohmann::json experimentDocument(const RunCommandLine& line, const std::vector<std::string>& extra = {});

/// The folder relative data paths are resolved against: --base-dir, else the experiment file's folder.
std::string baseDirectoryOf(const RunCommandLine& line);

}  // namespace distopt::app
