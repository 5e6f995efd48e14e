// distopt-run: the coordinator and headless front end.
#include <cstdio>
#include <string>
#include <string_view>

#include "distopt_version.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: distopt-run EXPERIMENT.json [options]\n"
    "\n"
    "Runs an experiment file without the GUI and writes its results.\n"
    "\n"
    "  --help       show this text\n"
    "  --version    show the program version\n"
    "\n"
    "Exit status: 0 done, 1 run failed, 2 bad input.\n";

}  // namespace

int main(int argc, char** argv) {
  std::string experiment;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--version") {
      std::printf("distopt-run %s\n", distopt::kVersionString);
      return 0;
    }
    if (arg.starts_with("-")) {
      std::fprintf(stderr, "distopt-run: unknown option '%s' (see --help)\n", argv[i]);
      return 2;
    }
    if (!experiment.empty()) {
      std::fprintf(stderr, "distopt-run: only one experiment file may be given\n");
      return 2;
    }
    experiment = arg;
  }
  if (experiment.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::fprintf(stderr, "distopt-run: the run engine is not built yet; nothing was run for %s\n",
               experiment.c_str());
  return 1;
}
