#include "ui/export/figure_options_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

namespace distopt::ui {
namespace {

const QString kGroup = QStringLiteral("figureExport/");

QDoubleSpinBox* spin(double max, int decimals, const QString& special, QWidget* parent) {
  auto* box = new QDoubleSpinBox(parent);
  box->setRange(0.0, max);
  box->setDecimals(decimals);
  if (!special.isEmpty()) box->setSpecialValueText(special);  // shown for 0
  return box;
}

}  // namespace

FigureOptionsDialog::FigureOptionsDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Figure options"));
  auto* form = new QFormLayout(this);
  m_width = spin(20000.0, 1, tr("as on screen"), this);
  m_height = spin(20000.0, 1, tr("as on screen"), this);
  m_unit = new QComboBox(this);
  m_unit->addItem(tr("px"), static_cast<int>(SizeUnit::Pixels));
  m_unit->addItem(tr("cm"), static_cast<int>(SizeUnit::Centimetres));
  m_dpi = spin(1200.0, 0, QString(), this);
  m_dpi->setMinimum(50.0);
  m_dpi->setToolTip(tr("Pixels per inch of a PNG (SVG and PDF are vector drawings)"));
  m_font = spin(72.0, 1, tr("as on screen"), this);
  m_font->setSuffix(tr(" pt"));
  form->addRow(tr("Width"), m_width);
  form->addRow(tr("Height"), m_height);
  form->addRow(tr("Unit"), m_unit);
  form->addRow(tr("PNG resolution (dpi)"), m_dpi);
  form->addRow(tr("Font size"), m_font);
  m_error = new QLabel(this);
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
  form->addRow(m_error);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_ok = buttons->button(QDialogButtonBox::Ok);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  for (QDoubleSpinBox* box : {m_width, m_height, m_dpi, m_font})
    connect(box, &QDoubleSpinBox::valueChanged, this, &FigureOptionsDialog::check);
  connect(m_unit, &QComboBox::currentIndexChanged, this, &FigureOptionsDialog::check);
  setOptions(FigureOptions{});
}

FigureOptions FigureOptionsDialog::options() const {
  FigureOptions options;
  options.width = m_width->value();
  options.height = m_height->value();
  options.unit = static_cast<SizeUnit>(m_unit->currentData().toInt());
  options.dpi = m_dpi->value();
  options.fontPoints = m_font->value();
  return options;
}

void FigureOptionsDialog::setOptions(const FigureOptions& options) {
  m_width->setValue(options.width);
  m_height->setValue(options.height);
  m_unit->setCurrentIndex(m_unit->findData(static_cast<int>(options.unit)));
  m_dpi->setValue(options.dpi);
  m_font->setValue(options.fontPoints);
  check();
}

void FigureOptionsDialog::check() {
  std::string why;
  const bool ok = options().isValid(&why);
  m_error->setText(ok ? QString() : QString::fromStdString(why));
  m_ok->setEnabled(ok);
}

FigureOptions FigureOptionsDialog::remembered() {
  QSettings settings;
  FigureOptions options;
  options.width = settings.value(kGroup + "width", options.width).toDouble();
  options.height = settings.value(kGroup + "height", options.height).toDouble();
  options.unit = settings.value(kGroup + "unit").toString() == QLatin1String("cm") ? SizeUnit::Centimetres
                                                                                   : SizeUnit::Pixels;
  options.dpi = settings.value(kGroup + "dpi", options.dpi).toDouble();
  options.fontPoints = settings.value(kGroup + "fontPoints", options.fontPoints).toDouble();
  // Settings are a file anyone can edit: anything out of range is forgotten.
  return options.isValid(nullptr) ? options : FigureOptions{};
}

void FigureOptionsDialog::remember(const FigureOptions& options) {
  QSettings settings;
  settings.setValue(kGroup + "width", options.width);
  settings.setValue(kGroup + "height", options.height);
  settings.setValue(kGroup + "unit", options.unit == SizeUnit::Centimetres ? "cm" : "px");
  settings.setValue(kGroup + "dpi", options.dpi);
  settings.setValue(kGroup + "fontPoints", options.fontPoints);
}

bool askFigureOptions(QWidget* parent, FigureOptions* options) {
  FigureOptionsDialog dialog(parent);
  dialog.setOptions(FigureOptionsDialog::remembered());
  if (dialog.exec() != QDialog::Accepted) return false;
  *options = dialog.options();
  FigureOptionsDialog::remember(*options);
  return true;
}

}  // namespace distopt::ui
