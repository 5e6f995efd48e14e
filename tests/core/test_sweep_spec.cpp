// Sweep specs (core/config/sweep_spec): the value syntax of --sweep and --seeds, grid and sampled
// expansion, and refusal of everything a typo or a hostile sweep file can hold.

#include <QtTest>
#include <cmath>
#include <set>

#include "core/config/comparison_spec.hpp"
#include "core/config/sweep_spec.hpp"
#include "core/util/input_error.hpp"

using namespace distopt;
using nlohmann::json;

namespace {

template <typename F>
QString refusal(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestSweepSpec : public QObject {
  Q_OBJECT

 private slots:
  void listsRangesAndSpacedValues() {
    SweepAxis list = parseSweepAxis("algorithm.params.gamma=0.1,0.2,0.4");
    QCOMPARE(list.path, std::string("algorithm.params.gamma"));
    QCOMPARE(list.values, (std::vector<json>{0.1, 0.2, 0.4}));

    SweepAxis words = parseSweepAxis("algorithm.name=rennala,\"ringmaster\",[1,2]");
    QCOMPARE(words.values, (std::vector<json>{"rennala", "ringmaster", json::array({1, 2})}));

    SweepAxis integers = parseSweepAxis("algorithm.params.R=2..5");
    QCOMPARE(integers.values, (std::vector<json>{2, 3, 4, 5}));
    QVERIFY(integers.values[0].is_number_integer());

    SweepAxis spaced = parseSweepAxis("algorithm.params.gamma=1e-4..1/log:5");
    QCOMPARE(spaced.values.size(), std::size_t(5));
    QCOMPARE(spaced.values.front().get<double>(), 1e-4);
    QCOMPARE(spaced.values.back().get<double>(), 1.0);
    QVERIFY(std::abs(spaced.values[2].get<double>() - 1e-2) < 1e-12);

    SweepAxis linear = parseSweepAxis("stop.time=100..200/lin:3");
    QCOMPARE(linear.values, (std::vector<json>{100.0, 150.0, 200.0}));

    SweepAxis range = parseSweepAxis("algorithm.params.gamma=1e-4..1/log");
    QVERIFY(range.values.empty());
    QVERIFY(range.range && range.logScale);
  }

  void seeds() {
    QCOMPARE(parseSeedList("1..5"), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    QCOMPARE(parseSeedList("7,2,18446744073709551615"),
             (std::vector<std::uint64_t>{7, 2, 18446744073709551615ULL}));
    for (const char* bad : {"", "5..1", "1..x", "-1", "1.5", "1,,2", "1..100000", "18446744073709551616"})
      QVERIFY2(!refusal([&] { parseSeedList(bad); }).isEmpty(), bad);
  }

  void gridIsTheCartesianProductInAxisOrder() {
    SweepSpec spec;
    spec.axes = {parseSweepAxis("a.x=1,2"), parseSweepAxis("b=p,q,r")};
    spec.seeds = {1, 2};
    QCOMPARE(spec.runCount(), 12LL);
    const auto runs = expandSweep(spec);
    QCOMPARE(runs.size(), std::size_t(12));
    // The last axis changes fastest; each point's seeds are together.
    QCOMPARE(runs[0].overrides(), (std::vector<std::string>{"a.x=1", "b=\"p\"", "seed=1"}));
    QCOMPARE(runs[1].overrides(), (std::vector<std::string>{"a.x=1", "b=\"p\"", "seed=2"}));
    QCOMPARE(runs[2].overrides(), (std::vector<std::string>{"a.x=1", "b=\"q\"", "seed=1"}));
    QCOMPARE(runs[11].overrides(), (std::vector<std::string>{"a.x=2", "b=\"r\"", "seed=2"}));
    QCOMPARE(runs[11].point, 5);
    QCOMPARE(runs[11].folderName(6), std::string("p005-s2"));

    SweepSpec seedsOnly;
    seedsOnly.seeds = {3, 4};
    const auto seeded = expandSweep(seedsOnly);
    QCOMPARE(seeded.size(), std::size_t(2));
    QCOMPARE(seeded[1].overrides(), (std::vector<std::string>{"seed=4"}));
  }

  void samplingIsDeterministicAndStaysInItsRanges() {
    SweepSpec spec;
    spec.axes = {parseSweepAxis("g=1e-4..1/log"), parseSweepAxis("R=1..8"), parseSweepAxis("m=a,b")};
    spec.sample = 200;
    spec.sampleSeed = 7;
    const auto runs = expandSweep(spec);
    QCOMPARE(runs.size(), std::size_t(200));
    std::set<long long> rs;
    int small = 0;
    for (const auto& run : runs) {
      const double g = run.assignments[0].second.get<double>();
      QVERIFY(g >= 1e-4 && g <= 1.0);
      small += g < 1e-2;  // log-uniform: half the draws below 1e-2
      const auto r = run.assignments[1].second.get<long long>();
      QVERIFY(r >= 1 && r <= 8);
      rs.insert(r);
      QVERIFY(run.assignments[2].second == "a" || run.assignments[2].second == "b");
    }
    QVERIFY2(small > 70 && small < 130, qPrintable(QString::number(small)));
    QCOMPARE(rs.size(), std::size_t(8));
    const auto again = expandSweep(spec);
    for (std::size_t i = 0; i < runs.size(); ++i) QCOMPARE(again[i].assignments, runs[i].assignments);
    spec.sampleSeed = 8;
    QVERIFY(expandSweep(spec)[0].assignments != runs[0].assignments);
  }

  void refusesWhatCannotBeASweep() {
    for (const char* bad :
         {"gamma", "=1,2", "a..b=1", "a b=1", "x=", "x=1..2/cubic", "x=1..2/log:1", "x=1..2/log:x",
          "x=0..1/log:3", "x=2..1", "x=1e999..2", "x=[1,2", "x=\"open", "x=1,,2", "x=nan..1", "x=1..1e20"}) {
      const QString why = refusal([&] {
        SweepSpec spec;
        spec.axes = {parseSweepAxis(bad)};
        expandSweep(spec);
      });
      QVERIFY2(!why.isEmpty(), bad);
    }
    // Found by fuzz_sweep_spec: a bare word that is not UTF-8 made the run's --set text throw.
    QVERIFY(refusal([] {
              parseSweepAxis(std::string("algorithm.name=rennala,\"ri\xd5\xff\""));
            }).contains("UTF-8"));
    QVERIFY(refusal([] { parseSweepAxis(std::string("algorithm.name=a\xff")); }).contains("UTF-8"));
    SweepSpec twice;
    twice.axes = {parseSweepAxis("x=1,2"), parseSweepAxis("x=3")};
    QVERIFY(refusal([&] { expandSweep(twice); }).contains("twice"));
    SweepSpec rangeInGrid;
    rangeInGrid.axes = {parseSweepAxis("x=0.5..2")};
    QVERIFY(refusal([&] { expandSweep(rangeInGrid); }).contains("--sample"));
    SweepSpec huge;
    huge.axes = {parseSweepAxis("a=1..1000"), parseSweepAxis("b=1..1000")};
    QVERIFY(refusal([&] { expandSweep(huge); }).contains("100000"));
    SweepSpec nothing;
    QVERIFY(!refusal([&] { expandSweep(nothing); }).isEmpty());
    SweepSpec jobs;
    jobs.seeds = {1};
    jobs.jobs = 0;
    QVERIFY(refusal([&] { expandSweep(jobs); }).contains("jobs"));
  }

  void sweepFilesRoundTripAndAreCheckedFieldByField() {
    SweepSpec spec;
    spec.axes = {parseSweepAxis("algorithm.params.gamma=1e-3..1/log:4"),
                 parseSweepAxis("algorithm.name=a,b")};
    spec.seeds = {1, 2, 3};
    spec.jobs = 2;
    const SweepSpec back = sweepFromJson(sweepToJson(spec), "file");
    QCOMPARE(back.runCount(), spec.runCount());
    const auto a = expandSweep(spec), b = expandSweep(back);
    for (std::size_t i = 0; i < a.size(); ++i) QCOMPARE(b[i].overrides(), a[i].overrides());
    QCOMPARE(back.jobs, 2);

    const json fromText = json::parse(R"({"axes": [{"path": "x", "values": "1..3"}], "seeds": "1..2"})");
    QCOMPARE(sweepFromJson(fromText, "f").runCount(), 6LL);
    for (const char* bad :
         {R"([])", R"({"axes": 5})", R"({"axes": [{"path": 1, "values": "1"}]})",
          R"({"axes": [{"path": "x", "values": []}]})", R"({"axes": [{"path": "x", "values": [null]}]})",
          R"({"axes": [{"path": "x", "values": [1], "extra": 1}]})", R"({"seeds": [-1]})",
          R"({"seeds": [1.5]})", R"({"jobs": 1000})", R"({"jobs": "2"})", R"({"sample": -1})",
          R"({"sample_seed": -3})", R"({"colour": "red"})",
          R"({"axes": [{"path": "x", "values": [1]}], "jobs": 18446744073709551615})"}) {
      const QString why = refusal([&] { sweepFromJson(json::parse(bad), "file"); });
      QVERIFY2(!why.isEmpty(), bad);
      QVERIFY2(why.startsWith("file"), qPrintable(why));
    }
  }

  void comparisons() {
    const json good = json::parse(R"({"experiment": "e.json", "seeds": "1..3", "jobs": 2,
      "select": {"metric": "final_test_accuracy", "statistic": "max"}, "curve": "test_accuracy", "checkpoints": [10, 20],
      "methods": [{"name": "Ring Master", "set": {"algorithm.name": "ringmaster"},
                   "axes": [{"path": "algorithm.params.gamma", "values": "0.1..1/log:3"}]},
                  {"name": "Fixed", "set": ["algorithm.name=asgd"]}]})");
    QVERIFY(isComparisonDocument(good));
    const ComparisonSpec spec = comparisonFromJson(good, "file");
    QCOMPARE(spec.methods.size(), std::size_t(2));
    QCOMPARE(spec.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
    QCOMPARE(spec.methods[0].spec.runCount(), 9LL);
    QCOMPARE(spec.methods[1].spec.runCount(), 3LL);  // no axes: one point per seed
    QCOMPARE(spec.methods[0].assignments, (std::vector<std::string>{"algorithm.name=\"ringmaster\""}));
    QVERIFY(spec.select.higherIsBetter());
    QVERIFY(QString::fromStdString(spec.select.describe()).contains("worst seed"));
    QCOMPARE(methodSlug("Ring Master"), std::string("ring-master"));
    QCOMPARE(methodSlug("DA-ASGD (γ)"), std::string("da-asgd"));

    for (
        const char* bad :
        {R"({"methods": [{"name": "a"}]})",  // no seeds
         R"({"seeds": "1", "methods": []})", R"({"seeds": "1", "methods": [{"name": ""}]})",
         R"({"seeds": "1", "methods": [{"name": "a"}, {"name": "A"}]})",
         R"({"seeds": "1", "methods": [{"name": "a", "colour": 1}]})",
         R"({"seeds": "1", "select": {"metric": "rm -rf"}, "methods": [{"name": "a"}]})",
         R"({"seeds": "1", "select": {"statistic": "mode"}, "methods": [{"name": "a"}]})",
         R"({"seeds": "1", "curve": "bytes", "methods": [{"name": "a"}]})",
         R"({"seeds": "1", "checkpoints": [-1], "methods": [{"name": "a"}]})",
         R"({"seeds": "1", "methods": [{"name": "a", "set": 5}]})",
         R"({"seeds": "1", "methods": [{"name": "a", "axes": [{"path": "x", "values": "0.5..2"}]}]})",
         R"({"seeds": "1..10", "methods": [{"name": "a", "axes": [{"path": "x", "values": "1..5000"}, {"path": "y", "values": "1..5"}]}]})",
         R"({"seeds": "1", "methods": [{"name": "a"}], "extra": true})"}) {
      const QString why = refusal([&] { comparisonFromJson(json::parse(bad), "file"); });
      QVERIFY2(!why.isEmpty(), bad);
      QVERIFY2(why.startsWith("file"), qPrintable(why));
    }
  }
};

QTEST_APPLESS_MAIN(TestSweepSpec)
#include "test_sweep_spec.moc"
