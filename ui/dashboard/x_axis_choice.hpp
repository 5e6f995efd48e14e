#pragma once
// The x-axis choice (time, updates, bytes) that the Metrics tab and the manager view show once for
// several charts whose own control rows are hidden. Thread: GUI thread only.

#include <functional>

#include "ui/charts/series_buffer.hpp"

class QComboBox;
class QWidget;

namespace distopt::ui {

/// A combo box (object name "xAxisChoice") of the x axes a live chart offers; `chosen` is called when the
/// person picks another.
QComboBox* makeXAxisChoice(QWidget* parent, std::function<void(XAxis)> chosen);
/// Shows `axis` as chosen in a combo box made by makeXAxisChoice.
void showXAxis(QComboBox* choice, XAxis axis);

}  // namespace distopt::ui
