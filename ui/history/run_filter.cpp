#include "ui/history/run_filter.hpp"

#include <QObject>
#include <functional>

namespace distopt::ui {
namespace {

using Op = HistoryCondition::Op;

/// The column `name` means: by header, then by key, then by the key's last part (or the parameter
/// behind a symbol: "gamma" for γ); shown columns before hidden ones. Empty with *why when none or
/// several match.
QString resolve(const QString& name, const std::vector<HistoryColumn>& shown,
                const std::vector<HistoryColumn>& available, QString* why) {
  const auto byTitle = [&](const HistoryColumn& c) {
    return c.title.compare(name, Qt::CaseInsensitive) == 0;
  };
  const auto byKey = [&](const HistoryColumn& c) { return c.key.compare(name, Qt::CaseInsensitive) == 0; };
  const auto byPart = [&](const HistoryColumn& c) {
    return c.key.section(QLatin1Char('.'), -1).compare(name, Qt::CaseInsensitive) == 0;
  };
  for (const auto& matches :
       {std::function<bool(const HistoryColumn&)>(byTitle), std::function<bool(const HistoryColumn&)>(byKey),
        std::function<bool(const HistoryColumn&)>(byPart)}) {
    for (const auto* columns : {&shown, &available}) {
      QStringList found;
      for (const HistoryColumn& column : *columns)
        if (matches(column) && !found.contains(column.key)) found << column.key;
      if (found.size() == 1) return found.front();
      if (found.size() > 1) {
        *why = QObject::tr("'%1' could be %2: write the field's path")
                   .arg(name, found.join(QStringLiteral(", ")));
        return {};
      }
    }
  }
  *why = QObject::tr("no column is called '%1'").arg(name);
  return {};
}

template <typename T>
bool compareWith(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::Equal:
      return a == b;
    case Op::NotEqual:
      return !(a == b);
    case Op::Less:
      return a < b;
    case Op::LessEqual:
      return a <= b;
    case Op::Greater:
      return a > b;
    case Op::GreaterEqual:
      return a >= b;
    case Op::Contains:
      break;
  }
  return false;
}

}  // namespace

bool HistoryCondition::accepts(const HistoryCells& cells) const {
  const auto it = cells.find(key);
  // A run without the field has no value to compare: only "differs from" holds.
  if (it == cells.end()) return op == Op::NotEqual;
  if (op == Op::Contains)
    return it->text.contains(text, Qt::CaseInsensitive) ||
           it->value.toString().contains(text, Qt::CaseInsensitive);
  if (it->isNumber() && number) return compareWith(op, it->value.toDouble(), *number);
  const QString value = it->value.toString().toCaseFolded();
  const QString wanted = text.toCaseFolded();
  // Text equality also accepts what is shown ("80.86 %" for an accuracy is not typed by anyone, but an
  // outcome or a method is typed as shown).
  if (op == Op::Equal || op == Op::NotEqual)
    return compareWith(op, value == wanted || it->text.toCaseFolded() == wanted, true);
  return compareWith(op, value, wanted);
}

std::optional<HistoryFilter> HistoryFilter::parse(const QString& text,
                                                  const std::vector<HistoryColumn>& shown,
                                                  const std::vector<HistoryColumn>& available, QString* why) {
  const RunFilterSyntax syntax = parseRunFilter(text.toStdString());
  HistoryFilter filter;
  for (const std::string& word : syntax.words) filter.m_words << QString::fromStdString(word);
  QString reason;
  for (const RunFilterCondition& term : syntax.conditions) {
    HistoryCondition c;
    c.key = resolve(QString::fromStdString(term.column), shown, available, &reason);
    if (c.key.isEmpty()) {
      if (why) *why = reason;
      return std::nullopt;
    }
    if (term.lacksValue()) {
      if (why)
        *why = QObject::tr("'%1' needs a value to compare with").arg(QString::fromStdString(term.term));
      return std::nullopt;
    }
    c.op = term.op;
    c.text = QString::fromStdString(term.value);
    c.number = term.number;
    filter.m_conditions.push_back(std::move(c));
  }
  return filter;
}

bool HistoryFilter::accepts(const HistoryCells& cells, const QStringList& shownKeys) const {
  for (const HistoryCondition& c : m_conditions)
    if (!c.accepts(cells)) return false;
  for (const QString& word : m_words) {
    bool found = false;
    for (const QString& key : shownKeys) {
      const auto it = cells.find(key);
      if (it != cells.end() && it->text.contains(word, Qt::CaseInsensitive)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace distopt::ui
