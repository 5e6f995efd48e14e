#pragma once
// The workbench's top-level window. Thread: GUI thread only.

#include <QMainWindow>

class QChartView;
class QLabel;

namespace distopt::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);

  /// The convergence chart view (exposed for tests and screenshots).
  QChartView* convergenceView() const { return m_convergenceView; }

 private:
  QChartView* m_convergenceView = nullptr;
  QLabel* m_runState = nullptr;
};

}  // namespace distopt::ui
