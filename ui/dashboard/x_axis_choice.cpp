#include "ui/dashboard/x_axis_choice.hpp"

#include <QComboBox>

#include "ui/charts/live_chart.hpp"

namespace distopt::ui {

QComboBox* makeXAxisChoice(QWidget* parent, std::function<void(XAxis)> chosen) {
  auto* choice = new QComboBox(parent);
  choice->setObjectName(QStringLiteral("xAxisChoice"));
  for (XAxis axis : {XAxis::Time, XAxis::Updates, XAxis::Bytes})
    choice->addItem(xAxisTitle(axis, QObject::tr("time")), static_cast<int>(axis));
  QObject::connect(choice, &QComboBox::currentIndexChanged, choice, [choice, chosen = std::move(chosen)] {
    chosen(static_cast<XAxis>(choice->currentData().toInt()));
  });
  return choice;
}

void showXAxis(QComboBox* choice, XAxis axis) {
  const int index = choice->findData(static_cast<int>(axis));
  if (index >= 0 && index != choice->currentIndex()) choice->setCurrentIndex(index);
}

}  // namespace distopt::ui
