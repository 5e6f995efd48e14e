#pragma once
// Collects the data files a problem reads while it is built, for the run's provenance (file hashes in
// summary.json and the store). buildWorkload opens one around building the problem; resolveDataFile
// reports each file it finds to the recorder of the calling thread, if any. A recorder per thread, so
// problems built at the same time on other threads (workers in tests) do not mix.

#include <string>
#include <vector>

namespace distopt {

class DataFileRecorder {
 public:
  DataFileRecorder();
  ~DataFileRecorder();
  DataFileRecorder(const DataFileRecorder&) = delete;
  DataFileRecorder& operator=(const DataFileRecorder&) = delete;

  /// The files found since this recorder opened, in order (repeats included).
  const std::vector<std::string>& files() const { return m_files; }

  /// Reports `path` to the innermost recorder open on this thread; nothing when there is none.
  static void record(const std::string& path);

 private:
  std::vector<std::string> m_files;
  DataFileRecorder* m_outer = nullptr;
};

}  // namespace distopt
