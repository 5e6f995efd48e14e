#include "ui/editor/option_form.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "ui/editor/sweep_this.hpp"

namespace distopt::ui {

struct OptionForm::Field {
  const OptionSpec* spec = nullptr;
  QLabel* label = nullptr;
  QLineEdit* line = nullptr;
  QComboBox* combo = nullptr;
  QCheckBox* check = nullptr;
  QLabel* error = nullptr;
};

namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

bool isRequired(const OptionSpec& spec) { return spec.defaultValue.is_null() && !spec.optional; }

/// An integer field's text as JSON. Integral values written as 1e6 or 3.0 count as integers (as in
/// the experiment file); a fractional number stays a double so that accepts() names the real problem.
bool parseInteger(const QString& text, nlohmann::json* value) {
  bool ok = false;
  const qlonglong asInteger = text.toLongLong(&ok);
  if (ok) {
    *value = static_cast<std::int64_t>(asInteger);
    return true;
  }
  const double asDouble = text.toDouble(&ok);
  if (!ok || !std::isfinite(asDouble)) return false;
  if (std::floor(asDouble) == asDouble && std::abs(asDouble) < 9.0e15)
    *value = static_cast<std::int64_t>(asDouble);
  else
    *value = asDouble;
  return true;
}

bool parseNumber(const OptionSpec& spec, const QString& text, nlohmann::json* value) {
  if (spec.type == OptionType::Int || spec.type == OptionType::IntOrInf || spec.type == OptionType::IntList)
    return parseInteger(text, value);
  bool ok = false;
  const double number = text.toDouble(&ok);
  // "inf" and "nan" read as doubles, but JSON cannot hold them (they would be saved as null).
  if (!ok || !std::isfinite(number)) return false;
  *value = number;
  return true;
}

/// "1, 2.5, 3" (brackets optional; "[]" is the empty list).
bool parseList(const OptionSpec& spec, QString text, nlohmann::json* value) {
  if (text.startsWith('[') && text.endsWith(']')) text = text.mid(1, text.size() - 2).trimmed();
  *value = nlohmann::json::array();
  if (text.isEmpty()) return true;
  for (const QString& part : text.split(',')) {
    nlohmann::json item;
    if (!parseNumber(spec, part.trimmed(), &item)) return false;
    value->push_back(item);
  }
  return true;
}

QString defaultText(const OptionSpec& spec) {
  if (!spec.defaultValue.is_null()) return OptionForm::textFor(spec, spec.defaultValue);
  return spec.optional ? QStringLiteral("auto") : QStringLiteral("required");
}

QString toolTipFor(const OptionSpec& spec) {
  QString tip = fromStd(spec.help);
  if (!spec.unit.empty()) tip += QStringLiteral("\nUnit: ") + fromStd(spec.unit);
  tip += QStringLiteral("\nValid: ") + fromStd(spec.describe());
  tip += QStringLiteral("\nDefault: ") + defaultText(spec);
  return tip;
}

}  // namespace

OptionForm::OptionForm(std::vector<OptionSpec> specs, QWidget* parent)
    : QWidget(parent), m_specs(std::move(specs)) {
  auto* layout = new QFormLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  layout->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
  // Fields point into m_specs and are captured by the connections below: size both once.
  m_fields.resize(m_specs.size());
  for (std::size_t i = 0; i < m_specs.size(); ++i) {
    const OptionSpec& spec = m_specs[i];
    Field& field = m_fields[i];
    field.spec = &spec;
    const QString name = fromStd(spec.name);
    const QString tip = toolTipFor(spec);

    auto* cell = new QWidget(this);
    auto* cellLayout = new QVBoxLayout(cell);
    cellLayout->setContentsMargins(0, 0, 0, 0);
    cellLayout->setSpacing(1);
    QWidget* editor = nullptr;
    switch (spec.type) {
      case OptionType::Bool:
        field.check = new QCheckBox(cell);
        connect(field.check, &QCheckBox::toggled, this, [this, &field] { onEdited(field); });
        editor = field.check;
        break;
      case OptionType::Enum:
        field.combo = new QComboBox(cell);
        // Without a default the component picks a value itself; say so rather than pretend a choice.
        if (spec.defaultValue.is_null()) field.combo->addItem(QStringLiteral("auto"), QString());
        // The choices and what each means come from the option's table (core/registry/enum_option.hpp).
        for (std::size_t c = 0; c < spec.choices.size(); ++c) {
          field.combo->addItem(fromStd(spec.choices[c]), fromStd(spec.choices[c]));
          if (c < spec.choiceHelp.size() && !spec.choiceHelp[c].empty())
            field.combo->setItemData(field.combo->count() - 1, fromStd(spec.choiceHelp[c]), Qt::ToolTipRole);
        }
        connect(field.combo, &QComboBox::currentIndexChanged, this, [this, &field] { onEdited(field); });
        editor = field.combo;
        break;
      default:
        field.line = new QLineEdit(cell);
        field.line->setClearButtonEnabled(false);
        field.line->setPlaceholderText(
            spec.defaultValue.is_null() ? defaultText(spec) : tr("default: %1").arg(defaultText(spec)));
        connect(field.line, &QLineEdit::textChanged, this, [this, &field] { onEdited(field); });
        editor = field.line;
        break;
    }
    editor->setObjectName(name);
    editor->setToolTip(tip);
    offerSweepThis(editor, [this, name] { emit sweepRequested(name); });
    if (looksLikeFile(spec)) {
      auto* row = new QHBoxLayout();
      row->setContentsMargins(0, 0, 0, 0);
      row->addWidget(editor, 1);
      auto* button = new QToolButton(cell);
      button->setText(QStringLiteral("…"));
      button->setToolTip(tr("Choose the file"));
      connect(button, &QToolButton::clicked, this, [this, &field] { browse(field); });
      row->addWidget(button);
      cellLayout->addLayout(row);
    } else {
      cellLayout->addWidget(editor);
    }
    field.error = new QLabel(cell);
    field.error->setObjectName(name + QStringLiteral("_error"));
    field.error->setWordWrap(true);
    field.error->setStyleSheet(QStringLiteral("color: #c62828;"));
    field.error->hide();
    cellLayout->addWidget(field.error);

    field.label = new QLabel(name, this);
    field.label->setToolTip(tip);
    field.label->setBuddy(editor);
    layout->addRow(field.label, cell);
  }
  m_quiet = true;
  for (Field& field : m_fields) {
    showDefault(field);
    revalidate(field);
  }
  m_quiet = false;
}

OptionForm::~OptionForm() = default;

bool OptionForm::looksLikeFile(const OptionSpec& spec) {
  if (spec.type != OptionType::String) return false;
  const std::string& name = spec.name;
  auto endsWith = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == "train" || name == "test" || endsWith("_images") || endsWith("_labels") ||
         endsWith("_file") || endsWith("path");
}

QString OptionForm::textFor(const OptionSpec& spec, const nlohmann::json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return fromStd(value.get<std::string>());
  if (value.is_array() && (spec.type == OptionType::DoubleList || spec.type == OptionType::IntList)) {
    if (value.empty()) return QStringLiteral("[]");
    QStringList parts;
    for (const auto& item : value)
      parts << (item.is_string() ? fromStd(item.get<std::string>()) : fromStd(item.dump()));
    return parts.join(QStringLiteral(", "));
  }
  // dump() gives the shortest text that reads back to the same double (0.1, not 0.1000000000000000055).
  return fromStd(value.dump());
}

OptionForm::Parse OptionForm::parseField(const Field& field, nlohmann::json* value, std::string* why) const {
  const OptionSpec& spec = *field.spec;
  if (field.check) {
    *value = field.check->isChecked();
  } else if (field.combo) {
    const QString choice = field.combo->currentData().toString();
    if (choice.isEmpty()) return Parse::Empty;
    *value = choice.toStdString();
  } else {
    const QString text = field.line->text().trimmed();
    if (text.isEmpty()) return Parse::Empty;
    bool parsed = true;
    switch (spec.type) {
      case OptionType::Int:
      case OptionType::Double:
        parsed = parseNumber(spec, text, value);
        break;
      case OptionType::IntOrInf:
        if (text.compare(QStringLiteral("inf"), Qt::CaseInsensitive) == 0)
          *value = "inf";
        else
          parsed = parseNumber(spec, text, value);
        break;
      case OptionType::DoubleList:
      case OptionType::IntList:
        parsed = parseList(spec, text, value);
        break;
      case OptionType::Object: {
        *value = nlohmann::json::parse(text.toStdString(), nullptr, /*allow_exceptions=*/false);
        if (value->is_discarded()) {
          // Keep the text so a saved draft still holds what was typed.
          *value = text.toStdString();
          if (why) *why = "is not valid JSON (" + spec.describe() + " is expected)";
          return Parse::Bad;
        }
        break;
      }
      default:
        *value = text.toStdString();
        break;
    }
    if (!parsed) {
      *value = text.toStdString();
      if (why) *why = "must be " + spec.describe();
      return Parse::Bad;
    }
  }
  return spec.accepts(*value, why) ? Parse::Ok : Parse::Bad;
}

void OptionForm::showDefault(Field& field) {
  const OptionSpec& spec = *field.spec;
  if (field.check) {
    field.check->setChecked(spec.defaultValue.is_boolean() && spec.defaultValue.get<bool>());
  } else if (field.combo) {
    const int index = spec.defaultValue.is_string()
                          ? field.combo->findData(fromStd(spec.defaultValue.get<std::string>()))
                          : 0;
    field.combo->setCurrentIndex(index < 0 ? 0 : index);
  } else {
    field.line->setText(textFor(spec, spec.defaultValue));
  }
}

void OptionForm::revalidate(Field& field) {
  nlohmann::json value;
  std::string why;
  const Parse parse = parseField(field, &value, &why);
  QString message;
  if (parse == Parse::Bad)
    message = fromStd(why);
  else if (parse == Parse::Empty && isRequired(*field.spec))
    message = tr("is required (%1)").arg(fromStd(field.spec->describe()));
  field.error->setText(message);
  field.error->setVisible(!message.isEmpty());
  if (field.line) {
    field.line->setStyleSheet(message.isEmpty() ? QString()
                                                : QStringLiteral("QLineEdit { border: 1px solid #c62828; "
                                                                 "border-radius: 2px; padding: 1px 2px; }"));
  }
}

void OptionForm::onEdited(Field& field) {
  revalidate(field);
  if (!m_quiet) emit changed();
}

void OptionForm::browse(Field& field) {
  const QString start = field.line->text().isEmpty()
                            ? m_baseDirectory
                            : QDir(m_baseDirectory).absoluteFilePath(field.line->text());
  const QString chosen =
      QFileDialog::getOpenFileName(this, tr("Choose %1").arg(fromStd(field.spec->name)), start);
  if (chosen.isEmpty()) return;
  QString path = chosen;
  // Relative to the experiment's folder when inside it, so the file can move with its data.
  if (!m_baseDirectory.isEmpty()) {
    const QString relative = QDir(m_baseDirectory).relativeFilePath(chosen);
    if (!relative.startsWith(QStringLiteral(".."))) path = relative;
  }
  field.line->setText(path);
}

nlohmann::json OptionForm::values() const {
  nlohmann::json result = nlohmann::json::object();
  for (const Field& field : m_fields) {
    nlohmann::json value;
    // A bad field keeps what was typed (as parsed, or as text), so a saved draft loses nothing and
    // the experiment validator names the same field.
    if (parseField(field, &value, nullptr) != Parse::Empty) result[field.spec->name] = value;
  }
  return result;
}

bool OptionForm::canShow(const std::vector<OptionSpec>& specs, const nlohmann::json& values, QString* why) {
  auto fail = [why](const QString& message) {
    if (why) *why = message;
    return false;
  };
  if (values.is_null()) return true;
  if (!values.is_object()) return fail(tr("must be an object"));
  for (auto it = values.begin(); it != values.end(); ++it) {
    const OptionSpec* spec = nullptr;
    for (const auto& candidate : specs)
      if (candidate.name == it.key()) spec = &candidate;
    if (!spec) {
      QStringList names;
      for (const auto& candidate : specs) names << fromStd(candidate.name);
      return fail(fromStd(it.key()) +
                  tr(": unknown option (known: %1)").arg(names.isEmpty() ? tr("none") : names.join(", ")));
    }
    // Check boxes and combo boxes cannot hold a wrong value; text fields can (and show it as wrong).
    const bool showable = spec->type == OptionType::Bool   ? it.value().is_boolean()
                          : spec->type == OptionType::Enum ? spec->accepts(it.value(), nullptr)
                                                           : true;
    if (!showable) return fail(fromStd(spec->name + ": must be " + spec->describe()));
  }
  if (why) why->clear();
  return true;
}

bool OptionForm::setValues(const nlohmann::json& values, QString* why) {
  const bool showable = canShow(m_specs, values, why);
  m_quiet = true;
  for (Field& field : m_fields) {
    const OptionSpec& spec = *field.spec;
    if (!values.is_object() || !values.contains(spec.name)) {
      showDefault(field);
      continue;
    }
    const nlohmann::json& value = values.at(spec.name);
    if (field.check) {
      if (value.is_boolean())
        field.check->setChecked(value.get<bool>());
      else
        showDefault(field);
    } else if (field.combo) {
      const int index = value.is_string() ? field.combo->findData(fromStd(value.get<std::string>())) : -1;
      if (index >= 0)
        field.combo->setCurrentIndex(index);
      else
        showDefault(field);
    } else {
      field.line->setText(textFor(spec, value));
    }
  }
  for (Field& field : m_fields) revalidate(field);
  m_quiet = false;
  emit changed();
  return showable;
}

QStringList OptionForm::errors() const {
  QStringList found;
  for (const Field& field : m_fields) {
    nlohmann::json value;
    std::string why;
    const Parse parse = parseField(field, &value, &why);
    QString message;
    if (parse == Parse::Bad)
      message = fromStd(why);
    else if (parse == Parse::Empty && isRequired(*field.spec))
      message = tr("is required (%1)").arg(fromStd(field.spec->describe()));
    if (!message.isEmpty()) found << fromStd(field.spec->name) + QStringLiteral(": ") + message;
  }
  return found;
}

bool OptionForm::isValid(QString* firstError) const {
  const QStringList found = errors();
  if (firstError) *firstError = found.isEmpty() ? QString() : found.front();
  return found.isEmpty();
}

void OptionForm::setLabelMinimumWidth(int width) {
  for (Field& field : m_fields) field.label->setMinimumWidth(width);
}

const OptionForm::Field* OptionForm::find(const QString& name) const {
  for (const Field& field : m_fields)
    if (fromStd(field.spec->name) == name) return &field;
  return nullptr;
}

QWidget* OptionForm::fieldWidget(const QString& name) const {
  const Field* field = find(name);
  if (!field) return nullptr;
  if (field->check) return field->check;
  if (field->combo) return field->combo;
  return field->line;
}

QString OptionForm::fieldError(const QString& name) const {
  const Field* field = find(name);
  return field ? field->error->text() : QString();
}

void OptionForm::setFieldText(const QString& name, const QString& text) {
  const Field* field = find(name);
  if (!field) return;
  if (field->line)
    field->line->setText(text);
  else if (field->combo)
    field->combo->setCurrentIndex(std::max(0, field->combo->findData(text)));
  else if (field->check)
    field->check->setChecked(text == QStringLiteral("true"));
}

QString OptionForm::fieldText(const QString& name) const {
  const Field* field = find(name);
  if (!field) return {};
  if (field->line) return field->line->text();
  if (field->combo) return field->combo->currentData().toString();
  return field->check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
}

}  // namespace distopt::ui
