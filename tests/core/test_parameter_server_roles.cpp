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
  const char* algorithm;
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
  void rolesEqualTheFastPath_data() {
    QTest::addColumn<int>("index");
    QTest::newRow("asgd") << 0;
    QTest::newRow("ringmaster-A") << 1;
    QTest::newRow("ringmaster-B") << 2;
    QTest::newRow("rennala") << 3;
    QTest::newRow("minibatch") << 4;
    QTest::newRow("da-asgd") << 5;
    QTest::newRow("naive-optimal") << 6;
  }
  void rolesEqualTheFastPath() {
    QFETCH(int, index);
    const Case cases[] = {{"asgd", {{"gamma", 0.1}}},
                          {"ringmaster", {{"gamma", 0.1}, {"R", 2}, {"variant", "A"}}},
                          {"ringmaster", {{"gamma", 0.1}, {"R", 2}, {"variant", "B"}}},
                          {"rennala", {{"gamma", 0.1}, {"B", 3}}},
                          {"minibatch", {{"gamma", 0.1}, {"b", 2}}},
                          {"da-asgd", {{"gamma", 0.1}}},
                          {"naive-optimal", {{"gamma", 0.1}}}};
    const SimSetup setup = setupFor(cases[index]);
    const auto fast = runSim(setup);
    const auto roles = runRoles(setup);

    const RunSummary& a = fast->sink.summary;
    const RunSummary& b = roles->sink.summary;
    QVERIFY2(a.updatesApplied > 5, "the run must do something");
    // What only the roles carry as messages is exercised: Ringmaster B's cancellations, A's discards.
    if (index == 1) QVERIFY(a.counters.discarded > 0);
    if (index == 2) QVERIFY(a.counters.cancelled > 0);
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
