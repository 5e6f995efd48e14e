#pragma once
// Where a data file named by a relative path in an experiment is looked for, in order:
//   1. the experiment file's own folder (so a file means the same wherever it is run from);
//   2. each folder of $DISTOPT_DATA (colon-separated, empty entries ignored);
//   3. $XDG_DATA_HOME/distopt/data (default ~/.local/share/distopt/data);
//   4. each $XDG_DATA_DIRS/distopt/data (default /usr/local/share:/usr/share);
//   5. the data folder installed with the programs, found from the running program's own location
//      (PREFIX/bin/../share/distopt/data), never from where it was built.
// The first folder holding a regular file of that name wins. When none does, the error names every
// place looked in, so a user sees where to put the file or what to set.

#include <optional>
#include <string>
#include <vector>

namespace distopt {

/// The inputs of the search path, read from the process by fromProcess() and set directly by tests.
struct DataSearchEnvironment {
  std::optional<std::string> distoptData;  ///< $DISTOPT_DATA
  std::optional<std::string> xdgDataHome;  ///< $XDG_DATA_HOME
  std::optional<std::string> xdgDataDirs;  ///< $XDG_DATA_DIRS
  std::optional<std::string> home;         ///< $HOME, for the XDG_DATA_HOME default
  /// Folder of the running program; empty = unknown (then step 5 is left out).
  std::string programDirectory;

  static DataSearchEnvironment fromProcess();
};

/// The installed data folder relative to the programs' folder ("../share/distopt/data" for the usual
/// GNU layout), fixed when the programs are configured.
std::string installedDataRelativeToPrograms();

/// The folders looked in for a relative data path, in order, without duplicates. `baseDirectory` is the
/// experiment's folder (empty = none).
std::vector<std::string> dataSearchDirectories(const std::string& baseDirectory,
                                               const DataSearchEnvironment& environment);

struct DataFileLookup {
  std::optional<std::string> found;  ///< the file, when one was found
  std::vector<std::string> tried;    ///< every candidate looked at, in order
};

/// Looks `name` up: an absolute name is taken as it is; a relative one is tried in every search folder.
DataFileLookup findDataFile(const std::string& name, const std::string& baseDirectory,
                            const DataSearchEnvironment& environment);

}  // namespace distopt
