// The run filter's syntax (core/store/run_filter_syntax): terms, conditions and their operators, words,
// trimming (Unicode white space included), numbers as the run history has always read them, and line
// feeds as the regular expression it used before treated them.
#include <QtTest>
#include <cmath>
#include <limits>

#include "core/store/run_filter_syntax.hpp"

using namespace distopt;

namespace {

std::vector<std::string> words(std::string_view text) { return parseRunFilter(text).words; }

}  // namespace

class TestRunFilterSyntax : public QObject {
  Q_OBJECT

 private slots:
  void splitsTermsIntoWordsAndConditions() {
    const RunFilterSyntax filter = parseRunFilter("  FASHION  mnist ; method = ringmaster,, γ < 0.1 ;");
    QCOMPARE(filter.words, (std::vector<std::string>{"FASHION", "mnist"}));
    QCOMPARE(filter.conditions.size(), std::size_t{2});
    const RunFilterCondition& method = filter.conditions[0];
    QCOMPARE(method.column, std::string("method"));
    QVERIFY(method.op == RunFilterOp::Equal);
    QCOMPARE(method.value, std::string("ringmaster"));
    QCOMPARE(method.term, std::string("method = ringmaster"));
    QVERIFY(!method.number);
    const RunFilterCondition& gamma = filter.conditions[1];
    QCOMPARE(gamma.column, std::string("γ"));
    QVERIFY(gamma.op == RunFilterOp::Less);
    QCOMPARE(gamma.number, std::optional<double>(0.1));
    QVERIFY(parseRunFilter("").isEmpty());
    QVERIFY(parseRunFilter(" ;, ; ").isEmpty());
  }

  void readsEveryOperatorLongestFirst() {
    const std::vector<std::pair<std::string, RunFilterOp>> cases = {
        {"a ~ b", RunFilterOp::Contains}, {"a = b", RunFilterOp::Equal},
        {"a == b", RunFilterOp::Equal},   {"a != b", RunFilterOp::NotEqual},
        {"a < b", RunFilterOp::Less},     {"a <= b", RunFilterOp::LessEqual},
        {"a > b", RunFilterOp::Greater},  {"a>=b", RunFilterOp::GreaterEqual}};
    for (const auto& [text, op] : cases) {
      const RunFilterSyntax filter = parseRunFilter(text);
      QCOMPARE(filter.conditions.size(), std::size_t{1});
      QVERIFY2(filter.conditions[0].op == op, text.c_str());
      QCOMPARE(filter.conditions[0].column, std::string("a"));
      QCOMPARE(filter.conditions[0].value, std::string("b"));
    }
    // The first operator splits: the rest is the value. "=<" is "=" then "<".
    const RunFilterCondition c = parseRunFilter("a =< b = c").conditions.at(0);
    QVERIFY(c.op == RunFilterOp::Equal);
    QCOMPARE(c.value, std::string("< b = c"));
    // A lone "!" is no operator.
    QCOMPARE(parseRunFilter("wow! great").words, (std::vector<std::string>{"wow!", "great"}));
    QCOMPARE(runFilterOpText(RunFilterOp::Equal), std::string_view("="));
    QCOMPARE(runFilterOpText(RunFilterOp::LessEqual), std::string_view("<="));
  }

  void aTermWithoutColumnIsText() {
    // An operator first: nothing names a column, so the term is words (as typed, split at spaces only).
    QCOMPARE(words("<5 x"), (std::vector<std::string>{"<5", "x"}));
    QCOMPARE(words("= a=b"), (std::vector<std::string>{"=", "a=b"}));
    QCOMPARE(words("a\tb"), (std::vector<std::string>{"a\tb"}));
  }

  void emptyValues() {
    const RunFilterSyntax filter = parseRunFilter("gamma <; method =; tags ~");
    QCOMPARE(filter.conditions.size(), std::size_t{3});
    QVERIFY(filter.conditions[0].lacksValue());
    QCOMPARE(filter.conditions[0].term, std::string("gamma <"));
    // Equal, differs and contains can test for nothing.
    QVERIFY(!filter.conditions[1].lacksValue());
    QVERIFY(!filter.conditions[2].lacksValue());
  }

  void trimsUnicodeWhiteSpace() {
    // No-break space, em space, ideographic space and NEL around the parts; inner ones stay.
    const RunFilterCondition c = parseRunFilter(
                                     "\xc2\xa0 data set\xe2\x80\x83~\xe3\x80\x80"
                                     "a9a x\xc2\x85")
                                     .conditions.at(0);
    QCOMPARE(c.column, std::string("data set"));
    QCOMPARE(c.value, std::string("a9a x"));
    QCOMPARE(trimRunFilterText("\t \xe2\x80\xa8 x \xe2\x80\xa9"), std::string_view("x"));
    // Bytes that are no UTF-8 are kept, never read past.
    QCOMPARE(trimRunFilterText("\xe2\x80"), std::string_view("\xe2\x80"));
    QCOMPARE(trimRunFilterText("\xc2"), std::string_view("\xc2"));
    QCOMPARE(words("\xff ; \xe3"), (std::vector<std::string>{"\xff", "\xe3"}));
  }

  void numbers() {
    QCOMPARE(runFilterNumber("0.1"), std::optional<double>(0.1));
    QCOMPARE(runFilterNumber("+5"), std::optional<double>(5.0));
    QCOMPARE(runFilterNumber(" -2 "), std::optional<double>(-2.0));
    QCOMPARE(runFilterNumber(".5"), std::optional<double>(0.5));
    QCOMPARE(runFilterNumber("5."), std::optional<double>(5.0));
    QCOMPARE(runFilterNumber("1E5"), std::optional<double>(1e5));
    QCOMPARE(runFilterNumber("-inf"), std::optional<double>(-std::numeric_limits<double>::infinity()));
    QCOMPARE(runFilterNumber("Inf"), std::optional<double>(std::numeric_limits<double>::infinity()));
    QVERIFY(std::isnan(runFilterNumber("NaN").value_or(0.0)));
    QVERIFY(std::signbit(runFilterNumber("-0").value_or(1.0)));
    // Not numbers: another notation, a part of one, a sign on nan, and what does not fit a double.
    for (const char* text : {"", "-", "0x10", "1,5", "1_000", "1e", "e5", "1.2.3", "+-1", "infinity",
                             "nan(1)", "-nan", "+.e1", "1e999", "-1e999", "1e-400", "5 x", "١"})
      QVERIFY2(!runFilterNumber(text), text);
    QCOMPARE(runFilterNumber("4.9e-324"), std::optional<double>(4.9e-324));
  }

  void lineFeedsAsTheRunHistoryAlwaysRead() {
    // A line feed beside the operator is white space; one inside the name or the value makes the
    // term text, unless a later operator splits it without one.
    const RunFilterCondition beside = parseRunFilter("a\n= b").conditions.at(0);
    QCOMPARE(beside.column, std::string("a"));
    QCOMPARE(beside.value, std::string("b"));
    QCOMPARE(parseRunFilter("a =\nb").conditions.at(0).value, std::string("b"));
    QCOMPARE(words("e\nf = g"), (std::vector<std::string>{"e\nf", "=", "g"}));
    const RunFilterCondition later = parseRunFilter("a=b\n=c").conditions.at(0);
    QCOMPARE(later.column, std::string("a=b"));
    QCOMPARE(later.value, std::string("c"));
  }
};

QTEST_APPLESS_MAIN(TestRunFilterSyntax)
#include "test_run_filter_syntax.moc"
