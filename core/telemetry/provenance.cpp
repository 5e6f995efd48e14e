#include "core/telemetry/provenance.hpp"

#include <algorithm>
#include <climits>
#include <string_view>

#include <unistd.h>

#include "core/util/build_info.hpp"
#include "core/util/sha256.hpp"

namespace distopt {

std::string shellQuoted(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

RunProvenance currentProvenance(const std::vector<std::string>& arguments) {
  RunProvenance provenance;
  provenance.programVersion = programVersion();
  provenance.commit = programCommit();
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) == 0) provenance.host = host;
  for (const auto& argument : arguments)
    provenance.commandLine += (provenance.commandLine.empty() ? "" : " ") + shellQuoted(argument);
  return provenance;
}

void addDataFiles(RunProvenance& provenance, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    const bool known = std::any_of(provenance.dataFiles.begin(), provenance.dataFiles.end(),
                                   [&](const DataFileRecord& record) { return record.path == path; });
    if (known) continue;
    const FileDigest digest = sha256OfFile(path);
    provenance.dataFiles.push_back({.path = path, .sha256 = digest.sha256, .bytes = digest.bytes});
  }
}

nlohmann::json provenanceToJson(const RunProvenance& provenance) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : provenance.dataFiles)
    files.push_back({{"path", file.path}, {"sha256", file.sha256}, {"bytes", file.bytes}});
  return {{"program_version", provenance.programVersion},
          {"commit", provenance.commit},
          {"host", provenance.host},
          {"command_line", provenance.commandLine},
          {"data_files", files}};
}

}  // namespace distopt
