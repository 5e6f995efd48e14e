// RunLedger, the one run ledger of the parameter-server simulator, the virtual network and both live
// engines: what a point says about the run (target, divergence, in that order of precedence), what an
// evaluation reports beside its point, when the end needs a point of its own, how the termination
// settles (a failure stays the cause) and which divergence reason the summary gives.
#include <QtTest>

#include <limits>
#include <vector>

#include "core/run/run_ledger.hpp"

using namespace distopt;

namespace {

class PointSink final : public TelemetrySink {
 public:
  void onUpdate(const UpdateEvent&) override {}
  void onEvaluation(const EvaluationPoint& point) override { points.push_back(point); }
  std::vector<EvaluationPoint> points;
};

EvaluationPoint pointAt(double time, std::uint64_t updates, double loss, std::optional<double> gradNormSq = {}) {
  EvaluationPoint point;
  point.time = time;
  point.updates = updates;
  point.loss = loss;
  point.gradNormSq = gradNormSq;
  return point;
}

}  // namespace

class TestRunLedger : public QObject {
  Q_OBJECT

 private slots:
  void aPointIsSentKeptAndJudged() {
    RunRules rules;
    rules.targetGradNormSq = 0.5;
    PointSink sink;
    RunLedger ledger(rules, sink);
    QCOMPARE(ledger.note(pointAt(0.0, 0, 2.0, 4.0)), Verdict::GoOn);
    QVERIFY(!ledger.targetReached());
    QCOMPARE(ledger.note(pointAt(3.0, 7, 1.0, 0.25)), Verdict::TargetReached);
    QVERIFY(ledger.targetReached());
    QCOMPARE(*ledger.tally().timeToTarget, 3.0);
    QCOMPARE(ledger.note(pointAt(4.0, 9, 0.5, 0.1)), Verdict::TargetReached);
    QCOMPARE(*ledger.tally().timeToTarget, 3.0);  // the first point that met it
    QCOMPARE(sink.points.size(), std::size_t{3});
    QCOMPARE(ledger.tally().lastEvaluation.updates, std::uint64_t{9});
  }

  void divergenceOutranksTheTargetAndStays() {
    RunRules rules;
    rules.targetGradNormSq = 0.5;
    PointSink sink;
    RunLedger ledger(rules, sink);
    ledger.note(pointAt(0.0, 0, 1.0, 1.0));
    // Met and diverged at once: the run diverged.
    QCOMPARE(ledger.note(pointAt(1.0, 1, std::numeric_limits<double>::infinity(), 0.1)), Verdict::Diverged);
    QCOMPARE(ledger.note(pointAt(2.0, 2, 1.0, 1.0)), Verdict::Diverged);  // once diverged, always
    QVERIFY(ledger.diverged());
  }

  void anEvaluationReportsTheBytesAndWhatTheRulesAsk() {
    RunRules rules;
    rules.evalGradNorm = false;
    rules.evalAccuracy = false;
    PointSink sink;
    RunLedger ledger(rules, sink);
    ledger.tally().bytesUp = 10;
    ledger.tally().bytesDown = 20;
    EvaluationRequest request = ledger.request(1.5, 4);
    QCOMPARE(request.time, 1.5);
    QCOMPARE(request.updates, std::uint64_t{4});
    QCOMPARE(request.bytesUp, std::uint64_t{10});
    QCOMPARE(request.bytesDown, std::uint64_t{20});
    QVERIFY(!request.gradNorm);
    QVERIFY(!request.accuracy);
    rules.targetGradNormSq = 1e-3;  // a gradient target needs the norm even when not asked for
    RunLedger withTarget(rules, sink);
    QVERIFY(withTarget.request(0.0, 0).gradNorm);
  }

  void theEndNeedsAPointOfItsOwnUnlessTheLastIsOfIt() {
    PointSink sink;
    RunLedger ledger(RunRules{}, sink);
    QVERIFY(ledger.finalEvaluationDue(0.0, 0));  // no point at all yet
    ledger.note(pointAt(5.0, 12, 1.0));
    QVERIFY(!ledger.finalEvaluationDue(5.0, 12));
    QVERIFY(ledger.finalEvaluationDue(6.0, 12));
    QVERIFY(ledger.finalEvaluationDue(5.0, 13));
  }

  void theTerminationSettlesOnDivergenceButAFailureStaysTheCause() {
    PointSink sink;
    RunLedger ledger(RunRules{}, sink);
    ledger.note(pointAt(0.0, 0, 1.0));
    QCOMPARE(ledger.settle(Termination::UpdateLimit), Termination::UpdateLimit);
    ledger.note(pointAt(1.0, 1, std::numeric_limits<double>::quiet_NaN()));
    QCOMPARE(ledger.settle(Termination::UpdateLimit), Termination::Diverged);
    QCOMPARE(ledger.settle(Termination::TimeLimit), Termination::Diverged);
    QCOMPARE(ledger.settle(Termination::Failed), Termination::Failed);
  }

  void theSummarySaysWhereTheMethodSawTheDivergence() {
    PointSink sink;
    RunLedger ledger(RunRules{}, sink);
    ledger.note(pointAt(0.0, 0, 1.0));
    ledger.note(pointAt(1.0, 3, std::numeric_limits<double>::infinity()));
    RunSummary byRule;
    ledger.fill(byRule, WorkCounters{}, 3, Termination::Diverged, 1.0, {}, 0.25);
    QVERIFY2(!byRule.terminationDetail.empty(), "the divergence rule's reason");
    QCOMPARE(byRule.wallSeconds, 0.25);
    QCOMPARE(byRule.updatesApplied, std::uint64_t{3});
    RunSummary byMethod;
    ledger.fill(byMethod, WorkCounters{}, 3, Termination::Diverged, 1.0, "replica 2 at round 3", 0.25);
    QCOMPARE(byMethod.terminationDetail, std::string("replica 2 at round 3"));
    RunSummary kept;
    kept.terminationDetail = "set by the stop rule";
    ledger.fill(kept, WorkCounters{}, 3, Termination::Diverged, 1.0, "replica 2", 0.25);
    QCOMPARE(kept.terminationDetail, std::string("set by the stop rule"));
  }
};

QTEST_GUILESS_MAIN(TestRunLedger)
#include "test_run_ledger.moc"
