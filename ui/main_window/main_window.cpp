#include "ui/main_window/main_window.hpp"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLogValueAxis>
#include <QMenuBar>
#include <QStatusBar>
#include <QValueAxis>

#include "distopt_version.hpp"

namespace distopt::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("DistOpt Workbench %1").arg(QString::fromLatin1(kVersionString)));
  resize(1280, 800);

  auto* chart = new QChart();
  chart->setTitle(tr("Convergence"));
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* xAxis = new QValueAxis();
  xAxis->setTitleText(tr("wall-clock time [s]"));
  xAxis->setRange(0.0, 10.0);
  auto* yAxis = new QLogValueAxis();
  yAxis->setTitleText(tr("f(x) − f*"));
  yAxis->setBase(10.0);
  yAxis->setLabelFormat(QStringLiteral("%.0e"));
  yAxis->setRange(1e-4, 1e3);
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yAxis, Qt::AlignLeft);

  m_convergenceView = new QChartView(chart, this);
  m_convergenceView->setRenderHint(QPainter::Antialiasing);
  setCentralWidget(m_convergenceView);

  auto* fileMenu = menuBar()->addMenu(tr("&File"));
  fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  m_runState = new QLabel(tr("No run"), this);
  statusBar()->addPermanentWidget(m_runState);
  statusBar()->showMessage(tr("Ready"));
}

}  // namespace distopt::ui
