// net/PROTOCOL.md against the code: the kind table of §3 lists exactly the kinds of messageKinds() (number,
// name, order), no range it calls reserved holds a known kind, every row names a direction, and every
// family kind is written out in its family's own section. A kind added to the code without its row (or a
// row left behind by a kind removed) fails here, so the document a foreign worker is written from stays
// the code's.
#include <QtTest>
#include <map>
#include <string>
#include <vector>

#include "net/protocol/message.hpp"

using namespace distopt::net;

namespace {

struct KindRow {
  int kind = 0;
  std::string name;
  std::string direction;
};

struct ReservedRange {
  int first = 0;
  int last = 0;
};

struct ProtocolText {
  QString whole;
  std::vector<KindRow> rows;            // §3, rows with one kind and a name
  std::vector<ReservedRange> reserved;  // §3, rows "A–B | reserved" or "A | reserved"
};

QString readProtocol() {
  QFile file(QStringLiteral(DISTOPT_SOURCE_DIR "/net/PROTOCOL.md"));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  return QString::fromUtf8(file.readAll());
}

/// The text of the section that starts with `heading` (a whole "## ..." line prefix), up to the next "## ".
QString section(const QString& text, const QString& heading) {
  const qsizetype begin = text.indexOf(QStringLiteral("\n") + heading);
  if (begin < 0) return {};
  const qsizetype end = text.indexOf(QStringLiteral("\n## "), begin + 1);
  return text.mid(begin, end < 0 ? -1 : end - begin);
}

ProtocolText parse(const QString& text) {
  ProtocolText parsed;
  parsed.whole = text;
  const QString kinds = section(text, QStringLiteral("## 3. Message kinds"));
  static const QRegularExpression kindRow(QStringLiteral(R"(^\| (\d+) \| `([A-Z0-9_]+)` \| ([^|]*) \|)"),
                                          QRegularExpression::MultilineOption);
  for (auto it = kindRow.globalMatch(kinds); it.hasNext();) {
    const auto match = it.next();
    parsed.rows.push_back({match.captured(1).toInt(), match.captured(2).toStdString(),
                           match.captured(3).trimmed().toStdString()});
  }
  static const QRegularExpression reservedRow(QStringLiteral(R"(^\| (\d+)(?:–(\d+))? \| reserved \|)"),
                                              QRegularExpression::MultilineOption);
  for (auto it = reservedRow.globalMatch(kinds); it.hasNext();) {
    const auto match = it.next();
    const int first = match.captured(1).toInt();
    parsed.reserved.push_back({first, match.captured(2).isEmpty() ? first : match.captured(2).toInt()});
  }
  return parsed;
}

}  // namespace

class TestProtocolDoc : public QObject {
  Q_OBJECT

 private slots:
  void kindTableIsTheCodesKindList() {
    const ProtocolText doc = parse(readProtocol());
    QVERIFY2(!doc.whole.isEmpty(), "net/PROTOCOL.md not readable");
    const auto kinds = messageKinds();
    std::vector<std::pair<int, std::string>> code;
    for (const auto& info : kinds) code.emplace_back(static_cast<int>(info.kind), info.name);
    std::vector<std::pair<int, std::string>> table;
    for (const auto& row : doc.rows) table.emplace_back(row.kind, row.name);
    for (const auto& [kind, name] : code)
      QVERIFY2(
          std::find(table.begin(), table.end(), std::pair{kind, name}) != table.end(),
          qPrintable(QStringLiteral("kind %1 %2 has no row in PROTOCOL.md §3").arg(kind).arg(name.c_str())));
    for (const auto& [kind, name] : table)
      QVERIFY2(
          std::find(code.begin(), code.end(), std::pair{kind, name}) != code.end(),
          qPrintable(
              QStringLiteral("PROTOCOL.md §3 lists %1 %2, the code does not").arg(kind).arg(name.c_str())));
    QVERIFY2(table == code, "PROTOCOL.md §3 lists the kinds in another order than the code");
  }

  void reservedRangesHoldNoKnownKind() {
    const ProtocolText doc = parse(readProtocol());
    QVERIFY(!doc.reserved.empty());
    for (const auto& range : doc.reserved) {
      QVERIFY(range.first <= range.last);
      QVERIFY2(static_cast<std::size_t>(range.last) < kKindSlots, "a reserved range beyond the kind slots");
      for (const auto& info : messageKinds()) {
        const int kind = static_cast<int>(info.kind);
        QVERIFY2(
            kind < range.first || kind > range.last,
            qPrintable(
                QStringLiteral("kind %1 %2 sits in a range §3 calls reserved").arg(kind).arg(info.name)));
      }
    }
  }

  void everyRowNamesADirection() {
    const ProtocolText doc = parse(readProtocol());
    const std::vector<std::string> directions = {"coordinator → worker", "worker → coordinator", "both",
                                                 "worker → worker"};
    for (const auto& row : doc.rows)
      QVERIFY2(
          std::find(directions.begin(), directions.end(), row.direction) != directions.end(),
          qPrintable(QStringLiteral("%1: direction \"%2\"").arg(row.name.c_str(), row.direction.c_str())));
  }

  void familyKindsAreSpecifiedInTheirSections() {
    const QString text = readProtocol();
    // "## 10. Compressed-SGD family (kinds 16–31)": the sections that own a kind range.
    static const QRegularExpression familyHeading(
        QStringLiteral(R"(^(## \d+\. [^\n]*\(kinds (\d+)–(\d+)\))$)"), QRegularExpression::MultilineOption);
    std::map<int, QString> sectionOfKind;
    for (auto it = familyHeading.globalMatch(text); it.hasNext();) {
      const auto match = it.next();
      for (int kind = match.captured(2).toInt(); kind <= match.captured(3).toInt(); ++kind)
        sectionOfKind[kind] = section(text, match.captured(1));
    }
    for (const auto& info : messageKinds()) {
      const int kind = static_cast<int>(info.kind);
      if (static_cast<std::size_t>(kind) < kFamilyKindsBegin) continue;
      const auto found = sectionOfKind.find(kind);
      QVERIFY2(
          found != sectionOfKind.end(),
          qPrintable(QStringLiteral("kind %1 %2: no family section claims it").arg(kind).arg(info.name)));
      QVERIFY2(
          found->second.contains(QStringLiteral("`%1`").arg(info.name)),
          qPrintable(
              QStringLiteral("kind %1 %2 is not described in its family section").arg(kind).arg(info.name)));
    }
  }
};

QTEST_GUILESS_MAIN(TestProtocolDoc)
#include "test_protocol_doc.moc"
