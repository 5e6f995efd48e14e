// The parameter-server family's roles on the virtual network (ParameterServerRolesRun) against its fast
// path (SimEngine: lazy gradients, cancellation without a message) on runs both can do: every method of
// the family, heterogeneous random job times (no two events at one moment), stochastic gradients. The
// same update events (time, worker, job, outcome, delay, version), evaluations, counters, bytes and
// final model, bit for bit: the fast path is an optimisation of the roles, not a second method.
#include <QtTest>

#include "core/async_sgd/parameter_server_roles_run.hpp"
#include "sim_test_support.hpp"

using namespace distopt;
using namespace distopt::test;

namespace {

struct Case {
  std::string algorithm;
  nlohmann::json params;
};

SimSetup setupFor(const Case& c) {
  SimSetup setup;
  setup.problemParams = {{"eigenvalues", {1.0, 2.0, 5.0}}, {"x0", {1.0, -1.0, 0.5}}, {"noise_std", 0.1}};
  setup.timeModel = "jitter";
  setup.timeParams = {{"h", "list"}, {"times", {1.0, 2.3, 4.7, 9.1, 1.6}}, {"rel", 0.3}};
  setup.workers = 5;
  setup.algorithm = c.algorithm;
  setup.algorithmParams = c.params;
  setup.sim.horizon = 200.0;
  setup.sim.evalInterval = 15.0;
  setup.sim.evalEveryUpdates = 7;
  setup.sim.seed = 7;
  return setup;
}

std::unique_ptr<SimResult> runRoles(const SimSetup& setup) {
  auto result = std::make_unique<SimResult>();
  const SimRunContext context = buildSimParts(setup, *result);  // builds the server too
  ParameterServerRolesRun run(*result->server, context);
  run.run(result->sink);
  result->finalModel = result->server->model();
  return result;
}

}  // namespace

class TestParameterServerRoles : public QObject {
  Q_OBJECT

 private slots:
  // Every parameter-server method in the registry (a new one is checked without a line here), plus the
  // settings that exercise what only the roles carry as messages: Ringmaster B's cancels, A's discards.
  void rolesEqualTheFastPath_data() {
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QString>("params");
    std::size_t methods = 0;
    for (const AlgorithmEntry& entry : algorithmEntries()) {
      if (!entry.make) continue;
      ++methods;
      QTest::newRow(entry.name.c_str()) << QString::fromStdString(entry.name) << QStringLiteral(R"({"gamma": 0.1})");
    }
    QVERIFY(methods >= 6);
    QTest::newRow("ringmaster-A") << "ringmaster" << R"({"gamma": 0.1, "R": 2, "variant": "A"})";
    QTest::newRow("ringmaster-B") << "ringmaster" << R"({"gamma": 0.1, "R": 2, "variant": "B"})";
    QTest::newRow("rennala-B3") << "rennala" << R"({"gamma": 0.1, "B": 3})";
    QTest::newRow("minibatch-b2") << "minibatch" << R"({"gamma": 0.1, "b": 2})";
  }
  void rolesEqualTheFastPath() {
    QFETCH(QString, algorithm);
    QFETCH(QString, params);
    const std::string name = algorithm.toStdString();
    const std::string row = QTest::currentDataTag();
    const SimSetup setup = setupFor({name, nlohmann::json::parse(params.toStdString())});
    const auto fast = runSim(setup);
    const auto roles = runRoles(setup);

    const RunSummary& a = fast->sink.summary;
    const RunSummary& b = roles->sink.summary;
    QVERIFY2(a.updatesApplied > 5, "the run must do something");
    // What only the roles carry as messages is exercised: Ringmaster B's cancellations, A's discards.
    if (row == "ringmaster-A") QVERIFY(a.counters.discarded > 0);
    if (row == "ringmaster-B" || row == "rennala-B3") QVERIFY(a.counters.cancelled > 0);
    QCOMPARE(b.termination, a.termination);
    QCOMPARE(b.updatesApplied, a.updatesApplied);
    QCOMPARE(b.gradientEvaluations, a.gradientEvaluations);
    QCOMPARE(b.time, a.time);
    QCOMPARE(b.bytesUplink, a.bytesUplink);
    QCOMPARE(b.bytesDownlink, a.bytesDownlink);
    QCOMPARE(b.counters.jobsSent, a.counters.jobsSent);
    QCOMPARE(b.counters.accepted, a.counters.accepted);
    QCOMPARE(b.counters.discarded, a.counters.discarded);
    QCOMPARE(b.counters.cancelled, a.counters.cancelled);
    QCOMPARE(b.counters.lateCancelled, a.counters.lateCancelled);
    QCOMPARE(b.delayMean, a.delayMean);
    QCOMPARE(b.delayMax, a.delayMax);
    QCOMPARE(b.finalLoss, a.finalLoss);

    QCOMPARE(roles->sink.events.size(), fast->sink.events.size());
    for (std::size_t i = 0; i < fast->sink.events.size(); ++i) {
      const UpdateEvent& x = fast->sink.events[i];
      const UpdateEvent& y = roles->sink.events[i];
      const QByteArray at = QByteArray("event ") + QByteArray::number(static_cast<qulonglong>(i));
      QVERIFY2(y.time == x.time && y.worker == x.worker && y.jobId == x.jobId && y.jobVersion == x.jobVersion &&
                   y.outcome == x.outcome && y.delay == x.delay && y.versionAfter == x.versionAfter &&
                   y.age == x.age && y.bytes == x.bytes,
               at.constData());
    }
    QCOMPARE(roles->sink.evaluations.size(), fast->sink.evaluations.size());
    for (std::size_t i = 0; i < fast->sink.evaluations.size(); ++i) {
      const EvaluationPoint& x = fast->sink.evaluations[i];
      const EvaluationPoint& y = roles->sink.evaluations[i];
      QCOMPARE(y.time, x.time);
      QCOMPARE(y.updates, x.updates);
      QCOMPARE(y.loss, x.loss);
      QCOMPARE(y.bytesUp, x.bytesUp);
      QCOMPARE(y.bytesDown, x.bytesDown);
    }
    QVERIFY(roles->finalModel == fast->finalModel);
  }
};

QTEST_GUILESS_MAIN(TestParameterServerRoles)
#include "test_parameter_server_roles.moc"
