// Time models of docs/papers.md, async-sgd §3: exact values, keyed-stream determinism, sample moments and
// option validation.

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/theory/time_complexity.hpp"
#include "core/timing/fixed_time_model.hpp"
#include "core/timing/jitter_time_model.hpp"
#include "core/timing/natural_time_model.hpp"
#include "core/timing/rate_schedule.hpp"
#include "core/timing/ringmaster_time_model.hpp"
#include "core/timing/stragglers_time_model.hpp"
#include "core/timing/time_models.hpp"
#include "core/timing/universal_time_model.hpp"
#include "core/util/input_error.hpp"
#include "core/util/random_stream.hpp"

using distopt::InputError;
using distopt::RandomStream;
using distopt::RateSchedule;
using distopt::StreamKey;
using distopt::StreamPurpose;
using distopt::TimeModel;
using nlohmann::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::string kPath = "time_model.params";

std::unique_ptr<TimeModel> makeModel(const std::string& name, const json& params, int numWorkers,
                                     std::uint64_t seed = 1) {
  const auto entry = distopt::findTimeModelEntry(name);
  if (!entry) qFatal("no time model %s", name.c_str());
  return entry->make(params, numWorkers, seed, kPath);
}

/// "WHERE|MESSAGE" of the InputError that building throws, or "no error".
std::string buildError(const std::string& name, const json& params, int numWorkers) {
  try {
    makeModel(name, params, numWorkers);
  } catch (const InputError& error) {
    return error.where() + "|" + error.what();
  }
  return "no error";
}

double normalDraw(std::uint64_t seed, int worker, std::uint64_t job) {
  RandomStream stream(StreamKey{.runSeed = seed,
                                .purpose = StreamPurpose::ComputeTime,
                                .worker = static_cast<std::uint64_t>(worker),
                                .job = job});
  return stream.normal();
}

struct Moments {
  double mean = 0.0;
  double std = 0.0;
};

Moments sampleMoments(const TimeModel& model, int worker, int draws) {
  double sum = 0.0;
  double sumSquares = 0.0;
  for (int job = 0; job < draws; ++job) {
    const double value = model.duration(worker, static_cast<std::uint64_t>(job), 0.0);
    sum += value;
    sumSquares += value * value;
  }
  const double mean = sum / draws;
  return {mean, std::sqrt((sumSquares - draws * mean * mean) / (draws - 1))};
}

}  // namespace

class TestTimeModels : public QObject {
  Q_OBJECT

 private slots:
  void registryDescribesEveryModel() {
    const auto entries = distopt::allTimeModelEntries();
    std::vector<std::string> names;
    for (const auto& entry : entries) names.push_back(entry.name);
    QCOMPARE(names, (std::vector<std::string>{"fixed", "ringmaster", "jitter", "stragglers", "universal",
                                              "natural"}));
    for (const auto& entry : entries) {
      QVERIFY(!entry.summary.empty());
      QVERIFY(entry.make);
      for (const auto& spec : entry.options) {
        QVERIFY2(!spec.help.empty(), spec.name.c_str());
        std::string why;
        if (!spec.defaultValue.is_null())
          QVERIFY2(spec.accepts(spec.defaultValue, &why), (entry.name + "." + spec.name).c_str());
      }
      // Defaults alone build a working model.
      const auto model = entry.make(json::object(), 5, 3, kPath);
      QCOMPARE(model->name(), entry.name);
      QCOMPARE(model->numWorkers(), 5);
      for (int worker = 0; worker < 5; ++worker) {
        QVERIFY(model->duration(worker, 0, 0.0) > 0.0);
        QVERIFY(model->nominalTime(worker) > 0.0);
      }
    }
    QVERIFY(!distopt::findTimeModelEntry("nope"));
  }

  void fixedShapes() {
    struct Case {
      const char* h;
      std::vector<double> expected;
    };
    const Case cases[] = {{"one", {2, 2, 2, 2}},
                          {"sqrt", {2, 2 * std::sqrt(2.0), 2 * std::sqrt(3.0), 4}},
                          {"linear", {2, 4, 6, 8}},
                          {"square", {2, 8, 18, 32}}};
    for (const Case& c : cases) {
      const auto model = makeModel("fixed", {{"c", 2}, {"h", c.h}}, 4);
      QVERIFY(model->isDeterministic());
      QVERIFY(model->injectsDelay());
      for (int worker = 0; worker < 4; ++worker) {
        QCOMPARE(model->nominalTime(worker), c.expected[static_cast<std::size_t>(worker)]);
        QCOMPARE(model->duration(worker, 17, 123.5), c.expected[static_cast<std::size_t>(worker)]);
      }
    }
    const auto listed = makeModel("fixed", {{"h", "list"}, {"times", {1, 2.3, 4.7, 9.1}}}, 4);
    QCOMPARE(distopt::nominalTimes(*listed), (std::vector<double>{1, 2.3, 4.7, 9.1}));
    // The default is c = 1, h = sqrt.
    QCOMPARE(makeModel("fixed", json::object(), 9)->nominalTime(8), 3.0);
  }

  void e5DistinctOffsets() {
    const int n = 8;
    const auto model = makeModel("fixed", {{"h", "one"}, {"offset_eps", 1e-6}}, n);
    for (int worker = 0; worker < n; ++worker)
      QCOMPARE(model->duration(worker, 0, 0.0), 1.0 + 1e-6 * (worker + 1));
    const auto tau = distopt::nominalTimes(*model);
    QCOMPARE(distopt::theory::minibatchFactor(tau, 0), 1.0 + 8e-6);   // E5's Minibatch iteration time
    QCOMPARE(distopt::theory::rennalaBatchTime(tau, n), 1.0 + 8e-6);  // E5's Rennala B = n
  }

  void ringmasterDrawsExactlyItsKeyedStream() {
    const std::uint64_t seed = 42;
    const auto model = makeModel("ringmaster", json::object(), 10, seed);
    QVERIFY(!model->isDeterministic());
    for (int worker : {0, 3, 9}) {
      for (std::uint64_t job : {0ULL, 1ULL, 1000ULL}) {
        const double expected =
            1.0 + std::sqrt(worker) + std::abs(std::sqrt(worker + 1.0) * normalDraw(seed, worker, job));
        QCOMPARE(model->duration(worker, job, 0.0), expected);
        QCOMPARE(model->duration(worker, job, 99.0), expected);  // start time plays no part
      }
    }
    const auto scaled = makeModel("ringmaster", {{"c", 2.5}}, 10, seed);
    QCOMPARE(scaled->duration(4, 7, 0.0), 2.5 * model->duration(4, 7, 0.0));
    QCOMPARE(scaled->nominalTime(4), 2.5 * model->nominalTime(4));
  }

  void determinismByKey() {
    for (const std::string name : {"ringmaster", "jitter"}) {
      const auto a = makeModel(name, json::object(), 6, 7);
      const auto b = makeModel(name, json::object(), 6, 7);
      const auto otherSeed = makeModel(name, json::object(), 6, 8);
      int differentSeed = 0;
      int differentJob = 0;
      for (int worker = 0; worker < 6; ++worker) {
        for (std::uint64_t job = 0; job < 50; ++job) {
          QCOMPARE(a->duration(worker, job, 0.0), b->duration(worker, job, 0.0));
          QCOMPARE(a->duration(worker, job, 0.0), a->duration(worker, job, 0.0));
          differentSeed += a->duration(worker, job, 0.0) != otherSeed->duration(worker, job, 0.0);
          differentJob += a->duration(worker, job, 0.0) != a->duration(worker, job + 1, 0.0);
        }
      }
      QCOMPARE(differentSeed, 300);
      QCOMPARE(differentJob, 300);
    }
  }

  void independentOfCallOrder() {
    const int n = 5;
    const std::uint64_t jobs = 40;
    const json stragglers = {{"base", {{"model", "ringmaster"}, {"params", {{"shuffle", true}}}}},
                             {"stragglers", {2}}};
    for (const auto& [name, params] : std::vector<std::pair<std::string, json>>{
             {"ringmaster", json::object()}, {"jitter", json::object()}, {"stragglers", stragglers}}) {
      const auto forward = makeModel(name, params, n, 11);
      std::vector<double> expected;
      for (int worker = 0; worker < n; ++worker)
        for (std::uint64_t job = 0; job < jobs; ++job)
          expected.push_back(forward->duration(worker, job, 0.0));
      // A fresh model queried in a scrambled interleaving (as an event queue would) agrees draw by draw.
      const auto scrambled = makeModel(name, params, n, 11);
      std::vector<std::size_t> order(expected.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      RandomStream shuffler = RandomStream::fromSeed(5);
      for (std::size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[shuffler.uniformInt(k)]);
      for (std::size_t k : order) {
        const int worker = static_cast<int>(k / jobs);
        const std::uint64_t job = k % jobs;
        QCOMPARE(scrambled->duration(worker, job, 0.0), expected[k]);
      }
    }
  }

  void ringmasterMoments() {
    // tau = 1 + sqrt(i-1) + |zeta|, zeta ~ N(0, i): mean 1 + sqrt(i-1) + sqrt(2i/pi),
    // std sqrt(i (1 - 2/pi)) (half-normal).
    const int draws = 40000;
    const auto model = makeModel("ringmaster", json::object(), 64, 2024);
    for (int worker : {0, 1, 9, 63}) {
      const double i = worker + 1.0;
      const double mean = 1.0 + std::sqrt(i - 1.0) + std::sqrt(2.0 * i / std::numbers::pi);
      const double stdev = std::sqrt(i * (1.0 - 2.0 / std::numbers::pi));
      QVERIFY(std::abs(model->nominalTime(worker) - mean) < 1e-12 * mean);
      const Moments sample = sampleMoments(*model, worker, draws);
      QVERIFY2(std::abs(sample.mean - mean) < 5.0 * stdev / std::sqrt(draws),
               qPrintable(QStringLiteral("worker %1 mean %2 vs %3").arg(worker).arg(sample.mean).arg(mean)));
      QVERIFY2(std::abs(sample.std / stdev - 1.0) < 0.03,
               qPrintable(QStringLiteral("worker %1 std %2 vs %3").arg(worker).arg(sample.std).arg(stdev)));
    }
    // async-sgd §3: with n = 6174 the slowest worker's jobs typically take 80-250 units, the fastest 1-3.
    const auto large = makeModel("ringmaster", json::object(), 6174, 1);
    QVERIFY(large->nominalTime(6173) > 80 && large->nominalTime(6173) < 250);
    QVERIFY(large->nominalTime(0) > 1 && large->nominalTime(0) < 3);
  }

  void ringmasterShuffledBases() {
    const int n = 50;
    const auto plain = makeModel("ringmaster", json::object(), n, 9);
    const auto model = makeModel("ringmaster", {{"shuffle", true}}, n, 9);
    const auto again = makeModel("ringmaster", {{"shuffle", true}}, n, 9);
    const auto other = makeModel("ringmaster", {{"shuffle", true}}, n, 10);
    const auto& shuffled = dynamic_cast<const distopt::RingmasterTimeModel&>(*model);
    const auto& sameSeed = dynamic_cast<const distopt::RingmasterTimeModel&>(*again);
    const auto& otherSeed = dynamic_cast<const distopt::RingmasterTimeModel&>(*other);
    std::vector<double> bases;
    int moved = 0;
    int differsFromOtherSeed = 0;
    for (int worker = 0; worker < n; ++worker) {
      bases.push_back(shuffled.base(worker));
      moved += shuffled.base(worker) != 1.0 + std::sqrt(worker);
      differsFromOtherSeed += shuffled.base(worker) != otherSeed.base(worker);
      QCOMPARE(sameSeed.base(worker), shuffled.base(worker));
      QCOMPARE(shuffled.noiseStd(worker), std::sqrt(worker + 1.0));  // noise stays by index
      const double expected =
          shuffled.base(worker) + std::abs(std::sqrt(worker + 1.0) * normalDraw(9, worker, 3));
      QCOMPARE(model->duration(worker, 3, 0.0), expected);
      // Only the base moves: the noise part equals the unshuffled model's.
      QCOMPARE(model->duration(worker, 3, 0.0) - shuffled.base(worker),
               plain->duration(worker, 3, 0.0) - (1.0 + std::sqrt(worker)));
      QCOMPARE(model->nominalTime(worker),
               shuffled.base(worker) + std::sqrt(worker + 1.0) * std::sqrt(2.0 / std::numbers::pi));
    }
    std::sort(bases.begin(), bases.end());
    for (int k = 0; k < n; ++k) QCOMPARE(bases[static_cast<std::size_t>(k)], 1.0 + std::sqrt(k));
    QVERIFY(moved > n / 2);
    QVERIFY(differsFromOtherSeed > n / 2);
  }

  void jitterAroundBase() {
    const auto model = makeModel("jitter", {{"h", "linear"}, {"c", 2}}, 4, 5);
    const auto& jitter = dynamic_cast<const distopt::JitterTimeModel&>(*model);
    QVERIFY(!model->isDeterministic());
    for (int worker = 0; worker < 4; ++worker) {
      const double b = 2.0 * (worker + 1);
      QCOMPARE(jitter.base(worker), b);
      for (std::uint64_t job = 0; job < 20; ++job) {
        QCOMPARE(model->duration(worker, job, 0.0), b + std::abs(0.05 * b * normalDraw(5, worker, job)));
        QVERIFY(model->duration(worker, job, 0.0) >= b);
      }
      QCOMPARE(model->nominalTime(worker), b * (1.0 + 0.05 * std::sqrt(2.0 / std::numbers::pi)));
    }
    const Moments sample = sampleMoments(*model, 3, 40000);
    const double b = 8.0;
    QVERIFY(std::abs(sample.mean - model->nominalTime(3)) <
            5.0 * 0.05 * b * std::sqrt(1.0 - 2.0 / std::numbers::pi) / 200.0);
    const auto still = makeModel("jitter", {{"rel", 0}}, 4);
    QVERIFY(still->isDeterministic());
    QCOMPARE(still->duration(3, 9, 0.0), 2.0);
  }

  void stragglersMultiply() {
    const json fixedBase = {{"base", {{"model", "fixed"}, {"params", {{"h", "linear"}}}}},
                            {"stragglers", {1, 3}}};
    const auto model = makeModel("stragglers", fixedBase, 5);
    const std::vector<double> expected = {1, 2 * 101, 3, 4 * 101, 5};
    for (int worker = 0; worker < 5; ++worker) {
      QCOMPARE(model->duration(worker, 0, 0.0), expected[static_cast<std::size_t>(worker)]);
      QCOMPARE(model->nominalTime(worker), expected[static_cast<std::size_t>(worker)]);
    }
    QVERIFY(model->isDeterministic());

    const json randomBase = {{"base", {{"model", "ringmaster"}}}, {"stragglers", {0}}, {"M", 9}};
    const auto slowed = makeModel("stragglers", randomBase, 3, 4);
    const auto ringmaster = makeModel("ringmaster", json::object(), 3, 4);
    QVERIFY(!slowed->isDeterministic());
    for (std::uint64_t job = 0; job < 10; ++job) {
      QCOMPARE(slowed->duration(0, job, 0.0), 10.0 * ringmaster->duration(0, job, 0.0));
      QCOMPARE(slowed->duration(2, job, 0.0), ringmaster->duration(2, job, 0.0));
    }

    // Over "natural" (the default base) a live straggler sleeps M times its measured compute time.
    const auto natural = makeModel("stragglers", json::object(), 4);
    QVERIFY(!natural->injectsDelay());
    QCOMPARE(natural->naturalSlowdown(0), 101.0);
    QCOMPARE(natural->naturalSlowdown(1), 1.0);
    QCOMPARE(natural->duration(0, 0, 0.0), 101.0);
    QCOMPARE(natural->duration(1, 0, 0.0), 1.0);
  }

  void naturalInjectsNoDelay() {
    const auto model = makeModel("natural", {{"c", 0.5}}, 3);
    QVERIFY(!model->injectsDelay());
    QVERIFY(model->isDeterministic());
    QCOMPARE(model->naturalSlowdown(2), 1.0);
    for (int worker = 0; worker < 3; ++worker) QCOMPARE(model->duration(worker, 5, 10.0), 0.5);
  }

  void rateScheduleIntegrals() {
    const RateSchedule schedule({{0, 1}, {2, 0}, {5, 0.5}, {7, 0.5}});
    QCOMPARE(schedule.pieces().size(), std::size_t{3});  // equal neighbours merged
    QCOMPARE(schedule.integral(0, 10), 2.0 + 2.5);
    QCOMPARE(schedule.integral(1, 6), 1.0 + 0.5);
    QCOMPARE(schedule.integral(6, 1), 0.0);
    QCOMPARE(schedule.rateAt(3), 0.0);
    QCOMPARE(schedule.rateAt(-1), 1.0);
    QCOMPARE(schedule.timeToAccumulate(0, 2), 2.0);  // exactly at the start of the outage
    QCOMPARE(schedule.timeToAccumulate(0, 2.5), 6.0);
    QCOMPARE(schedule.timeToAccumulate(3, 0), 3.0);
    const RateSchedule cut = schedule.withOutage(6, 8);
    QCOMPARE(cut.integral(0, 10), 2.0 + 0.5 + 1.0);
    QVERIFY(!cut.isConstant());
    QVERIFY(RateSchedule::constant(3).isConstant());
    std::string why;
    QVERIFY(!RateSchedule::isValidPieces({{1, 1}}, &why));
    QVERIFY(!RateSchedule::isValidPieces({{0, 1}, {0, 2}}, &why));
    QVERIFY(why.find("entry 1") != std::string::npos);
    QVERIFY(!RateSchedule::isValidPieces({{0, -1}}, &why));
  }

  void universalExactDurations() {
    // worker 0: rate 1 on [0, 2), dark on [2, 5), 0.5 afterwards (explicit schedule);
    // worker 1: compact rate 1/4 with an outage on [1, 3);
    // worker 2: compact rate 1/4, dark for good from 4;
    // worker 3: rate 0.5 until 10, then 0 for ever.
    const json params = {{"h", "one"},
                         {"c", 4},
                         {"schedules", {{"0", {{0, 1}, {2, 0}, {5, 0.5}}}, {"3", {{0, 0.5}, {10, 0}}}}},
                         {"outages", {{"1", {{1, 3}}}, {"2", {{4, "inf"}}}}}};
    const auto model = makeModel("universal", params, 4);
    QVERIFY(!model->isDeterministic());
    QCOMPARE(model->duration(0, 0, 0.0), 1.0);
    QCOMPARE(model->duration(0, 0, 1.5), 4.5);  // 0.5 by t = 2, nothing until 5, 0.5 more by 6
    QCOMPARE(model->duration(0, 0, 2.0), 5.0);
    QCOMPARE(model->duration(0, 0, 3.0), 4.0);
    QCOMPARE(model->duration(0, 0, 6.0), 2.0);
    QCOMPARE(model->duration(1, 0, 0.0), 6.0);  // 0.25 by 1, dark until 3, 0.75 more by 6
    QCOMPARE(model->duration(1, 0, 2.0), 5.0);
    QCOMPARE(model->duration(1, 0, 3.0), 4.0);
    QCOMPARE(model->duration(2, 0, 0.0), 4.0);  // finishes exactly as the outage begins
    QCOMPARE(model->duration(2, 0, 1.0), kInf);
    QCOMPARE(model->duration(3, 0, 8.0), 2.0);
    QCOMPARE(model->duration(3, 0, 9.0), kInf);
    QCOMPARE(model->duration(3, 0, 12.0), kInf);
    // Nominal time is the first job's duration from t = 0.
    QCOMPARE(distopt::nominalTimes(*model), (std::vector<double>{1, 6, 4, 2}));
    // Durations depend on the start time only, never on the job number.
    QCOMPARE(model->duration(0, 99, 1.5), 4.5);

    const auto shared =
        makeModel("universal", {{"schedules", {{"default", {{0, 2}, {1, 0.5}}}, {"1", {{0, 1}}}}}}, 3);
    QCOMPARE(shared->duration(0, 0, 0.0), 0.5);
    QCOMPARE(shared->duration(0, 0, 0.75), 0.25 + 1.0);  // 0.5 work by t = 1, 0.5 more at rate 0.5
    QCOMPARE(shared->duration(1, 0, 0.75), 1.0);
    QCOMPARE(shared->duration(2, 0, 2.0), 2.0);

    // The compact form alone is the fixed model in rate form.
    const auto compact = makeModel("universal", {{"h", "linear"}, {"c", 0.5}}, 4);
    QVERIFY(compact->isDeterministic());
    for (int worker = 0; worker < 4; ++worker)
      QCOMPARE(compact->duration(worker, 3, 7.25), 0.5 * (worker + 1));
  }

  void validationNamesTheField() {
    struct Case {
      std::string name;
      json params;
      int numWorkers;
      std::string where;
      std::string mentions;
    };
    const Case cases[] = {
        {"fixed", {{"h", "list"}, {"times", {1, 2, 3}}}, 4, kPath + ".times", "3 entries"},
        {"fixed", {{"h", "list"}}, 4, kPath + ".times", "one time per worker"},
        {"fixed", {{"c", 0}}, 4, kPath + ".c", "> 0"},
        {"fixed", {{"h", "cubic"}}, 4, kPath + ".h", "one of"},
        {"fixed", {{"cc", 1}}, 4, kPath + ".cc", "unknown option"},
        {"fixed", json::object(), 0, kPath, "at least one worker"},
        {"jitter", {{"h", "list"}, {"times", {1, 2}}}, 3, kPath + ".times", "3 workers"},
        {"jitter", {{"rel", -0.1}}, 3, kPath + ".rel", ">= 0"},
        {"ringmaster", {{"shuffle", "yes"}}, 3, kPath + ".shuffle", "true or false"},
        {"stragglers", {{"stragglers", {0, 4}}}, 4, kPath + ".stragglers", "worker 4"},
        {"stragglers", {{"stragglers", {-1}}}, 4, kPath + ".stragglers", ">= 0"},
        {"stragglers", {{"base", {{"model", "warp"}}}}, 4, kPath + ".base.model", "unknown time model"},
        {"stragglers", {{"base", {{"params", json::object()}}}}, 4, kPath + ".base.model", "required"},
        {"stragglers",
         {{"base", {{"model", "fixed"}, {"extra", 1}}}},
         4,
         kPath + ".base.extra",
         "unknown key"},
        {"stragglers",
         {{"base", {{"model", "fixed"}, {"params", {{"h", "list"}, {"times", {1}}}}}}},
         4,
         kPath + ".base.params.times",
         "1 entries"},
        {"universal", {{"schedules", {{"7", {{0, 1}}}}}}, 4, kPath + ".schedules.7", "does not exist"},
        {"universal", {{"schedules", {{"x", {{0, 1}}}}}}, 4, kPath + ".schedules.x", "worker indices"},
        {"universal",
         {{"schedules", {{"1", {{0, 1}, {3, 2}, {2, 1}}}}}},
         4,
         kPath + ".schedules.1",
         "strictly increasing"},
        {"universal", {{"schedules", {{"1", {{1, 1}}}}}}, 4, kPath + ".schedules.1", "start at time 0"},
        {"universal", {{"schedules", {{"1", {{0, -1}}}}}}, 4, kPath + ".schedules.1", "rate"},
        {"universal", {{"schedules", {{"1", {{0}}}}}}, 4, kPath + ".schedules.1", "[time, rate]"},
        {"universal", {{"outages", {{"2", {{5, 3}}}}}}, 4, kPath + ".outages.2", "after its start"},
        {"universal", {{"outages", {{"2", {{5, "never"}}}}}}, 4, kPath + ".outages.2", "\"inf\""},
        {"universal", {{"outages", {{"9", {{5, 6}}}}}}, 4, kPath + ".outages.9", "does not exist"},
        {"universal", {{"h", "list"}, {"times", {1}}}, 2, kPath + ".times", "2 workers"},
        {"natural", {{"c", -1}}, 2, kPath + ".c", "> 0"},
    };
    for (const Case& c : cases) {
      const std::string error = buildError(c.name, c.params, c.numWorkers);
      const std::string label = c.name + " " + c.params.dump() + " -> " + error;
      QVERIFY2(error.rfind(c.where + "|", 0) == 0, label.c_str());
      QVERIFY2(error.find(c.mentions) != std::string::npos, label.c_str());
    }
    // A list of the right length, or a full set of explicit schedules, needs no compact list.
    QCOMPARE(buildError("fixed", {{"h", "list"}, {"times", {1, 2}}}, 2), std::string("no error"));
    QCOMPARE(buildError("universal", {{"h", "list"}, {"schedules", {{"default", {{0, 1}}}}}}, 2),
             std::string("no error"));
  }

  void optionsStructsValidate() {
    std::string why;
    distopt::FixedTimeModel::Options fixed;
    QVERIFY(fixed.isValid(&why));
    fixed.profile.c = -1;
    QVERIFY(!fixed.isValid(&why));
    QVERIFY(why.find("c") != std::string::npos);
    distopt::RingmasterTimeModel::Options ringmaster;
    ringmaster.c = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(!ringmaster.isValid(&why));
    distopt::JitterTimeModel::Options jitter;
    jitter.rel = -1;
    QVERIFY(!jitter.isValid(&why));
    distopt::StragglersTimeModel::Options stragglers;
    QVERIFY(stragglers.isValid(&why));
    stragglers.M = -2;
    QVERIFY(!stragglers.isValid(&why));
    distopt::UniversalTimeModel::Options universal;
    universal.outages.push_back({0, 3, 1});
    QVERIFY(!universal.isValid(&why));
    distopt::NaturalTimeModel::Options natural;
    natural.c = 0;
    QVERIFY(!natural.isValid(&why));
  }
};

QTEST_APPLESS_MAIN(TestTimeModels)
#include "test_time_models.moc"
