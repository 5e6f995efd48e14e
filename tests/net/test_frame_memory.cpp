// keepLargeFrameMemory must really keep large frames in the heap: it once compiled to an empty function
// (its glibc test came before any libc header), and every 8 MB message faulted in fresh pages again.
// Its own process, so no earlier large allocation has moved glibc's adaptive thresholds.

#include <QtTest>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "net/protocol/frame_memory.hpp"

namespace {

long minorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Frames' lives as in the coordinator: a few in flight, allocated and filled on one thread (ZeroMQ's
// I/O thread receiving), freed on another. Several at once, so glibc's adaptive trimming (twice the
// largest block) would give the pages back if keepLargeFrameMemory did nothing.
void frameLives(std::size_t bytes) {
  std::vector<void*> blocks(4);
  std::thread receiver([&] {
    for (auto& block : blocks) {
      block = std::malloc(bytes);
      std::memset(block, 1, bytes);
    }
  });
  receiver.join();
  for (void* block : blocks) std::free(block);
}

}  // namespace

class TestFrameMemory : public QObject {
  Q_OBJECT

 private slots:
  void largeFramesReuseMappedPages() {
#if !defined(__GLIBC__)
    QSKIP("keepLargeFrameMemory tunes glibc only");
#endif
    distopt::net::keepLargeFrameMemory();
    constexpr std::size_t kBytes = 8 * 1000 * 1000 + 8;  // a d = 1e6 float64 vector frame
    frameLives(kBytes);
    frameLives(kBytes);
    const long before = minorFaults();
    for (int i = 0; i < 3; ++i) frameLives(kBytes);
    // Fresh pages would be ~2000 faults per frame; reused ones none (a thread stack's few aside).
    const long faults = minorFaults() - before;
    QVERIFY2(faults < 1000, qPrintable(QString("%1 page faults for 12 frames").arg(faults)));
  }
};

QTEST_APPLESS_MAIN(TestFrameMemory)
#include "test_frame_memory.moc"
