#pragma once
// "Sweep this…" on a field of the experiment form: the field's context menu (a line edit's own menu,
// with the action added) offers to sweep it; the sweep panel (ui/sweep) takes the field's path and
// current value from there.
// Thread: GUI thread only.

#include <functional>

class QWidget;

namespace distopt::ui {

/// Adds "Sweep this…" to `field`'s context menu; `onSweep` runs when it is chosen.
void offerSweepThis(QWidget* field, std::function<void()> onSweep);

}  // namespace distopt::ui
