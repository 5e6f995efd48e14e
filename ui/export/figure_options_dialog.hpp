#pragma once
// The export dialog's figure options: size in px or cm (empty = as on screen), the PNG's DPI and the font
// size, remembered between exports. Thread: GUI thread only.

#include <QDialog>

#include "ui/export/chart_export.hpp"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace distopt::ui {

class FigureOptionsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit FigureOptionsDialog(QWidget* parent = nullptr);

  FigureOptions options() const;
  void setOptions(const FigureOptions& options);

  /// The options the last export used (QSettings), or the defaults.
  static FigureOptions remembered();
  static void remember(const FigureOptions& options);

 private:
  void check();

  QDoubleSpinBox* m_width = nullptr;
  QDoubleSpinBox* m_height = nullptr;
  QComboBox* m_unit = nullptr;
  QDoubleSpinBox* m_dpi = nullptr;
  QDoubleSpinBox* m_font = nullptr;
  QLabel* m_error = nullptr;
  QPushButton* m_ok = nullptr;
};

/// Asks for the options of a figure about to be written (starting from the remembered ones); false when
/// the person cancelled. Remembers what was chosen.
bool askFigureOptions(QWidget* parent, FigureOptions* options);

}  // namespace distopt::ui
