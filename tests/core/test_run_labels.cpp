// Legend labels for runs shown together (core/analysis/run_labels): named by method and by what differs.

#include <QtTest>

#include "core/analysis/run_labels.hpp"

using namespace distopt;
using nlohmann::json;

namespace {

json experiment(const std::string& algorithm, int batch, int seed, double gamma = 0.5) {
  return {{"name", "e-" + std::to_string(seed)},
          {"description", "whatever " + std::to_string(batch)},
          {"seed", seed},
          {"problem", {{"name", "quadratic"}, {"params", {{"d", 256}}}}},
          {"algorithm", {{"name", algorithm}, {"params", {{"gamma", gamma}, {"B", batch}}}}},
          {"workers", {{"count", 16}}}};
}

}  // namespace

class TestRunLabels : public QObject {
  Q_OBJECT

 private slots:
  void namesWhatDiffers() {
    const auto labels = runLabels({{1, experiment("rennala", 4, 1)},
                                   {2, experiment("rennala", 8, 1)},
                                   {3, experiment("rennala", 4, 2)}});
    QCOMPARE(labels.size(), std::size_t{3});
    // Sorted by path: the algorithm's parameters before the seed; name and description never.
    QCOMPARE(QString::fromStdString(labels[0]), QStringLiteral("rennala B=4 seed 1"));
    QCOMPARE(QString::fromStdString(labels[1]), QStringLiteral("rennala B=8 seed 1"));
    QCOMPARE(QString::fromStdString(labels[2]), QStringLiteral("rennala B=4 seed 2"));
  }

  void methodsAndNotation() {
    auto a = experiment("sgd", 4, 1, 0.5);
    auto b = experiment("ringmaster", 4, 1, 0.25);
    b["workers"]["count"] = 32;
    b["problem"]["name"] = "least_squares";
    const auto labels = runLabels({{1, a}, {2, b}});
    QCOMPARE(QString::fromStdString(labels[0]), QStringLiteral("sgd γ=0.5 quadratic n=16"));
    QCOMPARE(QString::fromStdString(labels[1]), QStringLiteral("ringmaster γ=0.25 least_squares n=32"));
  }

  void rerunsAndLongDifferencesGetIds() {
    const auto labels = runLabels({{7, experiment("sgd", 4, 1)}, {9, experiment("sgd", 4, 1)}});
    QCOMPARE(QString::fromStdString(labels[0]), QStringLiteral("sgd #7"));
    QCOMPARE(QString::fromStdString(labels[1]), QStringLiteral("sgd #9"));
    // More differences than the label names: the ids keep them apart.
    auto c = experiment("sgd", 4, 1, 0.1);
    auto d = experiment("sgd", 4, 1, 0.2);
    const auto capped = runLabels({{3, c}, {4, d}}, RunLabelOptions{.maxFields = 1});
    QCOMPARE(QString::fromStdString(capped[0]), QStringLiteral("sgd γ=0.1"));
    auto e = experiment("sgd", 4, 1);
    auto f = experiment("sgd", 4, 1);
    f["workers"]["count"] = 32;
    auto g = experiment("sgd", 4, 2);
    const auto cut = runLabels({{3, e}, {4, f}, {5, g}}, RunLabelOptions{.maxFields = 1});
    QCOMPARE(QString::fromStdString(cut[0]), QStringLiteral("sgd seed 1 #3"));
    QCOMPARE(QString::fromStdString(cut[1]), QStringLiteral("sgd seed 1 #4"));
    QCOMPARE(QString::fromStdString(cut[2]), QStringLiteral("sgd seed 2"));
  }

  void singleRunAndHostileDocuments() {
    QCOMPARE(QString::fromStdString(runLabels({{1, experiment("rennala", 4, 1)}})[0]),
             QStringLiteral("rennala e-1"));
    // Not an object, a missing algorithm: still one label each, never a throw.
    const auto labels = runLabels({{1, json("text")}, {2, json::array({1, 2})}, {3, json::object()}});
    QCOMPARE(labels.size(), std::size_t{3});
    for (const auto& label : labels) QVERIFY(QString::fromStdString(label).startsWith("run"));
    QVERIFY(!RunLabelOptions{.maxFields = 0}.isValid(nullptr));
  }
};

QTEST_APPLESS_MAIN(TestRunLabels)
#include "test_run_labels.moc"
