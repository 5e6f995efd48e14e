#include "net/protocol/frame_memory.hpp"

// Any libc header defines __GLIBC__; without one before the test below, the test was always false and
// this function compiled to nothing (found by profiling: every large frame still faulted its pages).
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace distopt::net {

void keepLargeFrameMemory() {
#if defined(__GLIBC__)
  // Blocks up to 512 MB come from the heap (a 1e7-coordinate float64 model is 80 MB), and freed heap
  // memory stays with the process up to 1 GB: a run's working set is a handful of model-sized buffers.
  mallopt(M_MMAP_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

}  // namespace distopt::net
