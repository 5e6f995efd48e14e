// ExperimentEditor, the part that says whether the form can run and how it is started: every problem at
// once, the read-only mode for a run's experiment, and where the workers run.
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QWheelEvent>
#include <algorithm>
#include <map>
#include <string>

#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/editor/option_form.hpp"
#include "ui/editor/worker_placement.hpp"
#include "ui/session/machine_check.hpp"

namespace distopt::ui {
namespace {

// The parser stops at its first problem; naming them all takes a few more passes.
constexpr int kMaxParserPasses = 12;

/// The field at the dotted `path` ("algorithm.params.gamma") of `document`, or null when there is none.
nlohmann::json* fieldAt(nlohmann::json& document, const std::string& path, nlohmann::json** parent,
                        std::string* key) {
  nlohmann::json* node = &document;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    *key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(*key)) return nullptr;
    if (dot == std::string::npos) {
      *parent = node;
      return &(*node)[*key];
    }
    node = &(*node)[*key];
    start = dot + 1;
  }
}

/// Sets the bad field at `path` aside: a required one (workers.count) takes a value that is always valid,
/// any other is removed so its default applies. False when there is nothing to set aside.
bool setAside(nlohmann::json& document, const std::string& path) {
  static const std::map<std::string, nlohmann::json> kAlwaysValid = {
      {"name", "untitled"}, {"seed", 1}, {"engine", "sim"}, {"workers.count", 1}, {"stop", {{"time", 1}}}};
  nlohmann::json* parent = nullptr;
  std::string key;
  nlohmann::json* field = fieldAt(document, path, &parent, &key);
  const auto valid = kAlwaysValid.find(path);
  if (valid != kAlwaysValid.end()) {
    if (field && *field == valid->second) return false;  // set aside already: the problem is elsewhere
    if (field) {
      *field = valid->second;
      return true;
    }
  }
  if (!field) return false;
  parent->erase(key);
  return true;
}

/// Over a read-only form: the sections are disabled, and a disabled widget lets the wheel go nowhere, so
/// this transparent layer on top of them takes the wheel and scrolls the form with it.
class WheelLayer : public QWidget {
 public:
  explicit WheelLayer(QScrollArea* scroll) : QWidget(scroll->viewport()), m_scroll(scroll) {
    setAttribute(Qt::WA_NoSystemBackground);
    scroll->viewport()->installEventFilter(this);
    setGeometry(scroll->viewport()->rect());
  }

 protected:
  void wheelEvent(QWheelEvent* event) override {
    QCoreApplication::sendEvent(m_scroll->verticalScrollBar(), event);
  }
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize)
      setGeometry(m_scroll->viewport()->rect());
    return false;
  }

 private:
  QScrollArea* m_scroll;
};

}  // namespace

QStringList ExperimentEditor::validationErrors() const {
  QStringList errors;
  auto add = [&errors](const QString& error) {
    if (!error.isEmpty() && !errors.contains(error)) errors << error;
  };
  // The forms first: their messages are the same as the parser's, and they know every bad field.
  const std::pair<const OptionForm*, const char*> forms[] = {{m_problemForm, "problem.params."},
                                                             {m_algorithmForm, "algorithm.params."},
                                                             {m_timeModelForm, "workers.time_model.params."}};
  for (const auto& [form, path] : forms)
    if (form)
      for (const QString& error : form->errors()) add(QString::fromLatin1(path) + error);
  const std::string base = m_baseDirectory.isEmpty() ? std::string(".") : m_baseDirectory.toStdString();
  nlohmann::json document = this->document();
  bool parsed = false;
  std::vector<std::string> setAsidePaths;
  for (int pass = 0; pass < kMaxParserPasses; ++pass) {
    try {
      parseExperiment(document, base);
      parsed = pass == 0;
      break;
    } catch (const InputError& error) {
      // A field removed by an earlier pass and now reported missing (problem.name refused for what the
      // algorithm needs) was reported already, with the real reason.
      nlohmann::json* parent = nullptr;
      std::string key;
      if (std::find(setAsidePaths.begin(), setAsidePaths.end(), error.where()) != setAsidePaths.end() &&
          !fieldAt(document, error.where(), &parent, &key))
        break;
      setAsidePaths.push_back(error.where());
      add(QString::fromStdString(error.what()));
      // Set the bad field aside and look again; a field that cannot be set aside (required, or the
      // problem is not one field) ends the search.
      if (error.where().empty() || !setAside(document, error.where())) break;
    } catch (const std::exception& error) {
      add(QString::fromStdString(error.what()));
      break;
    }
  }
  // The time model is built for the speed table anyway; what fails there would fail the run.
  add(m_speedError);
  const QString engine = m_engine->currentData().toString();
  add(m_placement->validationError(m_workerCount->value(), engine));
  if (parsed) {
    // Valid, but maybe more live worker processes than this machine can carry: only the local ones count.
    nlohmann::json local = this->document();
    local["workers"]["count"] = m_placement->localCount(m_workerCount->value());
    if (local["workers"]["count"].get<int>() > 0)
      add(localWorkersRefusal(local, MachineResources::current()).value_or(QString()));
  }
  return errors;
}

void ExperimentEditor::setReadOnly(bool readOnly) {
  m_readOnly = readOnly;
  // The sections, not the scroll area: a run's experiment is read by scrolling through it.
  m_content->setEnabled(!readOnly);
  if (!m_wheelLayer) m_wheelLayer = new WheelLayer(m_scroll);
  m_wheelLayer->setVisible(readOnly);
  if (readOnly) m_wheelLayer->raise();
  m_presetCombo->setEnabled(!readOnly);
  m_openButton->setEnabled(!readOnly);
}

QStringList ExperimentEditor::runArguments() const {
  return m_placement->runArguments(m_workerCount->value(), m_engine->currentData().toString());
}

}  // namespace distopt::ui
