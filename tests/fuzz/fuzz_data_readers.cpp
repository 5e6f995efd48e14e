// The data-file readers of core/data: LIBSVM (readLibsvm) and IDX images and labels (readIdxImages,
// readIdxLabels), each through its real entry point, a path (an in-memory file), so the gzip layer
// (GzFile reads plain files as they are) and the reader's own checks both run. A bad file must end
// in an InputError naming the place, never in anything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "core/data/idx_reader.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/util/input_error.hpp"
#include "fuzz_input.hpp"

namespace {

/// One in-memory file for the whole run, rewritten per input.
const std::string& scratchPath() {
  static const std::string path = [] {
    const int fd = memfd_create("distopt-fuzz-data", 0);
    if (fd < 0) std::abort();
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void writeScratch(std::span<const std::uint8_t> bytes) {
  const int fd = std::stoi(scratchPath().substr(std::string("/proc/self/fd/").size()));
  if (ftruncate(fd, 0) != 0) std::abort();
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = pwrite(fd, bytes.data() + written, bytes.size() - written, static_cast<off_t>(written));
    if (n <= 0) std::abort();
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  fuzz::FuzzInput input(data, size);
  const std::uint8_t which = input.byte() % 3;
  const auto limit = static_cast<std::int64_t>(input.upTo(64));
  writeScratch(input.rest());
  try {
    if (which == 0) {
      LibsvmReadOptions options;
      options.numFeatures = limit;  // 0: the largest index in the file
      (void)readLibsvm(scratchPath(), options);
    } else if (which == 1) {
      (void)readIdxImages(scratchPath(), limit);
    } else {
      (void)readIdxLabels(scratchPath(), limit);
    }
  } catch (const InputError&) {
    // The refusal this reader owes a bad file.
  }
  return 0;
}
