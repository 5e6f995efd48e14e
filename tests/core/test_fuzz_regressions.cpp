// Inputs the fuzz harnesses (tests/fuzz) found crashing a decoder, replayed through the decoder's own
// API from the corpus file that keeps them (tests/fuzz/corpus/TARGET/crash-*), so that an ordinary
// build without sanitizers still fails if the fix goes.

#include <QTemporaryDir>
#include <QtTest>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/codec/dense_codec.hpp"
#include "core/data/idx_reader.hpp"
#include "core/util/input_error.hpp"

namespace {

const std::string kCorpus = std::string(DISTOPT_SOURCE_DIR) + "/tests/fuzz/corpus/";

std::vector<unsigned char> corpusFile(const std::string& name) {
  std::ifstream in(kCorpus + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TestFuzzRegressions : public QObject {
  Q_OBJECT

 private slots:
  // fuzz_codecs: a float64 frame whose coordinates are not 8-byte aligned was mapped in place, and
  // every read of it was a misaligned load (undefined behaviour); the first fix then handed memcpy the
  // null storage of an empty vector. Both inputs replayed at an odd address.
  void denseFrameAtAnyAddressIsReadWithoutMisalignedLoads_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("five coordinates") << "fuzz_codecs/crash-misaligned-float64";
    QTest::newRow("no coordinates") << "fuzz_codecs/crash-misaligned-empty";
  }
  void denseFrameAtAnyAddressIsReadWithoutMisalignedLoads() {
    QFETCH(QString, file);
    const auto input = corpusFile(file.toStdString());
    QVERIFY(input.size() > 7);
    // The harness reads 7 bytes of parameters, then the frame: here at an odd address on purpose.
    std::vector<unsigned char> buffer(input.size() + 16);
    unsigned char* frame = buffer.data() + 1;
    const std::size_t size = input.size() - 7;
    std::memcpy(frame, input.data() + 7, size);
    distopt::DenseFrameView view;
    std::string why;
    QVERIFY2(distopt::inspectDenseFrame(frame, size, -1, &view, &why), why.c_str());
    QCOMPARE(view.encoding, distopt::VectorEncoding::DenseFloat64);
    distopt::Vector scratch;
    const Eigen::Ref<const distopt::Vector> values = view.view(scratch);
    QCOMPARE(values.size(), view.count);
    if (view.count > 0)
      QCOMPARE(reinterpret_cast<std::uintptr_t>(values.data()) % alignof(double), std::uintptr_t{0});
    for (std::int64_t i = 0; i < view.count; ++i) {
      double expected = 0;
      std::memcpy(&expected, view.coordinates + 8 * i, 8);
      QCOMPARE(values[i], expected);
    }
  }

  // fuzz_data_readers: an IDX header declaring 151 million 2×3 images made the reader allocate what
  // it declared (233 GB) before reading a byte of it: bad_alloc, not a refusal.
  void idxHeaderDeclaringBillionsIsRefusedAsTruncated() {
    const auto input = corpusFile("fuzz_data_readers/crash-idx-declares-billions");
    QVERIFY(input.size() > 3);
    QCOMPARE(int(input[0]) % 3, 1);  // the harness's selector: readIdxImages
    QTemporaryDir dir;
    const std::string path = dir.filePath("images.idx").toStdString();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(input.data() + 3),
               static_cast<std::streamsize>(input.size() - 3));
    try {
      (void)distopt::readIdxImages(path, 0);
      QFAIL("the file was accepted");
    } catch (const distopt::InputError& error) {
      QVERIFY2(std::string(error.what()).find("truncated") != std::string::npos, error.what());
    } catch (const std::exception& other) {
      QFAIL((std::string("not an InputError: ") + other.what()).c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
