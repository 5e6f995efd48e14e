// Workers started per host (issue 24, item 3): one process (ssh to the host, running
// `distopt-worker --count K`) stands for K workers; the exit report lines it writes end them one by one,
// and its own end ends those it did not report. Another host's reports, duplicates and lines that only
// look like reports end nobody.
#include <QtTest>
#include <chrono>
#include <thread>

#include "net/launcher/local_launcher.hpp"
#include "net/launcher/ssh_command.hpp"
#include "net/launcher/worker_exit_report.hpp"

using namespace distopt::net;

namespace {

/// Reaps until `count` exits were seen or 10 s passed (the processes end by themselves).
std::vector<WorkerExitInfo> reapExits(LocalLauncher& launcher, std::size_t count,
                                      std::vector<std::string>* lines = nullptr) {
  std::vector<WorkerExitInfo> exits;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (exits.size() < count && std::chrono::steady_clock::now() < deadline) {
    for (auto& line : launcher.takeOutput())
      if (lines) lines->push_back(std::move(line));
    for (auto& exit : launcher.reap()) exits.push_back(std::move(exit));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& line : launcher.takeOutput())
    if (lines) lines->push_back(std::move(line));
  return exits;
}

const WorkerExitInfo* exitOf(const std::vector<WorkerExitInfo>& exits, int worker) {
  for (const auto& exit : exits)
    if (exit.workerId == worker) return &exit;
  return nullptr;
}

}  // namespace

class TestHostLaunch : public QObject {
  Q_OBJECT

 private slots:
  void exitReportsRoundTripAndOthersAreRefused() {
    const std::string line = formatWorkerExitReport(12, 4242, "exited with status 3");
    QCOMPARE(line, std::string("distopt-worker-exit worker=12 pid=4242 exited with status 3"));
    const auto parsed = parseWorkerExitReport(line);
    QVERIFY(parsed.has_value());
    QCOMPARE(parsed->workerId, 12);
    QCOMPARE(parsed->pid, pid_t{4242});
    QCOMPARE(parsed->description, std::string("exited with status 3"));
    for (const char* other :
         {"", "distopt-worker 12: coordinator_lost", "distopt-worker-exit worker=12 pid=4242",
          "distopt-worker-exit worker=12 pid=4242 ", "distopt-worker-exit worker=-1 pid=4 exited",
          "distopt-worker-exit worker=99999999999 pid=4 exited", "distopt-worker-exit worker=1 pid=x exited",
          "distopt-worker-exit worker=1pid=4 exited", " distopt-worker-exit worker=1 pid=4 exited",
          "distopt-worker-exit worker=+1 pid=4 exited"})
      QVERIFY2(!parseWorkerExitReport(other).has_value(), other);
  }

  void aHostProcessEndsItsWorkersOneByOne() {
    LocalLauncher launcher;
    // A stand-in for ssh + supervisor on host "alpha" with workers 5-7: reports 5 (twice), a worker of
    // another host, and something that only looks like a report, then ends with ssh's 255.
    const std::string script =
        "echo 'distopt-worker-exit worker=5 pid=77 exited with status 0' >&2;"
        "echo 'distopt-worker-exit worker=5 pid=78 exited with status 9' >&2;"
        "echo 'distopt-worker-exit worker=99 pid=1 exited with status 0' >&2;"
        "echo 'distopt-worker-exit worker=6 pid=x exited with status 0' >&2;"
        "echo 'worker 6 is still working' >&2; sleep 0.3; exit 255";
    ProcessSpec spec{.workerId = 5,
                     .argv = {"sh", "-c", script},
                     .environment = {},
                     .stdinText = {},
                     .label = "alpha workers 5-7",
                     .supervisedWorkers = {5, 6, 7}};
    std::string why;
    QVERIFY2(launcher.spawn(spec, &why), why.c_str());
    std::vector<std::string> lines;
    const auto exits = reapExits(launcher, 3, &lines);
    QCOMPARE(exits.size(), std::size_t{3});
    const auto* five = exitOf(exits, 5);
    QVERIFY(five);
    QCOMPARE(five->pid, pid_t{77});
    QCOMPARE(five->description, std::string("exited with status 0 on alpha workers 5-7"));
    for (const int worker : {6, 7}) {
      const auto* exit = exitOf(exits, worker);
      QVERIFY(exit);
      QVERIFY2(exit->description.find("alpha workers 5-7") != std::string::npos &&
                   exit->description.find("exited with status 255") != std::string::npos,
               exit->description.c_str());
    }
    QVERIFY(!exitOf(exits, 99));
    // Every line, reports included, is in the log under the host's label.
    QCOMPARE(lines.size(), std::size_t{5});
    QCOMPARE(lines.back(), std::string("[alpha workers 5-7] worker 6 is still working"));
    QCOMPARE(launcher.running(), 0);
    QVERIFY(launcher.reap().empty());
  }

  void oneSshCommandPerHostCarriesTheCountAndNoToken() {
    const distopt::RemoteHost host{
        .host = "alice@box1", .count = 8, .program = "/opt/distopt/bin/distopt-worker"};
    const std::string key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    const std::string token = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
    const ProcessSpec spec = sshHostSpec(host, "tcp://coord:5555", 16, 120, key, token);
    QCOMPARE(spec.workerId, 16);
    QCOMPARE(spec.label, std::string("alice@box1 workers 16-23"));
    QCOMPARE(spec.supervisedWorkers, (std::vector<int>{16, 17, 18, 19, 20, 21, 22, 23}));
    QCOMPARE(spec.stdinText, token + "\n");
    QCOMPARE(spec.argv.size(), std::size_t{7});
    QCOMPARE(spec.argv[5], std::string("alice@box1"));
    QCOMPARE(spec.argv[6],
             std::string("'/opt/distopt/bin/distopt-worker' --connect 'tcp://coord:5555' --id 16 "
                         "--count 8 --wait 120 --server-key '" +
                         key + "' --join-token -"));
    for (const auto& word : spec.argv) QVERIFY(word.find(token) == std::string::npos);
    const ProcessSpec one =
        sshHostSpec({.host = "b", .count = 1, .program = "w"}, "tcp://c:1", 3, 60, {}, {});
    QCOMPARE(one.label, std::string("b worker 3"));
    QVERIFY(one.stdinText.empty());
  }
};

QTEST_GUILESS_MAIN(TestHostLaunch)
#include "test_host_launch.moc"
