#pragma once
// A form generated from a component's option metadata (docs/architecture.md, rule 6): one row per OptionSpec,
// the widget chosen by its type, the help and the valid range in the tooltip, and every field checked with
// OptionSpec::accepts as it is typed, so a bad value is shown where it is rather than when a run starts.
// Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/option_spec.hpp"

class QLabel;

namespace distopt::ui {

class OptionForm : public QWidget {
  Q_OBJECT

 public:
  explicit OptionForm(std::vector<OptionSpec> specs, QWidget* parent = nullptr);
  ~OptionForm() override;

  const std::vector<OptionSpec>& specs() const { return m_specs; }

  /// The fields that hold a value, as a "params" object. An empty field is left out, so the
  /// component's default (or its "auto" rule) applies. Fields that do not parse are left out too;
  /// isValid() reports them.
  nlohmann::json values() const;
  /// Shows `values`; options it does not mention show their default (or "auto"). Returns false with
  /// *why when something cannot be shown: an unknown option, or an enum value that is not a choice.
  /// Emits changed() once.
  bool setValues(const nlohmann::json& values, QString* why = nullptr);
  /// Whether setValues(values) would show everything in `values` (see setValues), without a form.
  static bool canShow(const std::vector<OptionSpec>& specs, const nlohmann::json& values, QString* why);
  /// True when every field is valid; otherwise *firstError = "NAME: message" for the first bad one.
  /// Every field that does not parse, or is required and empty: "NAME: message" each, in form order.
  QStringList errors() const;
  bool isValid(QString* firstError = nullptr) const;

  /// Folder the browse buttons of file options open in and make paths relative to (the experiment's
  /// folder, against which the run resolves relative data paths).
  void setBaseDirectory(const QString& directory) { m_baseDirectory = directory; }

  /// Lines the labels up with the labels of the form around this one.
  void setLabelMinimumWidth(int width);

  /// The editing widget of option `name` (QLineEdit, QComboBox or QCheckBox), or nullptr.
  QWidget* fieldWidget(const QString& name) const;
  /// The inline message under option `name`; empty when the field is valid.
  QString fieldError(const QString& name) const;
  /// Shows the field as text: a number, "inf", "a, b, c" for lists, JSON for objects. For tests and
  /// for callers that set one field.
  void setFieldText(const QString& name, const QString& text);
  QString fieldText(const QString& name) const;

  /// True for String options that name a file (train, test, *_images, *_labels): they get a browse
  /// button.
  static bool looksLikeFile(const OptionSpec& spec);
  /// Text shown for `value` in a field of `spec`'s type.
  static QString textFor(const OptionSpec& spec, const nlohmann::json& value);

 signals:
  /// Any field was edited (also by setValues or setFieldText).
  void changed();
  /// "Sweep this…" was chosen on option `name`'s field.
  void sweepRequested(const QString& name);

 private:
  struct Field;
  enum class Parse { Empty, Ok, Bad };

  Parse parseField(const Field& field, nlohmann::json* value, std::string* why) const;
  void showDefault(Field& field);
  void revalidate(Field& field);
  void onEdited(Field& field);
  void browse(Field& field);
  const Field* find(const QString& name) const;

  std::vector<OptionSpec> m_specs;
  std::vector<Field> m_fields;
  QString m_baseDirectory;
  bool m_quiet = false;  ///< inside setValues: one changed() at the end instead of one per field
};

}  // namespace distopt::ui
