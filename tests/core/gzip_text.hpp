#pragma once
// Reads a result file whether or not it is gzipped (zlib's gzread passes a plain file through), so a test
// compares what a person gets after `zcat`, not the compressed bytes.
#include <string>

#include <zlib.h>

namespace distopt::test {

/// The file's text, inflated if it is gzip; empty when it cannot be opened.
inline std::string readMaybeGzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) return {};
  std::string text;
  char buffer[1 << 16];
  for (int n; (n = gzread(file, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  gzclose(file);
  return text;
}

}  // namespace distopt::test
