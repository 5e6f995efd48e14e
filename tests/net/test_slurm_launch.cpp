// "launcher": "slurm" without a cluster (issue 24, item 2): the experiment fields, refused with a
// reason when hostile; the one srun step they become (an argv, never a shell; the token only in the
// environment); srun's task reports ending workers one by one and its end ending the rest, with srun's
// last words as the reason; the worker id each task takes.
#include <QFile>
#include <QtTest>
#include <chrono>
#include <thread>

#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/launcher/srun_command.hpp"

using namespace distopt;
using namespace distopt::net;
using json = nlohmann::json;

namespace {

json experimentWith(const json& workers) {
  return {{"name", "slurm"},
          {"engine", "live"},
          {"problem", {{"name", "quadratic"}, {"params", {{"d", 4}}}}},
          {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
          {"workers", workers},
          {"stop", {{"updates", 10}}}};
}

/// The InputError parseExperiment throws for `workers`, "" when it is accepted.
std::string refusal(const json& workers) {
  try {
    parseExperiment(experimentWith(workers), ".");
    return {};
  } catch (const InputError& error) {
    return error.what();
  }
}

const std::string kKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const std::string kToken = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

/// The launcher seeds, each read by `read` (throws InputError when one does not parse).
template <typename Read>
void checkLauncherSeeds(const Read& read) {
  const Experiment full = read("launcher-slurm");
  QCOMPARE(full.launcher, std::string("slurm"));
  QCOMPARE(full.slurm.srunArgs.size(), std::size_t{3});
  const Experiment overridden = read("launcher-slurm-overrides");
  QCOMPARE(overridden.slurm.partition, std::string("debug"));
  QCOMPARE(overridden.slurm.time, std::string("30:00"));
  QCOMPARE(overridden.slurm.srunArgs, std::vector<std::string>{"--qos=short"});
  QCOMPARE(overridden.slurm.nodes, 2);
  QCOMPARE(read("launcher-ssh-hosts").hosts.size(), std::size_t{2});
}

}  // namespace

class TestSlurmLaunch : public QObject {
  Q_OBJECT

 private slots:
  void theFieldsRoundTripThroughTheNormalisedDocument() {
    const json slurm = {{"partition", "cpu"},
                        {"nodes", 4},
                        {"tasks_per_node", 4},
                        {"time", "1-02:00:00"},
                        {"srun_args", {"--mem-per-cpu=1G", "--exclusive"}},
                        {"program", "/opt/d/distopt-worker"}};
    const Experiment experiment =
        parseExperiment(experimentWith({{"count", 16}, {"launcher", "slurm"}, {"slurm", slurm}}), ".");
    QCOMPARE(experiment.launcher, std::string("slurm"));
    QCOMPARE(experiment.slurm.partition, std::string("cpu"));
    QCOMPARE(experiment.slurm.nodes, 4);
    QCOMPARE(experiment.slurm.tasksPerNode, 4);
    QCOMPARE(experiment.slurm.srunArgs.size(), std::size_t{2});
    QCOMPARE(experiment.document.at("workers").at("slurm"), slurm);
    const Experiment again = parseExperiment(experiment.document, ".");
    QCOMPARE(again.document, experiment.document);
    // Every field may be left out; a local run's document has neither field.
    const Experiment plain = parseExperiment(experimentWith({{"count", 2}, {"launcher", "slurm"}}), ".");
    QCOMPARE(plain.slurm.nodes, 0);
    QVERIFY(plain.slurm.partition.empty());
    const Experiment local = parseExperiment(experimentWith({{"count", 2}}), ".");
    QCOMPARE(local.launcher, std::string("local"));
    QVERIFY(!local.document.at("workers").contains("launcher"));
    QVERIFY(!local.document.at("workers").contains("slurm"));
  }

  void hostileFieldsAreRefusedWithTheirPath_data() {
    QTest::addColumn<QByteArray>("workers");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char* name, const json& slurm, const char* expected,
                        const char* launcher = "slurm") {
      QTest::newRow(name) << QByteArray::fromStdString(
                                 json{{"count", 8}, {"launcher", launcher}, {"slurm", slurm}}.dump())
                          << QString(expected);
    };
    row("launcher", json::object(), "workers.launcher: is \"kubernetes\", not one of \"local\" or \"slurm\"",
        "kubernetes");
    row("slurm without launcher", json::object(), "workers.slurm: is read only with", "local");
    row("not an object", json::array(), "workers.slurm: must be an object");
    row("unknown field", {{"account", "x"}}, "workers.slurm.account: unknown field");
    row("partition option", {{"partition", "-p"}}, "workers.slurm.partition: must be a partition name");
    row("partition space", {{"partition", "a b"}}, "workers.slurm.partition:");
    row("partition type", {{"partition", 3}}, "workers.slurm.partition: must be a string");
    row("nodes negative", {{"nodes", -1}}, "workers.slurm.nodes: must be an integer");
    row("nodes float", {{"nodes", 2.5}}, "workers.slurm.nodes: must be an integer");
    row("nodes huge", {{"nodes", 1e12}}, "workers.slurm.nodes: must be an integer");
    row("more nodes than workers", {{"nodes", 9}}, "workers.slurm.nodes: 9 nodes for 8 workers");
    row("tasks do not add up", {{"nodes", 2}, {"tasks_per_node", 3}},
        "workers.slurm.tasks_per_node: 2 nodes x 3 tasks is not the 8 workers");
    row("time words", {{"time", "an hour"}}, "workers.slurm.time: \"an hour\" is not a Slurm time limit");
    row("time four groups", {{"time", "1:2:3:4"}}, "workers.slurm.time:");
    row("time option", {{"time", "--help"}}, "workers.slurm.time:");
    row("args not a list", {{"srun_args", "--exclusive"}}, "workers.slurm.srun_args: must be a list");
    row("arg not a string", {{"srun_args", {1}}}, "workers.slurm.srun_args[0]: must be a string");
    row("short option", {{"srun_args", {"-N2"}}}, "workers.slurm.srun_args[0]: must be a long srun option");
    row("not an option", {{"srun_args", {"--exclusive", "rm -rf /"}}},
        "workers.slurm.srun_args[1]: must be a long srun option");
    row("shell in a name", {{"srun_args", {"--x;reboot"}}},
        "workers.slurm.srun_args[0]: \"x;reboot\" is not");
    row("newline", {{"srun_args", {"--comment=a\nb"}}}, "workers.slurm.srun_args[0]: contains a control");
    row("reserved", {{"srun_args", {"--ntasks=1000"}}}, "workers.slurm.srun_args[0]: --ntasks is set by");
    row("reserved prefix", {{"srun_args", {"--part=gpu"}}}, "workers.slurm.srun_args[0]: --partition is set");
    row("export", {{"srun_args", {"--export=NONE"}}}, "workers.slurm.srun_args[0]: --export is set");
    row("too many", {{"srun_args", json(std::vector<std::string>(33, "--exclusive"))}},
        "workers.slurm.srun_args: at most 32");
    row("program option", {{"program", "--help"}}, "workers.slurm.program: must be a program path");
    QTest::newRow("with hosts")
        << QByteArray::fromStdString(
               json{{"count", 8}, {"launcher", "slurm"}, {"hosts", {{{"host", "box"}, {"count", 2}}}}}.dump())
        << QString("workers.hosts: starts workers through ssh");
  }

  void hostileFieldsAreRefusedWithTheirPath() {
    QFETCH(QByteArray, workers);
    QFETCH(QString, expected);
    const std::string why = refusal(json::parse(workers.toStdString()));
    QVERIFY2(QString::fromStdString(why).startsWith(expected), why.c_str());
  }

  void theStepIsOneSrunWithTheTokenOnlyInTheEnvironment() {
    SrunStep step{.launch = {.partition = "cpu",
                             .nodes = 2,
                             .tasksPerNode = 8,
                             .time = "30",
                             .srunArgs = {"--mem-per-cpu=1G"},
                             .program = {}},
                  .workers = 16,
                  .firstId = 0,
                  .workerProgram = "/opt/d/distopt-worker",
                  .endpoint = "tcp://coord:5555",
                  .waitSeconds = 90,
                  .serverKey = kKey,
                  .insideAllocation = false};
    const ProcessSpec spec = srunStepSpec(step, kToken);
    const std::vector<std::string> expected = {srunProgram(),
                                               "--ntasks=16",
                                               "--nodes=2",
                                               "--ntasks-per-node=8",
                                               "--partition=cpu",
                                               "--time=30",
                                               "--kill-on-bad-exit=0",
                                               "--mem-per-cpu=1G",
                                               "/opt/d/distopt-worker",
                                               "--connect",
                                               "tcp://coord:5555",
                                               "--slurm-first-id",
                                               "0",
                                               "--wait",
                                               "90",
                                               "--server-key",
                                               kKey};
    QCOMPARE(spec.argv, expected);
    for (const auto& word : spec.argv) QVERIFY(word.find(kToken) == std::string::npos);
    QCOMPARE(spec.environment, std::vector<std::string>{"DISTOPT_JOIN_TOKEN=" + kToken});
    QCOMPARE(spec.label, std::string("slurm workers 0-15"));
    QCOMPARE(spec.supervisedWorkers.size(), std::size_t{16});
    QVERIFY(spec.stdinText.empty());
    // Inside an allocation the step runs in the allocation's partition.
    step.insideAllocation = true;
    for (const auto& word : srunCommand(step))
      QVERIFY(!QString::fromStdString(word).startsWith("--partition"));
  }

  void srunsTaskReportsEndWorkers() {
    const auto exits =
        parseSrunTaskExits("srun: error: node[1-2]: tasks 0-2,5: Exited with exit code 3", 10, 8);
    QCOMPARE(exits.size(), std::size_t{4});
    QCOMPARE(exits[0].workerId, 10);
    QCOMPARE(exits[3].workerId, 15);
    QCOMPARE(exits[3].description, std::string("Exited with exit code 3 (srun task 5 on node[1-2])"));
    const auto one = parseSrunTaskExits("srun: error: n7: task 7: Killed", 0, 8);
    QCOMPARE(one.size(), std::size_t{1});
    QCOMPARE(one[0].workerId, 7);
    for (const char* other : {"", "srun: error: n7: task 8: Killed", "srun: error: n7: task -1: Killed",
                              "srun: error: n7: task 3", "srun: error: n7: tasks 3-1: Killed",
                              "srun: error: n7: tasks 1,,2: Killed", " srun: error: n: task 1: x",
                              "srun: error: : task 1: Killed", "srun: error: n7: task 1: ",
                              "srun: error: n7: task 99999999999: x", "distopt-worker 3: coordinator_lost",
                              "srun: error: Unable to allocate resources: Invalid partition"})
      QVERIFY2(parseSrunTaskExits(other, 0, 8).empty(), other);
  }

  void aStepEndsItsWorkersAndSaysWhy() {
    LocalLauncher launcher;
    // A stand-in for srun: task 1 fails and srun says so; a task's line that only looks like a report;
    // then srun gives up with its own last words and status 1.
    ProcessSpec spec = srunStepSpec({.launch = {},
                                     .workers = 3,
                                     .firstId = 4,
                                     .workerProgram = "w",
                                     .endpoint = "tcp://c:1",
                                     .waitSeconds = 5,
                                     .serverKey = {},
                                     .insideAllocation = false},
                                    {});
    spec.argv = {
        "sh", "-c",
        "echo 'srun: error: n1: task 1: Exited with exit code 4' >&2;"
        "echo 'srun: error: n1: task 9: Exited with exit code 4' >&2;"
        "echo 'srun: error: Unable to allocate resources: Invalid partition name specified' >&2; exit 1"};
    std::string why;
    QVERIFY2(launcher.spawn(spec, &why), why.c_str());
    std::vector<WorkerExitInfo> exits;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (exits.size() < 3 && std::chrono::steady_clock::now() < deadline) {
      launcher.takeOutput();
      for (auto& exit : launcher.reap()) exits.push_back(std::move(exit));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    QCOMPARE(exits.size(), std::size_t{3});
    QCOMPARE(exits[0].workerId, 5);
    QCOMPARE(exits[0].description,
             std::string("Exited with exit code 4 (srun task 1 on n1) on slurm workers 4-6"));
    for (const int k : {1, 2}) {
      QVERIFY(exits[k].workerId == 4 || exits[k].workerId == 6);
      QVERIFY2(exits[k].description.find("exited with status 1; it said: srun: error: Unable to allocate "
                                         "resources: Invalid partition name specified") != std::string::npos,
               exits[k].description.c_str());
    }
  }

  void theFuzzSeedsReachTheLauncherFields() {
    // tests/fuzz/corpus/fuzz_experiment: each launcher seed is a valid experiment (the fuzzer mutates
    // from there), read as the harness reads it: the document, then NUL-separated --set overrides.
    const auto read = [](const char* name) {
      QFile file(QStringLiteral(DISTOPT_SOURCE_DIR "/tests/fuzz/corpus/fuzz_experiment/") + name);
      if (!file.open(QIODevice::ReadOnly)) return Experiment{};
      const std::string text = file.readAll().toStdString();
      const auto end = text.find('\0');
      json document = parseExperimentText(text.substr(0, end), name);
      for (auto start = end; start != std::string::npos && start < text.size();) {
        const auto next = text.find('\0', start + 1);
        applyOverride(document, text.substr(start + 1, next == std::string::npos ? next : next - start - 1));
        start = next;
      }
      return parseExperiment(std::move(document), ".");
    };
    try {
      checkLauncherSeeds(read);
    } catch (const InputError& error) {
      QFAIL(error.what());
    }
  }

  void eachTaskTakesItsWorkerId() {
    std::string why;
    QCOMPARE(slurmTaskWorkerId(10, "5", &why), std::optional<int>(15));
    QCOMPARE(slurmTaskWorkerId(0, "0", &why), std::optional<int>(0));
    for (const char* bad : {"", "-1", "x", "5x", " 5", "1000000"}) {
      QVERIFY2(!slurmTaskWorkerId(0, bad, &why), bad);
      QVERIFY(why.find("SLURM_PROCID") != std::string::npos);
    }
    QVERIFY(!slurmTaskWorkerId(0, nullptr, &why));
    QVERIFY(!slurmTaskWorkerId(1'000'000'000, "1", &why));
  }
};

QTEST_GUILESS_MAIN(TestSlurmLaunch)
#include "test_slurm_launch.moc"
