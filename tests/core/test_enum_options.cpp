// Typed enum options (core/registry/enum_option.hpp): one table gives an option's choices, what the
// validator, --list and the editor offer, and how the component reads the value back. A typo is refused
// naming the field, the bad value and every choice, by the experiment parser and by the components'
// set-up code when it is handed params directly (the live drivers do), never read as the default.

#include <QtTest>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/compressed/compressed_entries.hpp"
#include "core/config/experiment.hpp"
#include "core/kronecker/kron_entries.hpp"
#include "core/problems/gradient_noise.hpp"
#include "core/registry/enum_option.hpp"
#include "core/registry/registry.hpp"
#include "core/timing/speed_profile.hpp"
#include "core/util/input_error.hpp"
#include "input_error_capture.hpp"

using distopt::EnumTable;
using distopt::InputError;
using distopt::OptionSpec;
using distopt::OptionType;
using nlohmann::json;

namespace {

enum class Colour { Red, Green };

const EnumTable<Colour>& colours() {
  static const EnumTable<Colour> table{{"red", Colour::Red, "warm"}, {"green", Colour::Green, "cool"}};
  return table;
}

using test_support::inputError;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The refusal names the field, the bad value and every choice.
#define EXPECT_REFUSAL(errorOpt, expectedWhere, badValue, choices)                 \
  do {                                                                             \
    const auto& error_ = (errorOpt);                                               \
    QVERIFY2(error_.has_value(), "no InputError: the typo was accepted");          \
    QCOMPARE(error_->where(), std::string(expectedWhere));                         \
    const std::string what_ = error_->what();                                      \
    QVERIFY2(contains(what_, "\"" + std::string(badValue) + "\""), what_.c_str()); \
    for (const std::string& choice_ : (choices))                                   \
      QVERIFY2(contains(what_, "\"" + choice_ + "\""), what_.c_str());             \
  } while (false)

json quadraticRingmaster() {
  return json::parse(R"({
    "engine": "sim",
    "problem": {"name": "quadratic", "params": {"d": 8}},
    "algorithm": {"name": "ringmaster", "params": {}},
    "workers": {"count": 2},
    "stop": {"time": 10}
  })");
}

/// Checks every Enum option of one registry entry: the spec came from a table (a meaning per choice), each
/// choice is accepted, and a typo of each is refused naming the field, the value and the choices.
template <typename Entry>
void checkEnumOptions(const Entry& entry, const std::string& path, int* checked) {
  for (const OptionSpec& spec : entry.options) {
    if (spec.type != OptionType::Enum) continue;
    const std::string where = path + "." + spec.name;
    QVERIFY2(spec.choiceHelp.size() == spec.choices.size(),
             (entry.name + ": " + where + " is not built from an EnumTable").c_str());
    for (const std::string& choice : spec.choices) {
      std::string why;
      QVERIFY2(spec.accepts(json(choice), &why), (where + ": " + why).c_str());
    }
    for (const std::string& typo : {spec.choices.front() + "x", std::string("")}) {
      json params = {{spec.name, typo}};
      std::string why;
      QVERIFY2(!distopt::validateAndFillOptions(entry.options, params, path, &why),
               (entry.name + ": " + where + " accepted \"" + typo + "\"").c_str());
      QVERIFY2(why.starts_with(where + ": is \"" + typo + "\", not one of "), why.c_str());
      for (const std::string& choice : spec.choices)
        QVERIFY2(contains(why, "\"" + choice + "\""), why.c_str());
    }
    ++*checked;
  }
}

}  // namespace

class TestEnumOptions : public QObject {
  Q_OBJECT

 private slots:
  void tableBuildsTheSpecAndParsesThroughIt() {
    const OptionSpec spec = colours().option("colour", Colour::Green, "A colour");
    QCOMPARE(spec.type, OptionType::Enum);
    QCOMPARE(spec.defaultValue, json("green"));
    QCOMPARE(spec.choices, (std::vector<std::string>{"red", "green"}));
    QCOMPARE(spec.choiceHelp, (std::vector<std::string>{"warm", "cool"}));
    QCOMPARE(spec.describe(), std::string("one of \"red\" or \"green\""));
    QCOMPARE(colours().nameOf(Colour::Red), std::string("red"));

    const json params = {{"colour", "red"}};
    QVERIFY(colours().parse(params, "colour", "x.params") == Colour::Red);
    EXPECT_REFUSAL(inputError([] {
                     (void)colours().parse(json{{"colour", "Red"}}, "colour", "x.params");
                   }),
                   "x.params.colour", "Red", colours().names());
    const auto notAString = inputError([] {
      (void)colours().parse(json{{"colour", 1}}, "colour", "x.params");
    });
    QVERIFY(notAString.has_value());
    QVERIFY2(contains(notAString->what(), "is a number, not one of \"red\" or \"green\""),
             notAString->what());
    const auto absent = inputError([] { (void)colours().parse(json::object(), "colour", "x.params"); });
    QVERIFY(absent.has_value());
    QCOMPARE(absent->where(), std::string("x.params.colour"));
  }

  // Registry-wide: every enum option of every algorithm, problem and time model.
  void everyRegisteredEnumOptionRefusesATypo() {
    int checked = 0;
    for (const auto& entry : distopt::algorithmEntries())
      checkEnumOptions(entry, "algorithm.params", &checked);
    for (const auto& entry : distopt::problemEntries()) checkEnumOptions(entry, "problem.params", &checked);
    for (const auto& entry : distopt::timeModelEntries())
      checkEnumOptions(entry, "workers.time_model.params", &checked);
    QVERIFY2(checked >= 30, std::to_string(checked).c_str());
  }

  // The brief's examples, through the whole parser.
  void theParserRefusesTypos() {
    json document = quadraticRingmaster();
    (void)distopt::parseExperiment(document, ".");
    document["algorithm"]["params"]["variant"] = "b";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }),
                   "algorithm.params.variant", "b", (std::vector<std::string>{"A", "B"}));
    document = quadraticRingmaster();
    document["problem"]["params"]["noise"] = "scaler";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }), "problem.params.noise",
                   "scaler", (std::vector<std::string>{"scalar", "coordinate"}));
    document = quadraticRingmaster();
    document["workers"]["time_model"] = {{"name", "fixed"}, {"params", {{"h", "sqr"}}}};
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }),
                   "workers.time_model.params.h", "sqr",
                   (std::vector<std::string>{"one", "sqrt", "linear", "square", "list"}));
    // The experiment's own choices say the bad value too.
    document = quadraticRingmaster();
    document["engine"] = "simulator";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }), "engine", "simulator",
                   (std::vector<std::string>{"sim", "live"}));
    document = quadraticRingmaster();
    document["events"] = "ful";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }), "events", "ful",
                   (std::vector<std::string>{"aggregates", "full"}));
    document = quadraticRingmaster();
    document["workers"]["launcher"] = "slrum";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::parseExperiment(document, "."); }), "workers.launcher",
                   "slrum", (std::vector<std::string>{"local", "slurm"}));
  }

  // The set-up code reads its choices through the same tables: params that skipped the validator (a
  // live driver is handed them directly) are refused there too. Each of these used to fall back to the
  // default silently (or, for the speed profile, abort the process).
  void setUpCodeRefusesWhatItUsedToReadAsTheDefault() {
    EXPECT_REFUSAL(inputError([] {
                     (void)distopt::gradientNoiseFromParams(json{{"noise", "scaler"}, {"noise_std", 0.1}},
                                                            "problem.params");
                   }),
                   "problem.params.noise", "scaler", (std::vector<std::string>{"scalar", "coordinate"}));
    EXPECT_REFUSAL(inputError([] {
                     (void)distopt::SpeedProfile::fromParams(
                         json{{"c", 1.0}, {"h", "cubic"}, {"times", json::array()}, {"offset_eps", 0.0}},
                         "workers.time_model.params");
                   }),
                   "workers.time_model.params.h", "cubic", distopt::speedShapes().names());

    const distopt::AlgorithmEntry* fast = distopt::findAlgorithm("kron-fast");
    QVERIFY(fast);
    json kron = json::object();
    std::string why;
    QVERIFY2(distopt::validateAndFillOptions(fast->options, kron, "algorithm.params", &why), why.c_str());
    (void)distopt::kronSettingsFrom("kron-fast", kron, "algorithm.params");
    kron["gram"] = "factor";
    EXPECT_REFUSAL(
        inputError([&] { (void)distopt::kronSettingsFrom("kron-fast", kron, "algorithm.params"); }),
        "algorithm.params.gram", "factor", (std::vector<std::string>{"precomputed", "factored"}));

    // A compressed method on a small quadratic: "avg": "sender" used to average by M.
    const distopt::ProblemEntry* quadratic = distopt::findProblem("quadratic");
    json problemParams = {{"d", 8}};
    QVERIFY2(distopt::validateAndFillOptions(quadratic->options, problemParams, "problem.params", &why),
             why.c_str());
    const auto problem = quadratic->make(problemParams, distopt::ProblemBuildContext{.seed = 1});
    distopt::SimRunContext context;
    context.problem = problem.get();
    context.numWorkers = 2;
    context.x0 = distopt::Vector::Zero(problem->dimension());
    const distopt::AlgorithmEntry* topk = distopt::findAlgorithm("topk-ef");
    QVERIFY(topk);
    json params = json::object();
    QVERIFY2(distopt::validateAndFillOptions(topk->options, params, "algorithm.params", &why), why.c_str());
    (void)distopt::makeCompressedMethod("topk-ef", params, context);
    params["avg"] = "sender";
    EXPECT_REFUSAL(inputError([&] { (void)distopt::makeCompressedMethod("topk-ef", params, context); }),
                   "algorithm.params.avg", "sender", (std::vector<std::string>{"M", "senders"}));
  }
};

QTEST_APPLESS_MAIN(TestEnumOptions)
#include "test_enum_options.moc"
