#pragma once
// What the live benchmarks share: where the worker program is.

#include <filesystem>
#include <string>

namespace distopt::bench {

/// distopt-worker of this build: benchmarks live in build/bench, the programs in build/bin.
inline std::string workerBinary() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "distopt-worker";
  return (self.parent_path().parent_path() / "bin" / "distopt-worker").string();
}

}  // namespace distopt::bench
