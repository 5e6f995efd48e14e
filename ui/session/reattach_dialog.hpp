#pragma once
// File → Reattach: the runs still active (from their folders and coordinators), newest first, each a
// click away; another folder can still be picked by hand. Thread: GUI thread only.

#include <QDialog>
#include <QString>
#include <vector>

#include "ui/session/active_runs.hpp"

class QListWidget;
class QPushButton;

namespace distopt::ui {

class ReattachDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ReattachDialog(std::vector<RunFolderStatus> runs, QWidget* parent = nullptr);

  /// The folder chosen (a listed run, or one picked by hand); empty until accepted.
  QString chosenDirectory() const { return m_chosen; }
  QListWidget* list() const { return m_list; }
  /// Chooses the listed run at `row` and accepts (as a double click does).
  void chooseRow(int row);

 private:
  std::vector<RunFolderStatus> m_runs;
  QListWidget* m_list = nullptr;
  QPushButton* m_reattach = nullptr;
  QString m_chosen;
};

}  // namespace distopt::ui
