#pragma once
// The command-line parser distopt-run and distopt-worker share: CLI11 underneath (so `--opt value`,
// `--opt=value` and `--` work as users expect), our own usage text, and every refusal as one line for
// exit 2. Each option's value is checked by the option itself, so nothing half-parsed is ever used.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace distopt::app {

/// Checks one value and stores it; returns why it is refused, empty when taken.
using TakeValue = std::function<std::string(const std::string& value)>;

class OptionParser {
 public:
  OptionParser();
  ~OptionParser();
  OptionParser(const OptionParser&) = delete;
  OptionParser& operator=(const OptionParser&) = delete;

  /// A flag such as "-q,--quiet"; it takes no value.
  void flag(const std::string& names, bool* target);

  /// An option with one value per use ("--out DIR" or "--out=DIR"). `missing` is the refusal when no
  /// value follows. Every use is taken in order (so the last one wins) and each is checked.
  void option(const std::string& names, const std::string& missing, TakeValue take);

  /// Words that are not options, in order (after `--` too).
  void positionals(std::vector<std::string>* target);

  /// Parses argv; on a refusal returns false with *error set to one line (no program name).
  bool parse(int argc, const char* const* argv, std::string* error);

 private:
  std::unique_ptr<CLI::App> m_app;
  std::string m_firstRefusal;  ///< set by a value check; parsing goes on, the first refusal is reported
  std::vector<std::pair<std::string, std::string>> m_missing;  ///< option name -> refusal without value
};

// Value checks for OptionParser::option, each storing into *target and naming `option` in its refusal.

TakeValue takeText(std::optional<std::string>* target);
TakeValue takeText(std::string* target);
TakeValue appendText(std::vector<std::string>* target);
/// An integer in [min, max]; refused as "OPTION: 'VALUE' is not an integer from MIN to MAX".
TakeValue takeInteger(const std::string& option, long long min, long long max, std::optional<int>* target);
/// Seconds in (0, max]; refused as "OPTION: 'VALUE' is not a number of seconds from 0 to MAX".
TakeValue takeSeconds(const std::string& option, double max, std::optional<double>* target);
/// One of `choices`; refused as "OPTION: 'VALUE' is not A or B".
TakeValue takeChoice(const std::string& option, const std::vector<std::string>& choices,
                     std::optional<std::string>* target);

}  // namespace distopt::app
