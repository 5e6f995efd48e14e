// LIBSVM and IDX readers: the real a9a files, round trips through small files written here (plain and
// gzip), and one malformed file per kind of error, checking that the error names the file and line.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <zlib.h>

#include "core/data/idx_reader.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/util/input_error.hpp"

using distopt::Dataset;
using distopt::InputError;

namespace {

const std::string kA9a = std::string(DISTOPT_TEST_DATA_DIR) + "/a9a.gz";
const std::string kA9aTest = std::string(DISTOPT_TEST_DATA_DIR) + "/a9a.t.gz";
const std::string kFashionDir = "/usr/share/datasets/fashion-mnist";

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void writeBytes(const std::string& path, const std::vector<unsigned char>& bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    QVERIFY(file != nullptr);
    QCOMPARE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

void appendBigEndian(std::vector<unsigned char>& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<unsigned char>(value >> shift));
}

std::vector<unsigned char> idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  std::vector<unsigned char> bytes = {0, 0, 0x08, 0x03};
  appendBigEndian(bytes, count);
  appendBigEndian(bytes, rows);
  appendBigEndian(bytes, cols);
  for (std::uint32_t i = 0; i < count * rows * cols; ++i) bytes.push_back(static_cast<unsigned char>((i * 37) % 256));
  return bytes;
}

std::vector<unsigned char> idxLabels(std::uint32_t count) {
  std::vector<unsigned char> bytes = {0, 0, 0x08, 0x01};
  appendBigEndian(bytes, count);
  for (std::uint32_t i = 0; i < count; ++i) bytes.push_back(static_cast<unsigned char>(i % 10));
  return bytes;
}

template <typename F>
std::optional<InputError> captureInputError(F&& function) {
  try {
    function();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

}  // namespace

class TestDataReaders : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

  std::string tempPath(const char* name) const { return m_dir.filePath(name).toStdString(); }

  // Writes `text` as a LIBSVM file and checks that reading it fails at `line` with `fragment` in the message.
  void expectLibsvmError(const char* name, const std::string& text, int line, const char* fragment,
                         std::int64_t numFeatures = 0) {
    const std::string path = tempPath(name);
    writeText(path, text);
    const auto error = captureInputError([&] { distopt::readLibsvm(path, {.numFeatures = numFeatures}); });
    QVERIFY2(error.has_value(), name);
    QCOMPARE(error->where(), path + ":" + std::to_string(line));
    QVERIFY2(std::string(error->what()).find(fragment) != std::string::npos, error->what());
    QVERIFY2(std::string(error->what()).find(path) == 0, error->what());
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void a9aTrainCounts() {
    QElapsedTimer timer;
    timer.start();
    const Dataset data = distopt::readLibsvm(kA9a);
    const auto elapsed = timer.elapsed();
    qInfo("a9a read in %lld ms", static_cast<long long>(elapsed));
    QVERIFY2(elapsed < 1000, "reading a9a must take < 1 s");
    QVERIFY(data.isSparse);
    QCOMPARE(data.numSamples(), std::int64_t{32561});
    QCOMPARE(data.numFeatures(), std::int64_t{123});
    QCOMPARE(data.numClasses, 2);
    QCOMPARE(data.classValues, (std::vector<double>{-1.0, 1.0}));
    const auto counts = data.classCounts();
    QCOMPARE(counts[1], std::int64_t{7841});
    QCOMPARE(counts[0], std::int64_t{24720});
    // Binary indicator features: every stored value is 1.
    QCOMPARE(data.sparse.coeffs().minCoeff(), 1.0);
    QCOMPARE(data.sparse.coeffs().maxCoeff(), 1.0);
  }

  void a9aTestWithDeclaredFeatures() {
    QElapsedTimer timer;
    timer.start();
    const Dataset data = distopt::readLibsvm(kA9aTest, {.numFeatures = 123});
    QVERIFY(timer.elapsed() < 1000);
    QCOMPARE(data.numSamples(), std::int64_t{16281});
    QCOMPARE(data.numFeatures(), std::int64_t{123});
    QCOMPARE(data.classCounts()[1], std::int64_t{3846});
    // Without the declaration the test file's own largest index (122) decides.
    QCOMPARE(distopt::readLibsvm(kA9aTest).numFeatures(), std::int64_t{122});
    // Declaring fewer features than the file uses is an error naming the line.
    const auto error = captureInputError([] { distopt::readLibsvm(kA9aTest, {.numFeatures = 100}); });
    QVERIFY(error.has_value());
    QVERIFY(error->where().rfind(kA9aTest + ":", 0) == 0);
    QVERIFY(std::string(error->what()).find("beyond the declared feature count 100") != std::string::npos);
  }

  void libsvmCommentsBlankLinesAndValues() {
    const std::string path = tempPath("ok.svm");
    writeText(path,
              "# a header comment\n"
              "\n"
              "+1 1:0.5 3:-2e-1   # trailing comment\r\n"
              "-1\n"
              "   \t\n"
              "-1 2:4 7:1.25\n");
    const Dataset data = distopt::readLibsvm(path);
    QCOMPARE(data.numSamples(), std::int64_t{3});
    QCOMPARE(data.numFeatures(), std::int64_t{7});
    QCOMPARE(data.labels, (std::vector<int>{1, 0, 0}));
    QCOMPARE(data.sparse.coeff(0, 0), 0.5);
    QCOMPARE(data.sparse.coeff(0, 2), -0.2);
    QCOMPARE(data.sparse.row(1).nonZeros(), Eigen::Index{0});
    QCOMPARE(data.sparse.coeff(2, 1), 4.0);
    QCOMPARE(data.sparse.coeff(2, 6), 1.25);
    QCOMPARE(data.source, path);
    // The dense views used by the networks agree with the sparse storage.
    const auto rows = data.denseRows(1, 2);
    QCOMPARE(rows.rows(), Eigen::Index{2});
    QCOMPARE(rows(1, 6), 1.25);
    QCOMPARE(rows.row(0).squaredNorm(), 0.0);
    QCOMPARE(data.denseCopy()(0, 2), -0.2f);
  }

  void libsvmZeroOneAndClassIds() {
    const std::string binary = tempPath("binary01.svm");
    writeText(binary, "0 1:1\n1 2:1\n1 1:1\n");
    const Dataset zeroOne = distopt::readLibsvm(binary);
    QCOMPARE(zeroOne.numClasses, 2);
    QCOMPARE(zeroOne.labels, (std::vector<int>{0, 1, 1}));
    QVERIFY(zeroOne.classValues.empty());

    const std::string multi = tempPath("multi.svm");
    writeText(multi, "3 1:1\n0 1:2\n1.0 2:1\n");
    const Dataset classes = distopt::readLibsvm(multi);
    QCOMPARE(classes.numClasses, 4);
    QCOMPARE(classes.labels, (std::vector<int>{3, 0, 1}));
    QCOMPARE(classes.numFeatures(), std::int64_t{2});
  }

  void libsvmGzip() {
    const std::string path = tempPath("data.svm.gz");
    const std::string text = "+1 1:1 5:2\n-1 2:3\n";
    writeBytes(path, std::vector<unsigned char>(text.begin(), text.end()), true);
    const Dataset data = distopt::readLibsvm(path);
    QCOMPARE(data.numSamples(), std::int64_t{2});
    QCOMPARE(data.sparse.coeff(0, 4), 2.0);
  }

  void libsvmErrorsNameFileAndLine() {
    expectLibsvmError("bad_value.svm", "+1 1:1\n-1 3:abc\n", 2, "bad token '3:abc'");
    expectLibsvmError("no_colon.svm", "# c\n+1 1:1 4\n", 2, "bad token '4'");
    expectLibsvmError("bad_index.svm", "+1 x:1\n", 1, "bad token 'x:1'");
    expectLibsvmError("negative_index.svm", "+1 -3:1\n", 1, "bad token '-3:1'");
    expectLibsvmError("nan_value.svm", "+1 1:nan\n", 1, "bad token '1:nan'");
    expectLibsvmError("index_zero.svm", "+1 1:1\n\n-1 0:1 2:1\n", 3, "feature index 0");
    expectLibsvmError("decreasing.svm", "+1 3:1 2:1\n", 1, "feature index 2 after 3");
    expectLibsvmError("repeated.svm", "+1 1:1\n+1 3:1 3:2\n", 2, "strictly increasing");
    expectLibsvmError("bad_label.svm", "+1 1:1\nyes 1:1\n", 2, "bad label 'yes'");
    expectLibsvmError("fraction_label.svm", "0.5 1:1\n", 1, "bad label '0.5'");
    expectLibsvmError("multilabel.svm", "1,2 1:1\n", 1, "bad label '1,2'");
    expectLibsvmError("negative_class.svm", "1 1:1\n0 1:1\n-2 1:1\n", 3, "bad label -2");
    expectLibsvmError("mixed_minus_one.svm", "1 1:1\n-1 1:1\n2 1:1\n", 2, "bad label -1");
    expectLibsvmError("beyond.svm", "+1 1:1 5:1\n-1 6:1\n", 2, "feature index 6 beyond the declared feature count 5", 5);
  }

  void libsvmEmptyAndMissingFiles() {
    const std::string empty = tempPath("empty.svm");
    writeText(empty, "# nothing here\n\n");
    auto error = captureInputError([&] { distopt::readLibsvm(empty); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), empty);
    QVERIFY(std::string(error->what()).find("no samples") != std::string::npos);

    const std::string missing = tempPath("missing.svm");
    error = captureInputError([&] { distopt::readLibsvm(missing); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), missing);
    QVERIFY(std::string(error->what()).find("cannot open") != std::string::npos);
  }

  void idxRoundTripPlainAndGzip() {
    for (bool gzip : {false, true}) {
      const std::string images = tempPath(gzip ? "img.idx3.gz" : "img.idx3");
      const std::string labels = tempPath(gzip ? "lbl.idx1.gz" : "lbl.idx1");
      const auto imageBytes = idxImages(12, 3, 4);
      writeBytes(images, imageBytes, gzip);
      writeBytes(labels, idxLabels(12), gzip);

      const auto read = distopt::readIdxImages(images);
      QCOMPARE(read.declaredCount, std::int64_t{12});
      QCOMPARE(read.rows, 3);
      QCOMPARE(read.cols, 4);
      QCOMPARE(read.pixels.rows(), Eigen::Index{12});
      QCOMPARE(read.pixels.cols(), Eigen::Index{12});
      for (Eigen::Index i = 0; i < 12 * 12; ++i)
        QCOMPARE(read.pixels.data()[i], static_cast<float>(imageBytes[16 + static_cast<std::size_t>(i)]) / 255.0f);

      const Dataset data = distopt::readIdxDataset(images, labels);
      QVERIFY(!data.isSparse);
      QCOMPARE(data.numSamples(), std::int64_t{12});
      QCOMPARE(data.numFeatures(), std::int64_t{12});
      QCOMPARE(data.numClasses, 10);
      QCOMPARE(data.labels[11], 1);
      QVERIFY(data.dense.minCoeff() >= 0.0f && data.dense.maxCoeff() <= 1.0f);

      const Dataset limited = distopt::readIdxDataset(images, labels, {.limit = 5, .pixelMean = 0.5, .pixelStd = 0.25});
      QCOMPARE(limited.numSamples(), std::int64_t{5});
      QCOMPARE(limited.dense(4, 3), (data.dense(4, 3) - 0.5f) * 4.0f);
    }
  }

  void idxErrorsNameTheFile() {
    const std::string images = tempPath("e_img.idx3.gz");
    const std::string labels = tempPath("e_lbl.idx1.gz");
    writeBytes(images, idxImages(6, 2, 2), true);
    writeBytes(labels, idxLabels(6), true);

    // Bad magic: a label file passed as images, and vice versa.
    auto error = captureInputError([&] { distopt::readIdxImages(labels); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), labels);
    QVERIFY2(std::string(error->what()).find("bad magic number 0x00000801: expected 0x00000803") != std::string::npos,
             error->what());
    error = captureInputError([&] { distopt::readIdxLabels(images); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("bad magic number") != std::string::npos);

    // Truncated pixel data (plain file, so zlib's pass-through sees a short file).
    auto bytes = idxImages(6, 2, 2);
    bytes.resize(bytes.size() - 3);
    const std::string truncated = tempPath("truncated.idx3");
    writeBytes(truncated, bytes, false);
    error = captureInputError([&] { distopt::readIdxImages(truncated); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), truncated);
    QVERIFY2(std::string(error->what()).find("truncated") != std::string::npos, error->what());
    // Reading only the images that are complete works.
    QCOMPARE(distopt::readIdxImages(truncated, 5).pixels.rows(), Eigen::Index{5});

    // Truncated header.
    const std::string shortHeader = tempPath("short.idx1");
    writeBytes(shortHeader, {0, 0, 8, 1, 0, 0}, false);
    error = captureInputError([&] { distopt::readIdxLabels(shortHeader); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("truncated") != std::string::npos);

    // Truncated labels.
    auto labelBytes = idxLabels(6);
    labelBytes.pop_back();
    const std::string shortLabels = tempPath("short_labels.idx1");
    writeBytes(shortLabels, labelBytes, false);
    error = captureInputError([&] { distopt::readIdxLabels(shortLabels); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("truncated") != std::string::npos);

    // Count mismatch between the image and label files.
    const std::string fewerLabels = tempPath("fewer.idx1");
    writeBytes(fewerLabels, idxLabels(5), false);
    error = captureInputError([&] { distopt::readIdxDataset(images, fewerLabels); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), fewerLabels);
    QVERIFY2(std::string(error->what()).find("count mismatch: 5 labels but 6 images") != std::string::npos,
             error->what());

    // A missing file.
    error = captureInputError([&] { distopt::readIdxImages(tempPath("nope.idx3")); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("cannot open") != std::string::npos);
  }

  void fashionMnistIfInstalled() {
    const std::string trainImages = kFashionDir + "/train-images-idx3-ubyte.gz";
    const std::string trainLabels = kFashionDir + "/train-labels-idx1-ubyte.gz";
    const std::string testImages = kFashionDir + "/t10k-images-idx3-ubyte.gz";
    const std::string testLabels = kFashionDir + "/t10k-labels-idx1-ubyte.gz";
    for (const auto& path : {trainImages, trainLabels, testImages, testLabels})
      if (!std::filesystem::exists(path)) QSKIP("Debian's dataset-fashion-mnist is not installed");
    const Dataset train = distopt::readIdxDataset(trainImages, trainLabels);
    QCOMPARE(train.numSamples(), std::int64_t{60000});
    QCOMPARE(train.numFeatures(), std::int64_t{784});
    QCOMPARE(train.numClasses, 10);
    for (auto count : train.classCounts()) QCOMPARE(count, std::int64_t{6000});
    QVERIFY(train.dense.minCoeff() == 0.0f && train.dense.maxCoeff() == 1.0f);
    const Dataset test = distopt::readIdxDataset(testImages, testLabels);
    QCOMPARE(test.numSamples(), std::int64_t{10000});
    QCOMPARE(distopt::readIdxDataset(trainImages, trainLabels, {.limit = 100}).numSamples(), std::int64_t{100});
  }
};

QTEST_APPLESS_MAIN(TestDataReaders)
#include "test_data_readers.moc"
