#include "core/data/gz_file.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include <zlib.h>

#include "core/util/input_error.hpp"

namespace distopt {

GzFile::GzFile(const std::string& path) : m_path(path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, "is a directory, not a data file");
  gzFile handle = gzopen(path.c_str(), "rb");
  if (handle == nullptr) {
    const int err = errno;
    throw InputError(path, std::string("cannot open file: ") + (err != 0 ? std::strerror(err) : "unknown error"));
  }
  // A larger buffer than zlib's 8 KiB default roughly halves the time to inflate Fashion-MNIST.
  gzbuffer(handle, 1 << 17);
  m_handle = handle;
}

GzFile::~GzFile() {
  if (m_handle != nullptr) gzclose(static_cast<gzFile>(m_handle));
}

std::size_t GzFile::read(void* buffer, std::size_t size) {
  auto* out = static_cast<unsigned char*>(buffer);
  std::size_t total = 0;
  // gzread takes an unsigned count; large requests go in pieces.
  while (total < size) {
    const auto piece = static_cast<unsigned>(std::min<std::size_t>(size - total, 1u << 30));
    const int got = gzread(static_cast<gzFile>(m_handle), out + total, piece);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(static_cast<gzFile>(m_handle), &code);
      throw InputError(m_path, std::string("read error: ") + (message ? message : "unknown zlib error"));
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

std::string GzFile::readAll() {
  std::string data;
  std::size_t used = 0;
  std::size_t capacity = 1 << 20;
  for (;;) {
    data.resize(capacity);
    const std::size_t got = read(data.data() + used, capacity - used);
    used += got;
    if (used < capacity) break;
    capacity *= 2;
  }
  data.resize(used);
  return data;
}

}  // namespace distopt
