// Users' own data: the data search path (experiment folder, $DISTOPT_DATA, XDG data folders, the
// installed share folder) and the table readers (CSV, NumPy .npy, LIBSVM regression labels), and the
// problems that read them (softmax/MLP on LIBSVM multiclass and tables, least squares on regression data).

#include <QTemporaryDir>
#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/data/csv_reader.hpp"
#include "core/data/data_file.hpp"
#include "core/data/data_search_path.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/data/npy_reader.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/problems/problem_params.hpp"
#include "core/problems/softmax_problem.hpp"
#include "core/registry/component.hpp"
#include "core/util/input_error.hpp"

using distopt::DataSearchEnvironment;
using distopt::Dataset;
using distopt::InputError;
using distopt::LabelKind;
using distopt::ProblemBuildContext;
using distopt::ProblemEntry;
using nlohmann::json;

namespace {

template <typename F>
std::optional<InputError> captureInputError(F&& function) {
  try {
    function();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A .npy file (version 1.0) holding `values` with the given dtype text, shape and order.
std::string npyBytes(const std::string& descr, const std::string& shape, bool fortran,
                     const std::string& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  return bytes + dict + data;
}

template <typename T>
std::string rawValues(std::initializer_list<T> values) {
  std::string data;
  for (T v : values) data.append(reinterpret_cast<const char*>(&v), sizeof v);
  return data;
}

std::unique_ptr<distopt::Problem> build(const ProblemEntry& entry, json params,
                                        const ProblemBuildContext& context) {
  std::string why;
  if (!distopt::validateAndFillOptions(entry.options, params, context.path, &why)) throw InputError("", why);
  return entry.make(params, context);
}

}  // namespace

class TestDataFiles : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  std::string dir() const { return m_dir.path().toStdString(); }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    // resolveDataFile reads the process environment: keep this machine's folders out of it.
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(dir() + "/xdg-home"));
    qputenv("XDG_DATA_DIRS", QByteArray::fromStdString(dir() + "/xdg-a:" + dir() + "/xdg-b"));
    qunsetenv("DISTOPT_DATA");
  }

  // ---- the search path ----

  void searchPathOrder() {
    DataSearchEnvironment environment;
    environment.distoptData = "/d1::/d2/";
    environment.xdgDataHome = "/home/u/xdg";
    environment.xdgDataDirs = "/x1:relative:/x2";
    environment.home = "/home/u";
    environment.programDirectory = "/opt/distopt/bin";
    const std::vector<std::string> expected = {"/exp",
                                               "/d1",
                                               "/d2/",
                                               "/home/u/xdg/distopt/data",
                                               "/x1/distopt/data",
                                               "/x2/distopt/data",
                                               "/opt/distopt/" + std::string("share/distopt/data")};
    QCOMPARE(distopt::installedDataRelativeToPrograms(), std::string("../share/distopt/data"));
    QCOMPARE(distopt::dataSearchDirectories("/exp", environment), expected);
    // XDG defaults when unset or empty (a relative XDG_DATA_HOME is invalid and ignored).
    environment.xdgDataHome = "relative";
    environment.xdgDataDirs = "";
    environment.distoptData.reset();
    const auto defaults = distopt::dataSearchDirectories("", environment);
    QCOMPARE(defaults,
             (std::vector<std::string>{"/home/u/.local/share/distopt/data", "/usr/local/share/distopt/data",
                                       "/usr/share/distopt/data", "/opt/distopt/share/distopt/data"}));
  }

  void firstFolderHoldingTheFileWins() {
    DataSearchEnvironment environment;
    environment.distoptData = dir() + "/one:" + dir() + "/two";
    environment.xdgDataHome = dir() + "/home";
    environment.xdgDataDirs = dir() + "/sys";
    environment.programDirectory = dir() + "/prefix/bin";
    writeFile(dir() + "/two/set.csv", "1,2\n");
    writeFile(dir() + "/home/distopt/data/set.csv", "1,2\n");
    writeFile(dir() + "/prefix/share/distopt/data/only-installed.csv", "1,2\n");
    auto lookup = distopt::findDataFile("set.csv", dir() + "/experiment", environment);
    QVERIFY(lookup.found.has_value());
    QCOMPARE(*lookup.found, dir() + "/two/set.csv");
    QCOMPARE(lookup.tried.size(), std::size_t{3});
    // The experiment's own folder comes first.
    writeFile(dir() + "/experiment/set.csv", "1,2\n");
    QCOMPARE(*distopt::findDataFile("set.csv", dir() + "/experiment", environment).found,
             dir() + "/experiment/set.csv");
    // The installed share folder is found from the program's folder.
    lookup = distopt::findDataFile("only-installed.csv", dir() + "/experiment", environment);
    QVERIFY(lookup.found.has_value());
    QCOMPARE(*lookup.found, dir() + "/prefix/share/distopt/data/only-installed.csv");
    // A folder of that name is not a data file.
    std::filesystem::create_directories(dir() + "/one/folder.csv");
    QVERIFY(!distopt::findDataFile("folder.csv", "", environment).found);
  }

  void notFoundNamesEveryPlaceLookedIn() {
    qputenv("DISTOPT_DATA", QByteArray::fromStdString(dir() + "/env-a:" + dir() + "/env-b"));
    ProblemBuildContext context{.baseDirectory = dir() + "/experiment", .seed = 1};
    const auto error = captureInputError([&] { distopt::resolveDataFile(context, "train", "nowhere.svm"); });
    qunsetenv("DISTOPT_DATA");
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.train"));
    const std::string message = error->what();
    for (const std::string place : {"/experiment/nowhere.svm", "/env-a/nowhere.svm", "/env-b/nowhere.svm",
                                    "/xdg-home/distopt/data/nowhere.svm", "/xdg-a/distopt/data/nowhere.svm",
                                    "/xdg-b/distopt/data/nowhere.svm", "share/distopt/data/nowhere.svm"})
      QVERIFY2(contains(message, place), message.c_str());
    // Found through $DISTOPT_DATA.
    writeFile(dir() + "/env-b/somewhere.svm", "+1 1:1\n");
    qputenv("DISTOPT_DATA", QByteArray::fromStdString(dir() + "/env-a:" + dir() + "/env-b"));
    QCOMPARE(distopt::resolveDataFile(context, "train", "somewhere.svm"), dir() + "/env-b/somewhere.svm");
    qunsetenv("DISTOPT_DATA");
  }

  void programsFindTheShippedDataBesideThem() {
    // This test program lives in BUILD/tests; the build tree mirrors the installed layout, so
    // BUILD/share/distopt/data holds the shipped a9a as PREFIX/share/distopt/data does.
    ProblemBuildContext context{.baseDirectory = dir() + "/experiment", .seed = 1};
    const std::string found = distopt::resolveDataFile(context, "train", "a9a.t.gz");
    QVERIFY2(contains(found, "share/distopt/data/a9a.t.gz"), found.c_str());
  }

  // ---- CSV ----

  void csvWithHeaderAndLabelColumn() {
    writeFile(dir() + "/t.csv", "x1, x2, label\n0.5,1,2\n\n-1.5,2e1,0\n3,4,1\n");
    const Dataset data = distopt::readCsv(dir() + "/t.csv", {.labelColumn = -1});
    QVERIFY(!data.isSparse);
    QCOMPARE(data.numSamples(), std::int64_t{3});
    QCOMPARE(data.numFeatures(), std::int64_t{2});
    QCOMPARE(data.labels, (std::vector<int>{2, 0, 1}));
    QCOMPARE(data.numClasses, 3);
    QCOMPARE(data.dense(1, 1), 20.0f);
    QCOMPARE(data.dense(0, 0), 0.5f);
    // The same file with the label first would read x1 as labels: 0.5 is no class id.
    const auto error = captureInputError([&] { distopt::readCsv(dir() + "/t.csv"); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/t.csv:2");
    QVERIFY(contains(error->what(), "bad label 0.5"));
    // As regression targets they are fine.
    const Dataset values =
        distopt::readCsv(dir() + "/t.csv", {.labelColumn = 0, .labels = LabelKind::Values});
    QCOMPARE(values.targets, (std::vector<double>{0.5, -1.5, 3.0}));
  }

  void csvRefusesBadLines() {
    const auto errorFor = [&](const std::string& text, distopt::CsvReadOptions options = {}) {
      writeFile(dir() + "/bad.csv", text);
      return captureInputError([&] { distopt::readCsv(dir() + "/bad.csv", options); });
    };
    auto error = errorFor("1,2,3\n0,1\n");
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/bad.csv:2");
    QVERIFY(contains(error->what(), "2 fields, expected 3"));
    error = errorFor("a,b\n1,2\n1,x\n");
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/bad.csv:3");
    QVERIFY(contains(error->what(), "column 1: 'x'"));
    error = errorFor("1,2\n1,nan\n");
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/bad.csv:2");
    error = errorFor("1,2\n", {.labelColumn = 5});
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "outside the 2 columns"));
    error = errorFor("label,x\n");
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "no samples"));
    error = errorFor("7\n");
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "found 1 column"));
  }

  // ---- NumPy ----

  void npyReadsFloatIntAndFortranOrder() {
    // 3 samples x (label, 2 features), C order.
    writeFile(dir() + "/c.npy",
              npyBytes("<f8", "(3, 3)", false, rawValues<double>({1, 0.5, 2, 0, 1.5, 3, 2, -1, 4})));
    Dataset data = distopt::readNpy(dir() + "/c.npy");
    QCOMPARE(data.labels, (std::vector<int>{1, 0, 2}));
    QCOMPARE(data.numFeatures(), std::int64_t{2});
    QCOMPARE(data.dense(2, 0), -1.0f);
    QCOMPARE(data.dense(1, 1), 3.0f);
    // The same table in Fortran (column-major) order, as int32.
    writeFile(dir() + "/f.npy",
              npyBytes("<i4", "(3, 3)", true, rawValues<std::int32_t>({1, 0, 2, 5, 6, 7, 8, 9, 10})));
    data = distopt::readNpy(dir() + "/f.npy", {.labelColumn = 0});
    QCOMPARE(data.labels, (std::vector<int>{1, 0, 2}));
    QCOMPARE(data.dense(1, 0), 6.0f);
    QCOMPARE(data.dense(2, 1), 10.0f);
    // uint8 with the label last, through the dispatcher.
    writeFile(dir() + "/u.npy", npyBytes("|u1", "(2, 2)", false, rawValues<std::uint8_t>({200, 1, 100, 0})));
    data = distopt::readDataFile(dir() + "/u.npy", {.labelColumn = -1});
    QCOMPARE(data.labels, (std::vector<int>{1, 0}));
    QCOMPARE(data.dense(0, 0), 200.0f);
  }

  void npyRefusesBadFilesNamingTheOffset() {
    const auto errorFor = [&](const std::string& bytes) {
      writeFile(dir() + "/bad.npy", bytes);
      return captureInputError([&] { distopt::readNpy(dir() + "/bad.npy"); });
    };
    const std::string good = npyBytes("<f8", "(2, 2)", false, rawValues<double>({0, 1, 1, 2}));
    const std::string dataOffset = std::to_string(good.size() - 32);
    QCOMPARE(good.size() % 64, std::size_t{32});  // the header is padded to 64 bytes, as NumPy writes it
    auto error = errorFor("PK\x03\x04 not numpy");
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/bad.npy");
    QVERIFY(contains(error->what(), "at byte offset 0"));
    error = errorFor(good.substr(0, good.size() - 3));
    QVERIFY(error.has_value());
    QVERIFY2(contains(error->what(), "at byte offset " + dataOffset) &&
                 contains(error->what(), "29 bytes of data"),
             error->what());
    error = errorFor(npyBytes(">f8", "(2, 2)", false, rawValues<double>({0, 1, 1, 2})));
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "unsupported type '>f8'"));
    error = errorFor(npyBytes("<f8", "(4,)", false, rawValues<double>({0, 1, 1, 2})));
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "2-D array"));
    error = errorFor(npyBytes("<f8", "(99999999999, 99999999999)", false, rawValues<double>({0, 1})));
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "does not match"));
    error = errorFor(npyBytes("<f8", "(2, 2)", false, rawValues<double>({0, 1, 1, std::nan("")})));
    QVERIFY(error.has_value());
    const std::string nanOffset = std::to_string(good.size() - 8);
    QVERIFY2(
        contains(error->what(), "at byte offset " + nanOffset) && contains(error->what(), "row 1, column 1"),
        error->what());
    std::string longHeader = good;
    longHeader[8] = '\xff';
    error = errorFor(longHeader);
    QVERIFY(error.has_value());
    QVERIFY(contains(error->what(), "runs past the end"));
  }

  // ---- LIBSVM regression labels ----

  void libsvmRegressionLabels() {
    writeFile(dir() + "/r.svm", "1.5 1:1\n-0.25 2:3\n# comment\n3e2 1:2 2:1\n");
    const Dataset data = distopt::readLibsvm(dir() + "/r.svm", {.realLabels = true});
    QCOMPARE(data.targets, (std::vector<double>{1.5, -0.25, 300.0}));
    QCOMPARE(data.numSamples(), std::int64_t{3});
    // As class labels the same file is refused at its first fractional label.
    auto error = captureInputError([&] { distopt::readLibsvm(dir() + "/r.svm"); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/r.svm:1");
    writeFile(dir() + "/r2.svm", "1.5 1:1\nfast 2:3\n");
    error = captureInputError([&] { distopt::readLibsvm(dir() + "/r2.svm", {.realLabels = true}); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/r2.svm:2");
  }

  // ---- the problems on users' data ----

  void softmaxAndMlpReadLibsvmMulticlassAndTables() {
    writeFile(dir() + "/multi.svm", "1 1:1\n2 2:1\n3 1:0.5 3:1\n1 3:2\n");
    writeFile(dir() + "/multi.t", "2 1:1 2:1\n");
    ProblemBuildContext context{.baseDirectory = dir(), .seed = 1};
    auto problem =
        build(distopt::softmaxProblemEntry(), json{{"train", "multi.svm"}, {"test", "multi.t"}}, context);
    auto* network = dynamic_cast<distopt::NetworkProblem*>(problem.get());
    QVERIFY(network);
    QCOMPARE(network->numClasses(), 4);
    QCOMPARE(network->numSamples(), std::int64_t{4});
    QCOMPARE(problem->dimension(), Eigen::Index{3 * 4 + 4});
    QVERIFY(problem->testAccuracy(distopt::Vector::Zero(problem->dimension())).has_value());
    writeFile(dir() + "/t.npy",
              npyBytes("<f4", "(3, 3)", false, rawValues<float>({0, 1, 2, 1, 3, 4, 1, 5, 6})));
    problem =
        build(distopt::mlpProblemEntry(), json{{"train", "t.npy"}, {"hidden", {4}}, {"limit", 2}}, context);
    QCOMPARE(problem->numSamples(), std::int64_t{2});
    QCOMPARE(problem->dimension(), Eigen::Index{2 * 4 + 4 + 4 * 2 + 2});
    // Errors name the field.
    auto error = captureInputError([&] {
      build(distopt::softmaxProblemEntry(), json{{"train", "multi.svm"}, {"train_images", "x"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.train_images"));
    error = captureInputError([&] { build(distopt::softmaxProblemEntry(), json::object(), context); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.train_images"));
    writeFile(dir() + "/narrow.csv", "1,2\n");
    error = captureInputError([&] {
      build(distopt::softmaxProblemEntry(), json{{"train", "t.npy"}, {"test", "narrow.csv"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), dir() + "/narrow.csv");
  }

  void leastSquaresOnRegressionData() {
    // b = 2·x1 − x2 exactly: f* = 0 at (2, −1).
    writeFile(dir() + "/reg.csv", "b,x1,x2\n0,1,2\n3,2,1\n5,3,1\n-1,0,1\n");
    ProblemBuildContext context{.baseDirectory = dir(), .seed = 1};
    auto problem =
        build(distopt::leastSquaresProblemEntry(), json{{"train", "reg.csv"}, {"batch", 2}}, context);
    auto* ls = dynamic_cast<distopt::LeastSquaresProblem*>(problem.get());
    QVERIFY(ls);
    QCOMPARE(problem->numSamples(), std::int64_t{4});
    QCOMPARE(problem->dimension(), Eigen::Index{2});
    QVERIFY(std::abs(ls->solution()[0] - 2.0) < 1e-9 && std::abs(ls->solution()[1] + 1.0) < 1e-9);
    QVERIFY(std::abs(*problem->optimalValue()) < 1e-12);
    // LIBSVM with real targets, too.
    writeFile(dir() + "/reg.svm", "0.5 1:1\n-1.5 2:1\n1 1:1 2:1\n");
    problem = build(distopt::leastSquaresProblemEntry(), json{{"train", "reg.svm"}}, context);
    QCOMPARE(problem->numSamples(), std::int64_t{3});
  }
};

QTEST_APPLESS_MAIN(TestDataFiles)
#include "test_data_files.moc"
