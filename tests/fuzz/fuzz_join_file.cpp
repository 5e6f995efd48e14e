// Join files as a worker reads them (net/security/join_file: distopt-worker --join-file): whatever the
// bytes, the decoder refuses with a reason or returns a join file whose fields pass their own checks,
// and what it returns is written back and read again to the same fields.
// Input: the file's bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/security/join_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt::net;
  std::string why;
  const auto info = parseJoinFile(std::string_view(reinterpret_cast<const char*>(data), size), &why);
  if (!info) {
    if (why.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  if (!info->isValid(&why)) std::abort();
  const auto again = parseJoinFile(formatJoinFile(*info), &why);
  if (!again || again->endpoint != info->endpoint || again->serverKey != info->serverKey ||
      again->joinToken != info->joinToken)
    std::abort();
  return 0;
}
