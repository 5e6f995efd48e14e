#include "net/security/private_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace distopt::net {

bool writePrivateFile(const std::string& path, const std::string& text, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = path + ": " + reason;
    return false;
  };
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return fail(std::string("cannot be written: ") + std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool complete = written == text.size() && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!complete || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int cause = complete ? errno : error;
    ::unlink(temporary.c_str());
    return fail(std::string("cannot be written: ") + std::strerror(cause));
  }
  return true;
}

std::optional<std::string> readPrivateFile(const std::string& path, std::size_t maxBytes, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<std::string> {
    if (why) *why = path + ": " + reason;
    return std::nullopt;
  };
  // O_NONBLOCK: a FIFO planted under the name must not hang the reader (it is refused below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::string("cannot be read: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // The checks are on the open file, not the name: the file read is the file checked.
  struct stat info {};
  if (::fstat(fd, &info) != 0) return fail(std::string("cannot be read: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return fail("is not a regular file");
  if ((info.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return fail(std::string("holds a secret but its mode is ") + mode +
                ": others may read or change it (chmod 600 it)");
  }
  if (static_cast<std::size_t>(info.st_size) > maxBytes)
    return fail("is too large (" + std::to_string(info.st_size) + " bytes; at most " +
                std::to_string(maxBytes) + ")");
  std::string text;
  char buffer[4096];
  while (text.size() <= maxBytes) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::string("cannot be read: ") + std::strerror(errno));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  if (text.size() > maxBytes) return fail("is too large (at most " + std::to_string(maxBytes) + " bytes)");
  return text;
}

}  // namespace distopt::net
