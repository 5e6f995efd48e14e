#include "core/store/run_filter_syntax.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace distopt {
namespace {

// Longer operators before their prefixes: "<=" is one operator, not "<" and a value "=...".
constexpr std::array<std::pair<std::string_view, RunFilterOp>, 8> kOps = {{
    {"<=", RunFilterOp::LessEqual},
    {">=", RunFilterOp::GreaterEqual},
    {"!=", RunFilterOp::NotEqual},
    {"==", RunFilterOp::Equal},
    {"=", RunFilterOp::Equal},
    {"<", RunFilterOp::Less},
    {">", RunFilterOp::Greater},
    {"~", RunFilterOp::Contains},
}};

/// Unicode White_Space (what Qt's QString::trimmed() removes, so that the GUI trims as it always did).
bool isWhiteSpace(std::uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

/// The code point of the well-formed UTF-8 sequence of `length` bytes at `at`, or none.
std::optional<std::uint32_t> decodeAt(std::string_view text, std::size_t at, std::size_t length) {
  if (at + length > text.size()) return std::nullopt;
  const auto lead = static_cast<unsigned char>(text[at]);
  std::uint32_t c = 0;
  if (length == 1) return lead < 0x80 ? std::optional<std::uint32_t>(lead) : std::nullopt;
  if (length == 2 && (lead & 0xE0) == 0xC0)
    c = lead & 0x1F;
  else if (length == 3 && (lead & 0xF0) == 0xE0)
    c = lead & 0x0F;
  else
    return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if (!isContinuation(byte)) return std::nullopt;
    c = (c << 6) | (byte & 0x3F);
  }
  return c;
}

/// Bytes of white space the text starts with (every white space character is 1 to 3 bytes of UTF-8).
std::size_t leadingSpace(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t length = 0;
    for (std::size_t n = 1; n <= 3 && length == 0; ++n)
      if (const auto c = decodeAt(text, at, n); c && isWhiteSpace(*c)) length = n;
    if (length == 0) break;
    at += length;
  }
  return at;
}

std::size_t trailingSpace(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t length = 0;
    for (std::size_t n = 1; n <= 3 && n <= end && length == 0; ++n)
      if (const auto c = decodeAt(text, end - n, n); c && isWhiteSpace(*c)) length = n;
    if (length == 0) break;
    end -= length;
  }
  return text.size() - end;
}

bool equalsIgnoringCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

/// What the GUI's filter once matched with a regular expression as white space around an operator.
bool isAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/// The operator splitting `term` and where it starts: the first one that has no line feed in the name
/// before it or the value after it, each without the white space next to the operator. (The line feed
/// rule is that of the regular expression the run history used before, whose '.' stops at one: a filter
/// pasted with line breaks keeps the runs it kept.)
std::optional<std::pair<std::size_t, std::size_t>> findOp(std::string_view term) {
  // Where the line feeds are, once: a pasted filter of a megabyte is still read in linear time.
  const std::size_t firstFeed = std::min(term.find('\n'), term.size());
  const std::size_t lastFeed = term.rfind('\n');
  for (std::size_t at = 0; at < term.size(); ++at) {
    for (std::size_t i = 0; i < kOps.size(); ++i) {
      if (term.substr(at, kOps[i].first.size()) != kOps[i].first) continue;
      std::size_t nameEnd = at;
      while (nameEnd > 0 && isAsciiSpace(term[nameEnd - 1])) --nameEnd;
      std::size_t valueStart = at + kOps[i].first.size();
      while (valueStart < term.size() && isAsciiSpace(term[valueStart])) ++valueStart;
      if (firstFeed >= nameEnd && (lastFeed == std::string_view::npos || lastFeed < valueStart))
        return std::pair{at, i};
    }
  }
  return std::nullopt;
}

void appendWords(std::string_view term, std::vector<std::string>& words) {
  std::size_t start = 0;
  while (start <= term.size()) {
    const std::size_t space = std::min(term.find(' ', start), term.size());
    if (space > start) words.emplace_back(term.substr(start, space - start));
    start = space + 1;
  }
}

}  // namespace

std::string_view runFilterOpText(RunFilterOp op) {
  switch (op) {
    case RunFilterOp::Contains:
      return "~";
    case RunFilterOp::Equal:
      return "=";
    case RunFilterOp::NotEqual:
      return "!=";
    case RunFilterOp::Less:
      return "<";
    case RunFilterOp::LessEqual:
      return "<=";
    case RunFilterOp::Greater:
      return ">";
    case RunFilterOp::GreaterEqual:
      return ">=";
  }
  return {};
}

bool RunFilterCondition::lacksValue() const {
  return op != RunFilterOp::Contains && op != RunFilterOp::Equal && op != RunFilterOp::NotEqual &&
         value.empty();
}

std::string_view trimRunFilterText(std::string_view text) {
  text.remove_prefix(leadingSpace(text));
  text.remove_suffix(trailingSpace(text));
  return text;
}

std::optional<double> runFilterNumber(std::string_view text) {
  text = trimRunFilterText(text);
  // C notation in any locale; a sign before "inf", none before "nan" (as Qt's toDouble, which the run
  // history used before this parser: the same filter keeps the same runs).
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  if (equalsIgnoringCase(body, "inf"))
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (equalsIgnoringCase(body, "nan"))
    return body.size() == text.size() ? std::optional<double>(std::numeric_limits<double>::quiet_NaN())
                                      : std::nullopt;
  // from_chars takes "inf", "infinity", "nan(...)" and hex-less C numbers; only the digits' forms get here.
  const char first = body.front();
  if (!((first >= '0' && first <= '9') || first == '.')) return std::nullopt;
  double value = 0.0;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (error != std::errc() || end != body.data() + body.size()) return std::nullopt;
  return negative ? -value : value;
}

RunFilterSyntax parseRunFilter(std::string_view text) {
  RunFilterSyntax filter;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t separator = std::min(text.find_first_of(";,", start), text.size());
    const std::string_view term = trimRunFilterText(text.substr(start, separator - start));
    start = separator + 1;
    if (term.empty()) continue;
    const auto op = findOp(term);
    const std::string_view column = op ? trimRunFilterText(term.substr(0, op->first)) : std::string_view();
    if (column.empty()) {
      appendWords(term, filter.words);
      continue;
    }
    RunFilterCondition condition;
    condition.term = std::string(term);
    condition.column = std::string(column);
    condition.op = kOps[op->second].second;
    condition.value = std::string(trimRunFilterText(term.substr(op->first + kOps[op->second].first.size())));
    condition.number = runFilterNumber(condition.value);
    filter.conditions.push_back(std::move(condition));
  }
  return filter;
}

}  // namespace distopt
