#pragma once
// Invariant checks for bugs, not for user input (docs/architecture.md, rule 7): a failed DISTOPT_CHECK prints
// the condition with file and line and aborts, in every build type, because a broken invariant in an
// optimizer silently corrupts results, which is worse than a crash.

namespace distopt::detail {
[[noreturn]] void checkFailed(const char* condition, const char* file, int line, const char* message);
}  // namespace distopt::detail

#define DISTOPT_CHECK(cond)                                                   \
  do {                                                                        \
    if (!(cond)) ::distopt::detail::checkFailed(#cond, __FILE__, __LINE__, nullptr); \
  } while (false)

#define DISTOPT_CHECK_MSG(cond, msg)                                          \
  do {                                                                        \
    if (!(cond)) ::distopt::detail::checkFailed(#cond, __FILE__, __LINE__, (msg)); \
  } while (false)
