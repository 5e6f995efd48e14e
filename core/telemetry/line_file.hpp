#pragma once
// A text file written line by line that stays whole when the disk fills (docs/architecture.md, rule 7: data
// written so far stays readable). Lines are buffered and written in large blocks; when a block cannot be
// written (ENOSPC, EFBIG, EIO) the file is cut back to its last complete line (plain files) or to its last
// complete block (gzip: the stream is flushed at every block, so a reader inflates everything before the
// failure), the error is kept, and further lines are counted as dropped. Nothing throws after the
// constructor; the owner asks error() at the end.

#include <cstdarg>
#include <cstdint>
#include <string>

namespace distopt {

class LineFile {
 public:
  /// Creates (truncates) `path`; gzip-compressed when `gzip`. Throws InputError naming the path when it
  /// cannot be created.
  LineFile(const std::string& path, bool gzip);
  ~LineFile();
  LineFile(const LineFile&) = delete;
  LineFile& operator=(const LineFile&) = delete;

  /// Appends one formatted line; `format` includes the trailing newline.
  void print(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void write(const std::string& text);
  /// Writes what is buffered, then closes the file; false with error() set when any write failed.
  bool close();

  const std::string& path() const { return m_path; }
  /// "PATH: what failed", empty while all is well.
  const std::string& error() const { return m_error; }
  std::uint64_t droppedLines() const { return m_dropped; }

 private:
  void flushBlock();
  bool writeAll(const char* data, std::size_t size, std::size_t* written);
  void failWith(int error, const char* what);

  std::string m_path;
  int m_fd = -1;
  void* m_deflate = nullptr;  // z_stream, kept opaque so zlib.h stays out of this header
  std::string m_buffer;
  std::string m_compressed;
  std::uint64_t m_offset = 0;  // bytes of the file known to be whole
  std::uint64_t m_dropped = 0;
  std::string m_error;
};

}  // namespace distopt
