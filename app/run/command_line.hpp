#pragma once
// distopt-run's command line. Parsing never starts anything: errors come back as text for exit 2.

#include <optional>
#include <string>
#include <vector>

namespace distopt::app {

struct RunCommandLine {
  std::string experimentPath;
  std::optional<std::string> engine;     ///< --engine live|sim (overrides the file)
  std::optional<int> workers;            ///< --workers N (overrides workers.count)
  std::vector<std::string> overrides;    ///< --set PATH=VALUE, in order
  std::optional<std::string> outDirectory;
  std::optional<std::string> storePath;
  bool quiet = false;
  bool list = false;
  bool help = false;
  bool version = false;
};

/// Parses argv; on error returns nullopt and sets *error to a one-line message.
std::optional<RunCommandLine> parseRunCommandLine(int argc, const char* const* argv, std::string* error);

extern const char* const kRunUsage;

}  // namespace distopt::app
