#include "core/util/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace distopt::detail {

void checkFailed(const char* condition, const char* file, int line, const char* message) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s%s%s\n", file, line, condition,
               message ? ": " : "", message ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace distopt::detail
