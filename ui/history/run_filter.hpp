#pragma once
// The run history's filter: one line of terms separated by ';' or ','. A term "COLUMN OP VALUE" (OP one
// of = != < <= > >= ~, ~ meaning "contains"; the syntax is core/store/run_filter_syntax's) tests one column,
// named by its header ("Method", "γ"), its key ("algorithm.params.gamma") or the key's last part ("gamma"),
// whether shown or not; numbers compare as numbers. Any other term is text that every one of its words must
// find in some shown column (case-insensitive). "method = ringmaster; γ < 0.1" keeps the Ringmaster runs with
// a step size under 0.1. A term naming no column, or several, refuses the whole filter with the reason.
// Thread: any (no widgets).

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "core/store/run_filter_syntax.hpp"
#include "ui/history/run_columns.hpp"

namespace distopt::ui {

struct HistoryCondition {
  using Op = RunFilterOp;
  QString key;
  Op op = Op::Contains;
  QString text;
  std::optional<double> number;  ///< `text` as a number, when it is one

  bool accepts(const HistoryCells& cells) const;
};

class HistoryFilter {
 public:
  /// Parses `text` against the columns (`shown` first, then the others in `available`); nullopt with
  /// *why when a term cannot be understood.
  static std::optional<HistoryFilter> parse(const QString& text, const std::vector<HistoryColumn>& shown,
                                            const std::vector<HistoryColumn>& available, QString* why);

  bool isEmpty() const { return m_words.isEmpty() && m_conditions.empty(); }
  /// True when the run's cells pass every term; words are looked for in the `shownKeys` columns only.
  bool accepts(const HistoryCells& cells, const QStringList& shownKeys) const;
  const std::vector<HistoryCondition>& conditions() const { return m_conditions; }

 private:
  QStringList m_words;
  std::vector<HistoryCondition> m_conditions;
};

}  // namespace distopt::ui
