#pragma once
// Ctrl-C for distopt-run. The first SIGINT (or SIGTERM) asks the engine to stop at its next step, so the
// run ends on record like any other: files closed, summary written, store row ended, with a termination
// detail saying who stopped it. The handler is then gone, so a second Ctrl-C ends the process at once.

#include <functional>
#include <string>

#include "core/telemetry/telemetry.hpp"

namespace distopt::app {

/// Catches SIGINT and SIGTERM from here on (called just before the run's outputs are created; until
/// then a signal ends the program with nothing to clean up). A SIGINT that was ignored when the program
/// started (a background job of a shell) stays ignored.
void catchStopSignals();

/// Routes the caught signals to `stop`, which must only set an atomic (it runs in the signal handler).
/// A signal that came before is passed on at once.
void stopOnSignals(std::function<void()> stop);

/// Leaves the handlers in place but stops calling the engine's stop (it is about to go away).
void forgetStop();

/// The signal that asked the run to stop, 0 when none came.
int stopSignal();

/// The exit status for a run a signal stopped: 128 + the signal, as shells report it (130 for Ctrl-C).
int signalExitStatus(int signal);

/// The termination detail for a run that `signal` stopped.
std::string interruptionDetail(int signal);

/// The run's sinks; a run that ends stopped after a signal is recorded as interrupted by the user.
class InterruptAwareFanout : public TelemetryFanout {
 public:
  void onFinish(const RunSummary& summary) override;
};

/// Marks `summary` as interrupted when a signal stopped it.
void noteInterruption(RunSummary& summary);

}  // namespace distopt::app
