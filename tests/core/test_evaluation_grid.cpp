// EvaluationGrid, the one evaluation grid and time-limit close of every family's simulator: which grid
// times are evaluated before an event, that the first point that ends the run ends it there, and how a
// run that reached its time limit ends (the simulators each closed differently before).
#include <QtTest>
#include <cmath>
#include <limits>
#include <vector>

#include "core/run/evaluation_grid.hpp"

using namespace distopt;

namespace {

RunRules rulesWith(double interval, double horizon) {
  RunRules rules;
  rules.evalInterval = interval;
  rules.horizon = horizon;
  return rules;
}

}  // namespace

class TestEvaluationGrid : public QObject {
  Q_OBJECT

 private slots:
  void walksThePointsStrictlyBeforeAnEvent() {
    EvaluationGrid grid(rulesWith(10.0, 100.0));
    std::vector<double> seen;
    auto record = [&](double t) {
      seen.push_back(t);
      return Verdict::GoOn;
    };
    QCOMPARE(grid.walkBefore(30.0, record), Verdict::GoOn);
    QCOMPARE(seen, (std::vector<double>{10.0, 20.0}));  // 30 is the event's own time: after it
    QCOMPARE(grid.next(), 30.0);
    QCOMPARE(grid.walkBefore(30.5, record), Verdict::GoOn);
    QCOMPARE(seen.back(), 30.0);
    seen.clear();
    QCOMPARE(grid.walkBefore(1000.0, record), Verdict::GoOn);  // never past the horizon
    QCOMPARE(seen.back(), 100.0);
    QCOMPARE(seen.size(), std::size_t(7));
  }

  void theFirstEndingPointEndsTheWalk() {
    EvaluationGrid grid(rulesWith(1.0, 50.0));
    std::vector<double> seen;
    const auto verdict = grid.walkBefore(10.0, [&](double t) {
      seen.push_back(t);
      return t >= 3.0 ? Verdict::TargetReached : Verdict::GoOn;
    });
    QCOMPARE(verdict, Verdict::TargetReached);
    QCOMPARE(seen, (std::vector<double>{1.0, 2.0, 3.0}));
    QCOMPARE(terminationOf(Verdict::Diverged), std::optional<Termination>(Termination::Diverged));
    QVERIFY(!terminationOf(Verdict::GoOn));
  }

  void noGridWithoutAnInterval() {
    EvaluationGrid grid(rulesWith(0.0, 100.0));
    int calls = 0;
    QCOMPARE(grid.walkBefore(1e9, [&](double) { return ++calls, Verdict::GoOn; }), Verdict::GoOn);
    const RunEnd end = grid.closeAtHorizon(42.0, [&](double) { return ++calls, Verdict::GoOn; });
    QCOMPARE(calls, 0);
    QCOMPARE(end.termination, Termination::TimeLimit);
    QCOMPARE(end.time, 100.0);
  }

  void aTimeLimitEndsAtTheHorizonOrAtTheFirstEndingPoint() {
    {
      EvaluationGrid grid(rulesWith(10.0, 45.0));
      grid.walkBefore(25.0, [](double) { return Verdict::GoOn; });
      std::vector<double> seen;
      const RunEnd end = grid.closeAtHorizon(24.0, [&](double t) {
        seen.push_back(t);
        return Verdict::GoOn;
      });
      QCOMPARE(seen, (std::vector<double>{30.0, 40.0}));
      QCOMPARE(end.termination, Termination::TimeLimit);
      QCOMPARE(end.time, 45.0);
    }
    {
      // The final model meets the target at the first point after the last event: the run ends there,
      // with the target, as it would have at any evaluation during the run.
      EvaluationGrid grid(rulesWith(10.0, 45.0));
      int calls = 0;
      const RunEnd end = grid.closeAtHorizon(5.0, [&](double t) {
        ++calls;
        return t >= 20.0 ? Verdict::TargetReached : Verdict::GoOn;
      });
      QCOMPARE(calls, 2);
      QCOMPARE(end.termination, Termination::TargetReached);
      QCOMPARE(end.time, 20.0);
    }
    {
      // No finite horizon: the limit was a completion that never comes; the run ends where it stands.
      EvaluationGrid grid(rulesWith(10.0, std::numeric_limits<double>::infinity()));
      int calls = 0;
      const RunEnd end = grid.closeAtHorizon(17.0, [&](double) { return ++calls, Verdict::GoOn; });
      QCOMPARE(calls, 0);
      QCOMPARE(end.time, 17.0);
      QCOMPARE(end.termination, Termination::TimeLimit);
    }
  }

  void theFinalEvaluationIsOfTheEndState() {
    EvaluationPoint last;
    last.time = 40.0;
    last.updates = 7;
    QVERIFY(finalEvaluationDue(false, last, 40.0, 7));
    QVERIFY(!finalEvaluationDue(true, last, 40.0, 7));
    QVERIFY(finalEvaluationDue(true, last, 45.0, 7));
    QVERIFY(finalEvaluationDue(true, last, 40.0, 8));
  }
};

QTEST_APPLESS_MAIN(TestEvaluationGrid)
#include "test_evaluation_grid.moc"
