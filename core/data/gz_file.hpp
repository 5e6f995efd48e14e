#pragma once
// Reading a data file that may or may not be gzip-compressed. zlib's gzread passes plain files through
// unchanged, so one code path serves "train-images-idx3-ubyte" and "train-images-idx3-ubyte.gz" alike.

#include <cstddef>
#include <cstdint>
#include <string>

namespace distopt {

class GzFile {
 public:
  /// Opens `path` for reading; throws InputError(path, ...) when it cannot be opened.
  explicit GzFile(const std::string& path);
  ~GzFile();
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  /// Reads up to `size` bytes; returns how many were read (fewer only at end of file).
  /// Throws InputError(path, ...) on a read or decompression error.
  std::size_t read(void* buffer, std::size_t size);
  /// Reads the rest of the file.
  std::string readAll();

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  void* m_handle = nullptr;  // gzFile; kept opaque so zlib.h stays out of this header
};

}  // namespace distopt
