#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "core/config/experiment.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/editor/option_form.hpp"

using distopt::ui::ExperimentEditor;
using distopt::ui::OptionForm;

namespace {

QString presetsDir() { return QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments"); }

nlohmann::json normalised(const nlohmann::json& document) {
  return distopt::parseExperiment(document, presetsDir().toStdString()).document;
}

QString dump(const nlohmann::json& value) { return QString::fromStdString(value.dump()); }

const distopt::OptionSpec& specNamed(const std::vector<distopt::OptionSpec>& specs, const std::string& name) {
  for (const auto& spec : specs)
    if (spec.name == name) return spec;
  qFatal("no option %s", name.c_str());
}

/// The last validityChanged() a spy saw.
std::pair<bool, QString> lastValidity(const QSignalSpy& spy) {
  const QList<QVariant> args = spy.last();
  return {args.at(0).toBool(), args.at(1).toString()};
}

}  // namespace

class TestExperimentEditor : public QObject {
  Q_OBJECT

 private slots:
  void presetsRoundTripThroughTheEditor() {
    ExperimentEditor editor(presetsDir());
    const QStringList files = editor.presetFiles();
    QCOMPARE(files.size(), QDir(presetsDir()).entryList({"*.json"}, QDir::Files).size());
    QVERIFY(files.size() >= 6);
    // The combo lists every preset after its "Presets…" placeholder.
    QCOMPARE(editor.presetCombo()->count(), files.size() + 1);
    for (const QString& file : files) {
      const nlohmann::json raw = distopt::readExperimentFile(file.toStdString());
      QString why;
      QVERIFY2(editor.setDocument(raw, &why), qPrintable(file + ": " + why));
      QVERIFY2(editor.validationError().isEmpty(), qPrintable(file + ": " + editor.validationError()));
      const nlohmann::json expected = normalised(raw);
      const nlohmann::json actual = normalised(editor.document());
      QVERIFY2(actual == expected,
               qPrintable(file + "\n  editor: " + dump(actual) + "\n  file:   " + dump(expected)));

      // The normalised form (every default spelled out) reads back to itself too.
      QVERIFY2(editor.setDocument(expected, &why), qPrintable(why));
      QVERIFY2(normalised(editor.document()) == expected, qPrintable(file + ": " + dump(editor.document())));
    }
  }

  void eventLogChoiceReadsAndWritesTheEventsField() {
    ExperimentEditor editor(presetsDir());
    nlohmann::json document = distopt::readExperimentFile((presetsDir() + "/quickstart.json").toStdString());
    QVERIFY(!document.contains("events"));
    QString why;
    // A file that asks for the full log opens, and the choice shows it and writes it back.
    document["events"] = "full";
    QVERIFY2(editor.setDocument(document, &why), qPrintable(why));
    QCOMPARE(editor.eventLogCombo()->currentData().toString(), QString("full"));
    QCOMPARE(editor.document()["events"], nlohmann::json("full"));
    QCOMPARE(normalised(editor.document())["events"], nlohmann::json("full"));
    QVERIFY2(editor.validationError().isEmpty(), qPrintable(editor.validationError()));

    // Choosing aggregates leaves the field out, as the normalised document does.
    QSignalSpy changed(&editor, &ExperimentEditor::documentChanged);
    editor.eventLogCombo()->setCurrentIndex(editor.eventLogCombo()->findData(QString("aggregates")));
    QVERIFY(changed.count() >= 1);
    QVERIFY(!editor.document().contains("events"));

    // "aggregates" spelled out opens too; anything else is refused and leaves the editor as it was.
    document["events"] = "aggregates";
    QVERIFY2(editor.setDocument(document, &why), qPrintable(why));
    QCOMPARE(editor.eventLogCombo()->currentData().toString(), QString("aggregates"));
    editor.eventLogCombo()->setCurrentIndex(editor.eventLogCombo()->findData(QString("full")));
    for (const nlohmann::json& bad :
         {nlohmann::json("everything"), nlohmann::json(1), nlohmann::json(nullptr)}) {
      document["events"] = bad;
      QVERIFY(!editor.setDocument(document, &why));
      QVERIFY2(why.startsWith("events: "), qPrintable(why));
      QCOMPARE(editor.eventLogCombo()->currentData().toString(), QString("full"));
    }
  }

  void choosingAPresetLoadsIt() {
    ExperimentEditor editor(presetsDir());
    QSignalSpy changed(&editor, &ExperimentEditor::documentChanged);
    const int index = editor.presetCombo()->findText("async-e6-theory");
    QVERIFY(index > 0);
    editor.presetCombo()->setCurrentIndex(index);
    emit editor.presetCombo()->activated(index);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(editor.document()["name"], nlohmann::json("async-e6-theory"));
    QCOMPARE(editor.workerCount()->value(), 64);
    QCOMPARE(QDir(editor.baseDirectory()), QDir(presetsDir()));
    QVERIFY2(editor.currentFile().isEmpty(), "a preset must not become the file Save overwrites");
    QCOMPARE(editor.presetCombo()->currentIndex(), index);  // the combo names the preset loaded
    // A document from elsewhere (a stored run, a file) is no preset: the combo says "Presets…" again.
    nlohmann::json other = editor.document();
    other["name"] = "from-a-stored-run";
    QString why;
    QVERIFY2(editor.setDocument(other, &why), qPrintable(why));
    QCOMPARE(editor.presetCombo()->currentIndex(), 0);
  }

  void ringmasterFormValidatesEachField() {
    const auto& specs = distopt::findAlgorithm("ringmaster")->options;
    OptionForm form(specs);
    QSignalSpy changed(&form, &OptionForm::changed);
    const QString describeR = QString::fromStdString(specNamed(specs, "R").describe());

    // Optional options without a default start empty ("auto") and are left out of values().
    QCOMPARE(form.fieldText("R"), QString());
    QCOMPARE(qobject_cast<QLineEdit*>(form.fieldWidget("R"))->placeholderText(), QString("auto"));
    QVERIFY(form.isValid());
    QVERIFY(!form.values().contains("R"));
    QVERIFY(!form.values().contains("gamma"));
    QCOMPARE(form.values()["variant"], nlohmann::json("B"));

    form.setFieldText("R", "6");
    QVERIFY(changed.count() >= 1);
    QVERIFY(form.isValid());
    QCOMPARE(form.values()["R"], nlohmann::json(6));
    QVERIFY(form.fieldError("R").isEmpty());

    form.setFieldText("R", "inf");
    QVERIFY(form.isValid());
    QCOMPARE(form.values()["R"], nlohmann::json("inf"));

    for (const QString& bad : {QString("0"), QString("abc"), QString("2.5")}) {
      form.setFieldText("R", bad);
      QString error;
      QVERIFY2(!form.isValid(&error), qPrintable(bad));
      QVERIFY2(error.startsWith("R: ") && error.contains(describeR), qPrintable(error));
      QVERIFY2(form.fieldError("R").contains(describeR), qPrintable(form.fieldError("R")));
      QVERIFY(form.fieldWidget("R")->styleSheet().contains("border"));
    }
    form.setFieldText("R", "");
    QVERIFY(form.isValid());
    QVERIFY(form.fieldWidget("R")->styleSheet().isEmpty());

    form.setFieldText("gamma", "-1");
    QString error;
    QVERIFY(!form.isValid(&error));
    QVERIFY2(error.contains("gamma: must be a number > 0"), qPrintable(error));
    // JSON has no infinity: "inf" stays text (and invalid) instead of being saved as null.
    form.setFieldText("gamma", "inf");
    QVERIFY(!form.isValid());
    QCOMPARE(form.values()["gamma"], nlohmann::json("inf"));
    form.setFieldText("gamma", "1e-3");
    QVERIFY(form.isValid());
    QCOMPARE(form.values()["gamma"].get<double>(), 1e-3);

    // Tooltips carry the help, the valid values and the default.
    const QString tip = form.fieldWidget("R")->toolTip();
    QVERIFY2(tip.contains(QString::fromStdString(specNamed(specs, "R").help)), qPrintable(tip));
    QVERIFY2(tip.contains("Valid: " + describeR), qPrintable(tip));
    QVERIFY2(tip.contains("Default: auto"), qPrintable(tip));

    // Enums are combo boxes holding their choices.
    auto* variant = qobject_cast<QComboBox*>(form.fieldWidget("variant"));
    QVERIFY(variant);
    QCOMPARE(variant->count(), 2);

    // setValues shows a document's params and reports what it cannot show.
    QVERIFY(form.setValues({{"gamma", 0.2}, {"R", 4}, {"variant", "A"}}));
    QCOMPARE(form.fieldText("gamma"), QString("0.2"));
    QCOMPARE(form.fieldText("R"), QString("4"));
    QCOMPARE(form.fieldText("variant"), QString("A"));
    QString why;
    QVERIFY(!form.setValues({{"gama", 0.2}}, &why));
    QVERIFY2(why.contains("gama"), qPrintable(why));
  }

  void otherFieldTypes() {
    // Lists, objects, booleans and file paths, from the time models and problems that have them.
    OptionForm stragglers(distopt::findTimeModel("stragglers")->options);
    QCOMPARE(stragglers.fieldText("stragglers"), QString("0"));
    stragglers.setFieldText("stragglers", "1, 3, 5");
    QVERIFY(stragglers.isValid());
    QCOMPARE(stragglers.values()["stragglers"], nlohmann::json({1, 3, 5}));
    stragglers.setFieldText("stragglers", "[]");
    QCOMPARE(stragglers.values()["stragglers"], nlohmann::json::array());
    stragglers.setFieldText("stragglers", "1, x");
    QVERIFY(!stragglers.isValid());
    stragglers.setFieldText("stragglers", "1, -2");
    QVERIFY(!stragglers.isValid());
    stragglers.setFieldText("stragglers", "1");
    stragglers.setFieldText("base", R"({"model": "fixed", "params": {"h": "one"}})");
    QVERIFY(stragglers.isValid());
    QCOMPARE(stragglers.values()["base"]["model"], nlohmann::json("fixed"));
    stragglers.setFieldText("base", "{oops");
    QString error;
    QVERIFY(!stragglers.isValid(&error));
    QVERIFY2(error.startsWith("base: "), qPrintable(error));

    OptionForm ringmasterTimes(distopt::findTimeModel("ringmaster")->options);
    QVERIFY(qobject_cast<QCheckBox*>(ringmasterTimes.fieldWidget("shuffle")));
    QCOMPARE(ringmasterTimes.values()["shuffle"], nlohmann::json(false));

    const auto& logistic = distopt::findProblem("logistic")->options;
    QVERIFY(OptionForm::looksLikeFile(specNamed(logistic, "train")));
    QVERIFY(OptionForm::looksLikeFile(specNamed(logistic, "test")));
    OptionForm logisticForm(logistic);
    QVERIFY(!logisticForm.isValid(&error));  // train is required
    QVERIFY2(error.startsWith("train: is required"), qPrintable(error));
    logisticForm.setFieldText("train", "a9a");
    QVERIFY(logisticForm.isValid());
    QVERIFY(!logisticForm.values().contains("test"));
  }

  void algorithmComboRebuildsItsForm() {
    ExperimentEditor editor(presetsDir());
    QSignalSpy changed(&editor, &ExperimentEditor::documentChanged);
    const OptionForm* before = editor.algorithmForm();
    QVERIFY(before->fieldWidget("R"));
    editor.algorithmCombo()->setCurrentIndex(editor.algorithmCombo()->findData("rennala"));
    QVERIFY(changed.count() >= 1);
    const OptionForm* after = editor.algorithmForm();
    QVERIFY(after);
    const auto& specs = distopt::findAlgorithm("rennala")->options;
    QCOMPARE(after->specs().size(), specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) QCOMPARE(after->specs()[i].name, specs[i].name);
    QVERIFY(!after->fieldWidget("R"));
    QCOMPARE(after->fieldText("rennala_mode"), QString("restart"));
    QCOMPARE(after->fieldText("B"), QString());
    QCOMPARE(editor.document()["algorithm"]["name"], nlohmann::json("rennala"));
    QCOMPARE(editor.document()["algorithm"]["params"], nlohmann::json({{"rennala_mode", "restart"}}));

    editor.algorithmCombo()->setCurrentIndex(editor.algorithmCombo()->findData("minibatch"));
    QCOMPARE(editor.algorithmForm()->fieldText("b"), QString("1"));
    QCOMPARE(editor.algorithmForm()->fieldText("mb_reduce"), QString("mean"));
    QVERIFY(editor.validationError().isEmpty());
  }

  void invalidInputIsReportedWithItsFieldPath() {
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.validationError().isEmpty());
    QSignalSpy validity(&editor, &ExperimentEditor::validityChanged);

    editor.algorithmForm()->setFieldText("gamma", "-1");
    QVERIFY(validity.count() >= 1);
    auto [valid, reason] = lastValidity(validity);
    QVERIFY(!valid);
    QVERIFY2(reason.startsWith("algorithm.params.gamma: must be a number > 0"), qPrintable(reason));
    QCOMPARE(editor.validationError(), reason);

    editor.algorithmForm()->setFieldText("gamma", "0.5");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY(valid);
    QCOMPARE(reason, QString());

    // Editor-level fields go through the experiment parser and are marked where they are.
    auto* stopTime = editor.findChild<QLineEdit*>("stop_time_value");
    QVERIFY(stopTime);
    stopTime->setText("abc");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY(!valid);
    QVERIFY2(reason.startsWith("stop.time: "), qPrintable(reason));
    QVERIFY(stopTime->styleSheet().contains("border"));
    stopTime->setText("inf");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(!valid && reason.startsWith("stop.time: "), qPrintable(reason));
    stopTime->setText("100");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY(valid);
    QVERIFY(stopTime->styleSheet().isEmpty());

    editor.findChild<QCheckBox*>("stop_time")->setChecked(false);
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY(!valid);
    QVERIFY2(reason.startsWith("stop: needs at least one"), qPrintable(reason));
    editor.findChild<QCheckBox*>("stop_updates")->setChecked(true);
    editor.findChild<QLineEdit*>("stop_updates_value")->setText("1000");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(valid, qPrintable(reason));
    QCOMPARE(editor.document()["stop"], nlohmann::json({{"updates", 1000}}));
    // A budget in bytes or gradients is a stop rule of its own, refused with its field's name when bad,
    // and read back into the form from a document.
    editor.findChild<QCheckBox*>("stop_updates")->setChecked(false);
    editor.findChild<QCheckBox*>("stop_bytes")->setChecked(true);
    editor.findChild<QLineEdit*>("stop_bytes_value")->setText("-5");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(!valid && reason.startsWith("stop.bytes: "), qPrintable(reason));
    editor.findChild<QLineEdit*>("stop_bytes_value")->setText("2000000");
    editor.findChild<QCheckBox*>("stop_gradients")->setChecked(true);
    editor.findChild<QLineEdit*>("stop_gradients_value")->setText("500");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(valid, qPrintable(reason));
    const nlohmann::json budgets = {{"bytes", 2000000}, {"gradients", 500}};
    QCOMPARE(editor.document()["stop"], budgets);
    editor.findChild<QCheckBox*>("stop_bytes")->setChecked(false);
    editor.findChild<QCheckBox*>("stop_gradients")->setChecked(false);
    nlohmann::json reopened = editor.document();
    reopened["stop"] = budgets;
    QString why;
    QVERIFY2(editor.setDocument(reopened, &why), qPrintable(why));
    QVERIFY(editor.findChild<QCheckBox*>("stop_bytes")->isChecked());
    QCOMPARE(editor.findChild<QLineEdit*>("stop_gradients_value")->text(), QString("500"));
    editor.findChild<QCheckBox*>("stop_bytes")->setChecked(false);
    editor.findChild<QCheckBox*>("stop_gradients")->setChecked(false);
    editor.findChild<QCheckBox*>("stop_updates")->setChecked(true);
    editor.findChild<QLineEdit*>("stop_updates_value")->setText("1000");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(valid, qPrintable(reason));

    // A time model that cannot be built for this many workers is an error too.
    editor.timeModelCombo()->setCurrentIndex(editor.timeModelCombo()->findData("fixed"));
    editor.workerCount()->setValue(3);
    editor.timeModelForm()->setFieldText("h", "list");
    editor.timeModelForm()->setFieldText("times", "1, 2");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY(!valid);
    QVERIFY2(reason.startsWith("workers.time_model.params"), qPrintable(reason));
    editor.timeModelForm()->setFieldText("times", "1, 2, 4");
    std::tie(valid, reason) = lastValidity(validity);
    QVERIFY2(valid, qPrintable(reason));
    QCOMPARE(editor.nominalTimes(), (std::vector<double>{1.0, 2.0, 4.0}));
  }

  // An algorithm with a problem it cannot run on (AlgorithmEntry::problemNeeds): the editor gives the
  // reason instead of "Ready", the document is invalid (so Start stays disabled), and the refused field
  // is not also reported missing; a problem that fits makes it ready.
  void anIncompatiblePairShowsTheReason() {
    ExperimentEditor editor(presetsDir());
    const nlohmann::json document = {{"name", "pair"},
                                     {"engine", "sim"},
                                     {"problem", {{"name", "least-squares"}}},
                                     {"algorithm", {{"name", "kron-fast"}}},
                                     {"workers", {{"count", 2}}},
                                     {"stop", {{"time", 10}}}};
    QString why;
    QVERIFY2(editor.setDocument(document, &why), qPrintable(why));
    QVERIFY(!editor.isValid());
    const QString reason = editor.validationError();
    QVERIFY2(reason.startsWith("problem.name: algorithm \"kron-fast\" needs a problem with the Kronecker "
                               "two-layer network"),
             qPrintable(reason));
    QVERIFY2(!editor.validationErrors().contains("problem.name: is required"),
             qPrintable(editor.validationErrors().join("\n")));
    auto* status = editor.findChild<QLabel*>("editorStatus");
    QVERIFY(status);
    QVERIFY2(!status->text().startsWith("Ready") && status->text().contains("kron-two-layer"),
             qPrintable(status->text()));

    QSignalSpy validity(&editor, &ExperimentEditor::validityChanged);
    editor.problemCombo()->setCurrentIndex(editor.problemCombo()->findData("kron-two-layer"));
    QVERIFY2(editor.isValid(), qPrintable(editor.validationError()));
    QVERIFY2(status->text().startsWith("Ready"), qPrintable(status->text()));
    QVERIFY(validity.count() >= 1);
    QVERIFY(lastValidity(validity).first);
  }

  // An enum option's combo box offers the choices of its table, each with what it means.
  void enumCombosShowTheirTable() {
    ExperimentEditor editor(presetsDir());
    editor.algorithmCombo()->setCurrentIndex(editor.algorithmCombo()->findData("ringmaster"));
    auto* variant = qobject_cast<QComboBox*>(editor.algorithmForm()->fieldWidget("variant"));
    QVERIFY(variant);
    const distopt::OptionSpec& spec = specNamed(editor.algorithmForm()->specs(), "variant");
    QCOMPARE(variant->count(), static_cast<int>(spec.choices.size()));
    QCOMPARE(spec.choiceHelp.size(), spec.choices.size());
    for (int i = 0; i < variant->count(); ++i) {
      QCOMPARE(variant->itemData(i).toString().toStdString(), spec.choices[static_cast<std::size_t>(i)]);
      QCOMPARE(variant->itemData(i, Qt::ToolTipRole).toString().toStdString(),
               spec.choiceHelp[static_cast<std::size_t>(i)]);
      QVERIFY(!variant->itemData(i, Qt::ToolTipRole).toString().isEmpty());
    }
  }

  // Every problem is named, not only the first: a bad form field, two bad editor-level fields (the parser
  // finds one at a time), each marked at its field and all listed in the status line.
  void everyValidationErrorIsNamed() {
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.validationError().isEmpty());
    editor.algorithmForm()->setFieldText("gamma", "-1");
    auto* stopTime = editor.findChild<QLineEdit*>("stop_time_value");
    QVERIFY(stopTime);
    stopTime->setText("abc");
    editor.workerCount()->setValue(0);
    const QStringList errors = editor.validationErrors();
    const auto named = [&errors](const QString& path) {
      return std::any_of(errors.begin(), errors.end(),
                         [&](const QString& e) { return e.startsWith(path + ": "); });
    };
    QVERIFY2(named("algorithm.params.gamma") && named("stop.time") && named("workers.count"),
             qPrintable(errors.join("\n")));
    QCOMPARE(editor.validationError(), errors.front());
    QVERIFY(stopTime->styleSheet().contains("border"));
    auto* status = editor.findChild<QLabel*>("editorStatus");
    QVERIFY(status);
    for (const QString& error : errors) QVERIFY2(status->text().contains(error), qPrintable(status->text()));
  }

  void saveThenLoadRoundTrips() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.loadFile(presetsDir() + "/async-e6-theory.json"));
    editor.algorithmForm()->setFieldText("R", "inf");
    editor.workerCount()->setValue(12);
    editor.findChild<QCheckBox*>("stop_target_gap")->setChecked(true);
    editor.findChild<QLineEdit*>("stop_target_gap_value")->setText("1e-4");
    const QString path = dir.filePath("mine.json");
    QString why;
    QVERIFY2(editor.saveFile(path, &why), qPrintable(why));
    QCOMPARE(editor.currentFile(), QFileInfo(path).absoluteFilePath());

    ExperimentEditor other(presetsDir());
    QSignalSpy changed(&other, &ExperimentEditor::documentChanged);
    QVERIFY2(other.loadFile(path, &why), qPrintable(why));
    QCOMPARE(changed.count(), 1);
    QVERIFY2(other.document() == editor.document(), qPrintable(dump(other.document())));
    QCOMPARE(QDir(other.baseDirectory()), QDir(dir.path()));
    QCOMPARE(other.document()["algorithm"]["params"]["R"], nlohmann::json("inf"));
    QCOMPARE(other.document()["stop"]["target_gap"].get<double>(), 1e-4);

    // Malformed JSON: the message names file:line.
    const QString broken = dir.filePath("broken.json");
    {
      QFile file(broken);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write("{\n  \"name\": \"x\",\n  oops\n}\n");
    }
    const nlohmann::json before = other.document();
    QVERIFY(!other.loadFile(broken, &why));
    QVERIFY2(why.contains(broken + ":3:"), qPrintable(why));
    QVERIFY(other.document() == before);

    // Well-formed but naming an unknown component: refused with the field path, editor unchanged.
    const QString unknown = dir.filePath("unknown.json");
    {
      QFile file(unknown);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(R"({"algorithm": {"name": "sgd-magic"}, "problem": {"name": "quadratic"},
                     "workers": {"count": 2}, "stop": {"time": 1}})");
    }
    QVERIFY(!other.loadFile(unknown, &why));
    QVERIFY2(why.contains("algorithm.name"), qPrintable(why));
    QVERIFY(other.document() == before);
    QCOMPARE(QDir(other.baseDirectory()), QDir(dir.path()));

    // Merely invalid values load, and are shown as invalid.
    const QString invalid = dir.filePath("invalid.json");
    {
      QFile file(invalid);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(
          R"({"algorithm": {"name": "ringmaster", "params": {"R": 0}}, "problem": {"name": "quadratic"},
                     "workers": {"count": 2}, "stop": {"time": 1}})");
    }
    QVERIFY2(other.loadFile(invalid, &why), qPrintable(why));
    QVERIFY2(other.validationError().startsWith("algorithm.params.R: "), qPrintable(other.validationError()));
    QVERIFY(!other.algorithmForm()->fieldError("R").isEmpty());
  }

  void speedTableFollowsTheTimeModel() {
    ExperimentEditor editor(presetsDir());
    const nlohmann::json document = {
        {"engine", "sim"},
        {"problem", {{"name", "quadratic"}}},
        {"algorithm", {{"name", "asgd"}}},
        {"workers", {{"count", 10}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "sqrt"}}}}}}},
        {"stop", {{"time", 10}}}};
    QString why;
    QVERIFY2(editor.setDocument(document, &why), qPrintable(why));
    QTableWidget* table = editor.speedTable();
    QCOMPARE(table->rowCount(), 10);
    for (int row = 0; row < 10; ++row) {
      QCOMPARE(table->item(row, 0)->text(), QString::number(row));
      QVERIFY(std::abs(table->item(row, 1)->text().toDouble() - std::sqrt(row + 1.0)) < 1e-5);
      QVERIFY(std::abs(editor.nominalTimes()[static_cast<std::size_t>(row)] - std::sqrt(row + 1.0)) < 1e-12);
    }
    auto* series = qobject_cast<QLineSeries*>(editor.speedChart()->chart()->series().front());
    QCOMPARE(series->count(), 10);

    editor.workerCount()->setValue(20);
    QCOMPARE(table->rowCount(), 20);
    QVERIFY(std::abs(table->item(19, 1)->text().toDouble() - std::sqrt(20.0)) < 1e-5);

    editor.timeModelForm()->setFieldText("c", "2");
    QVERIFY(std::abs(table->item(3, 1)->text().toDouble() - 4.0) < 1e-9);

    // Many workers: the table stops at kMaxSpeedRows, the plot still covers everyone.
    editor.workerCount()->setValue(1000);
    QCOMPARE(table->rowCount(), ExperimentEditor::kMaxSpeedRows);
    QCOMPARE(editor.nominalTimes().size(), std::size_t{1000});
    QCOMPARE(series->at(series->count() - 1).x(), 1000.0);
  }

  void screenshotFitsASidePanel() {
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.loadFile(presetsDir() + "/quickstart.json"));
    editor.algorithmForm()->setFieldText("gamma", "-1");  // show an inline error in the screenshot
    editor.resize(480, 900);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QVERIFY2(editor.minimumSizeHint().width() <= 480,
             qPrintable(QString::number(editor.minimumSizeHint().width())));
    const QImage image = editor.grab().toImage();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(480, 900) * image.devicePixelRatio());
    image.save("/tmp/editor.png");
    // The lower half (speed table and plot, stop rules, evaluation), for a look by eye.
    auto* scroll = editor.findChild<QScrollArea*>();
    QVERIFY(scroll);
    QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    QVERIFY(!editor.grab().toImage().save("/tmp/editor_bottom.png") || true);
  }
};

QTEST_MAIN(TestExperimentEditor)
#include "test_experiment_editor.moc"
