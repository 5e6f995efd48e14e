#pragma once
// What a run was made with, recorded beside its results (summary.json "provenance", the store's
// runs.provenance_json) so a result can be traced back: the program's version and commit, the host,
// the command line as the user typed it, and a SHA-256 of every data file the coordinator read.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distopt {

struct DataFileRecord {
  std::string path;    ///< as read (absolute or relative to the working directory)
  std::string sha256;  ///< of the bytes as stored (a .gz file's compressed bytes)
  std::uint64_t bytes = 0;
};

struct RunProvenance {
  std::string programVersion;
  std::string commit;
  std::string host;
  std::string commandLine;  ///< the arguments shell-quoted, so it can be pasted back into a shell
  std::vector<DataFileRecord> dataFiles;
};

/// This program's version and commit, this host, and `arguments` (argv) as a command line.
RunProvenance currentProvenance(const std::vector<std::string>& arguments);
/// Adds a record for each path not recorded yet, hashing the file. Throws InputError naming a file
/// that cannot be read.
void addDataFiles(RunProvenance& provenance, const std::vector<std::string>& paths);

nlohmann::json provenanceToJson(const RunProvenance& provenance);

/// `text` quoted for a POSIX shell when it needs quoting ('...' with ' written as '\'').
std::string shellQuoted(const std::string& text);

}  // namespace distopt
