#pragma once
// Memory for large frames. Every JOB and GRAD of a 1e6-coordinate model is an 8 MB buffer that lives
// for one round trip. glibc serves blocks that large with mmap and returns them with munmap, so each
// message costs ~2000 fresh page faults (measured: ~15% of the coordinator's time at d = 1e6).
// Keeping such blocks in the heap makes the next message reuse the same, already mapped pages.

namespace distopt::net {

/// Tunes the process allocator so large message buffers are reused instead of mapped and unmapped per
/// message. Call once at the start of a program that moves models (coordinator, worker). No effect
/// outside glibc.
void keepLargeFrameMemory();

}  // namespace distopt::net
