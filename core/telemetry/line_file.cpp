#include "core/telemetry/line_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

constexpr std::size_t kBlock = 1 << 20;

z_stream* stream(void* handle) { return static_cast<z_stream*>(handle); }

}  // namespace

LineFile::LineFile(const std::string& path, bool gzip) : m_path(path) {
  m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
  if (gzip) {
    auto* z = new z_stream{};
    // windowBits 15 + 16: a gzip header and trailer, so gzip/zcat/pandas read it as is.
    if (deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      delete z;
      ::close(m_fd);
      throw InputError(path, "cannot start gzip compression");
    }
    m_deflate = z;
  }
  m_buffer.reserve(kBlock + 4096);
}

LineFile::~LineFile() { close(); }

void LineFile::print(const char* format, ...) {
  if (m_fd < 0 || !m_error.empty()) {
    ++m_dropped;
    return;
  }
  char line[512];
  va_list args;
  va_start(args, format);
  const int length = std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  if (length < 0) return;
  if (static_cast<std::size_t>(length) < sizeof line) {
    m_buffer.append(line, static_cast<std::size_t>(length));
  } else {
    std::string longLine(static_cast<std::size_t>(length) + 1, '\0');
    va_start(args, format);
    std::vsnprintf(longLine.data(), longLine.size(), format, args);
    va_end(args);
    longLine.pop_back();
    m_buffer += longLine;
  }
  if (m_buffer.size() >= kBlock) flushBlock();
}

void LineFile::write(const std::string& text) {
  if (m_fd < 0 || !m_error.empty()) {
    ++m_dropped;
    return;
  }
  m_buffer += text;
  if (m_buffer.size() >= kBlock) flushBlock();
}

void LineFile::failWith(int error, const char* what) {
  if (m_error.empty()) m_error = m_path + ": " + what + ": " + std::strerror(error);
  // Cut back to what is whole, so readers never meet half a line (or half a gzip block).
  if (::ftruncate(m_fd, static_cast<off_t>(m_offset)) != 0)
    m_error += " (and it could not be cut back to whole lines)";
}

bool LineFile::writeAll(const char* data, std::size_t size, std::size_t* written) {
  *written = 0;
  while (*written < size) {
    const ssize_t n = ::write(m_fd, data + *written, size - *written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    *written += static_cast<std::size_t>(n);
  }
  return true;
}

void LineFile::flushBlock() {
  if (m_buffer.empty() || m_fd < 0 || !m_error.empty()) return;
  const std::size_t lines = static_cast<std::size_t>(std::count(m_buffer.begin(), m_buffer.end(), '\n'));
  std::size_t written = 0;
  if (!m_deflate) {
    if (!writeAll(m_buffer.data(), m_buffer.size(), &written)) {
      const int error = errno;
      // The whole lines that made it stay; the partial one goes.
      const auto lastNewline = m_buffer.rfind('\n', written == 0 ? 0 : written - 1);
      const std::size_t whole = (written == 0 || lastNewline == std::string::npos) ? 0 : lastNewline + 1;
      m_offset += whole;
      m_dropped +=
          lines - static_cast<std::size_t>(std::count(m_buffer.begin(), m_buffer.begin() + whole, '\n'));
      failWith(error, "write failed");
    } else {
      m_offset += written;
    }
    m_buffer.clear();
    return;
  }
  z_stream* z = stream(m_deflate);
  z->next_in = reinterpret_cast<Bytef*>(m_buffer.data());
  z->avail_in = static_cast<uInt>(m_buffer.size());
  m_compressed.resize(deflateBound(z, static_cast<uLong>(m_buffer.size())) + 64);
  z->next_out = reinterpret_cast<Bytef*>(m_compressed.data());
  z->avail_out = static_cast<uInt>(m_compressed.size());
  // A sync flush ends the block on a byte boundary: everything up to here inflates on its own.
  const int rc = deflate(z, Z_SYNC_FLUSH);
  m_buffer.clear();
  if (rc != Z_OK && rc != Z_BUF_ERROR) {
    m_dropped += lines;
    failWith(EIO, "compression failed");
    return;
  }
  const std::size_t size = m_compressed.size() - z->avail_out;
  if (!writeAll(m_compressed.data(), size, &written)) {
    m_dropped += lines;
    failWith(errno, "write failed");
    return;
  }
  m_offset += written;
}

bool LineFile::close() {
  if (m_fd < 0) return m_error.empty();
  flushBlock();
  if (m_deflate) {
    z_stream* z = stream(m_deflate);
    if (m_error.empty()) {
      char trailer[64];
      z->next_in = nullptr;
      z->avail_in = 0;
      z->next_out = reinterpret_cast<Bytef*>(trailer);
      z->avail_out = sizeof trailer;
      std::size_t written = 0;
      if (deflate(z, Z_FINISH) != Z_STREAM_END)
        failWith(EIO, "compression failed");
      else if (!writeAll(trailer, sizeof trailer - z->avail_out, &written))
        failWith(errno, "write failed");
    }
    deflateEnd(z);
    delete z;
    m_deflate = nullptr;
  }
  if (::close(m_fd) != 0 && m_error.empty()) m_error = m_path + ": close failed: " + std::strerror(errno);
  m_fd = -1;
  return m_error.empty();
}

}  // namespace distopt
