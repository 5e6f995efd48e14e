// The window at 1024×700: it gets that size (its minimum is not wider or taller), no label, check box
// or button in it is cut, and the form panel, squeezed on the way down, grows back when the window
// grows again.
#include <QAbstractButton>
#include <QDockWidget>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <vector>

#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"

using distopt::ui::MainWindow;

namespace {

constexpr QSize kSmallest(1024, 700);

/// Widgets whose text does not fit their width, "Class 'text' w < needed" each. Word-wrapped labels and
/// widgets that say they may be squeezed (Ignored) are left out: they are made to take what they get.
QStringList cutTexts(const QWidget& root) {
  QStringList cut;
  const auto check = [&cut](const QWidget* widget, const QString& text, int needed) {
    if (text.isEmpty() || !widget->isVisible() || widget->width() <= 0) return;
    if (widget->sizePolicy().horizontalPolicy() == QSizePolicy::Ignored) return;
    if (widget->width() + 1 < needed)
      cut << QStringLiteral("%1 '%2' %3 < %4")
                 .arg(QString::fromLatin1(widget->metaObject()->className()), text)
                 .arg(widget->width())
                 .arg(needed);
  };
  for (const QLabel* label : root.findChildren<QLabel*>()) {
    if (label->wordWrap() || label->textFormat() == Qt::RichText) continue;
    check(label, label->text(), label->minimumSizeHint().width());
  }
  for (const QAbstractButton* button : root.findChildren<QAbstractButton*>())
    check(button, button->text(), button->minimumSizeHint().width());
  return cut;
}

/// The form panel's and the dashboard's minimum widths, and the widest of their parts: what to look at
/// when the window cannot be made narrow enough.
QString widestParts(const QMainWindow& window) {
  QStringList parts;
  const QWidget* centre = window.centralWidget();
  const auto* dock = window.findChild<QDockWidget*>(QStringLiteral("ExperimentDock"));
  parts << QStringLiteral("dashboard %1").arg(centre ? centre->minimumSizeHint().width() : -1)
        << QStringLiteral("form %1").arg(dock ? dock->minimumSizeHint().width() : -1);
  std::vector<std::pair<int, QString>> widths;
  // Hidden ones too: a tab page not shown still sets the tab widget's minimum.
  for (const QWidget* widget : window.findChildren<QWidget*>())
    if (!widget->isWindow())
      widths.emplace_back(std::max(widget->minimumSizeHint().width(), widget->minimumWidth()),
                          QStringLiteral("%1 %2").arg(QString::fromLatin1(widget->metaObject()->className()),
                                                      widget->objectName()));
  std::sort(widths.begin(), widths.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < widths.size() && i < 25; ++i)
    parts << QStringLiteral("%1 %2").arg(widths[i].second).arg(widths[i].first);
  return parts.join(QStringLiteral("; "));
}

}  // namespace

class TestWindowSize : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_home.isValid());
    qputenv("XDG_DATA_HOME", m_home.path().toUtf8());
  }

  void usableAt1024By700() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.resize(kSmallest);
    QTest::qWait(200);
    QVERIFY2(window.minimumSizeHint().width() <= kSmallest.width() &&
                 window.minimumSizeHint().height() <= kSmallest.height(),
             qPrintable(QStringLiteral("minimum %1×%2; widest parts: %3")
                            .arg(window.minimumSizeHint().width())
                            .arg(window.minimumSizeHint().height())
                            .arg(widestParts(window))));
    QCOMPARE(window.size(), kSmallest);
    const QStringList cut = cutTexts(window);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join("\n")));
  }

  void theFormGrowsBack() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* dock = window.findChild<QDockWidget*>(QStringLiteral("ExperimentDock"));
    QVERIFY(dock);
    window.resize(1600, 1000);
    QTest::qWait(200);
    const int wide = dock->width();
    window.resize(kSmallest);
    QTest::qWait(200);
    const int narrow = dock->width();
    QVERIFY2(narrow < wide, qPrintable(QStringLiteral("%1 then %2").arg(wide).arg(narrow)));
    window.resize(1600, 1000);
    QTest::qWait(200);
    QVERIFY2(dock->width() >= wide - 2,
             qPrintable(QStringLiteral("%1, %2, then %3").arg(wide).arg(narrow).arg(dock->width())));
  }

  // The read-only form (a run's experiment) still scrolls.
  void theReadOnlyFormScrolls() {
    MainWindow window;
    window.show();
    window.resize(kSmallest);
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.editor()->setReadOnly(true);
    QTest::qWait(100);
    auto* scroll = window.editor()->findChild<QScrollArea*>();
    QVERIFY(scroll);
    QVERIFY(scroll->isEnabled());
    QVERIFY(scroll->verticalScrollBar()->isEnabled());
    QVERIFY(scroll->verticalScrollBar()->maximum() > 0);
    QTest::qWait(50);
    const QPoint inside = scroll->viewport()->rect().center();
    QWheelEvent wheel(inside, scroll->viewport()->mapToGlobal(inside), QPoint(), QPoint(0, -480),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QWidget* target = scroll->viewport()->childAt(inside);
    QApplication::sendEvent(target ? target : scroll->viewport(), &wheel);
    QVERIFY2(scroll->verticalScrollBar()->value() > 0, "the wheel did not scroll the read-only form");
  }
};

QTEST_MAIN(TestWindowSize)
#include "test_window_size.moc"
