#include "option_parser.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <CLI/CLI.hpp>

namespace distopt::app {

OptionParser::OptionParser() : m_app(std::make_unique<CLI::App>()) {
  m_app->set_help_flag();  // the program prints its own usage text
  m_app->allow_extras();   // unknown options are refused below, in our words
}

OptionParser::~OptionParser() = default;

void OptionParser::flag(const std::string& names, bool* target) { m_app->add_flag(names, *target); }

void OptionParser::option(const std::string& names, const std::string& missing, TakeValue take) {
  CLI::Option* added = m_app->add_option(names, [this, take = std::move(take)](const CLI::results_t& values) {
    for (const auto& value : values) {
      std::string why = take(value);
      if (!why.empty() && m_firstRefusal.empty()) m_firstRefusal = std::move(why);
    }
    return true;
  });
  added->type_size(1)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  m_missing.emplace_back(added->get_name(), missing);
}

void OptionParser::positionals(std::vector<std::string>* target) {
  m_app->add_option("positional", *target)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

bool OptionParser::parse(int argc, const char* const* argv, std::string* error) {
  auto fail = [error](std::string text) {
    if (error) *error = std::move(text);
    return false;
  };
  std::vector<std::string> arguments;
  for (int i = argc - 1; i >= 1; --i) arguments.emplace_back(argv[i]);  // CLI11 takes them reversed
  // CLI11 reads "--out= FILE" as "--out FILE"; an empty value after '=' is a mistake to refuse.
  for (auto it = arguments.rbegin(); it != arguments.rend(); ++it) {
    if (*it == "--") break;
    if (it->size() > 3 && it->starts_with("--") && it->back() == '=' && it->find('=') == it->size() - 1)
      return fail(*it + " has no value after '='");
  }
  m_firstRefusal.clear();
  try {
    m_app->parse(arguments);
  } catch (const CLI::ArgumentMismatch& e) {
    // "NAME: 1 required TYPE missing" is the only mismatch an option with one value can have.
    const std::string_view message = e.what();
    const std::string name(message.substr(0, message.find(':')));
    for (const auto& [option, missing] : m_missing)
      if (option == name) return fail(missing);
    return fail(std::string(message));
  } catch (const CLI::ParseError& e) {
    // Flags given a value that is not a truth value, and the like.
    return fail(e.what());
  }
  if (!m_firstRefusal.empty()) return fail(m_firstRefusal);
  for (const auto& extra : m_app->remaining()) {
    if (extra == "--") continue;
    return fail("unknown option '" + extra + "' (see --help)");
  }
  return true;
}

TakeValue takeText(std::optional<std::string>* target) {
  return [target](const std::string& value) {
    *target = value;
    return std::string();
  };
}

TakeValue takeText(std::string* target) {
  return [target](const std::string& value) {
    *target = value;
    return std::string();
  };
}

TakeValue appendText(std::vector<std::string>* target) {
  return [target](const std::string& value) {
    target->push_back(value);
    return std::string();
  };
}

TakeValue takeInteger(const std::string& option, long long min, long long max, std::optional<int>* target) {
  return [=](const std::string& value) {
    char* end = nullptr;
    errno = 0;
    const long long number = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno == ERANGE || number < min || number > max)
      return option + ": '" + value + "' is not an integer from " + std::to_string(min) + " to " +
             std::to_string(max);
    *target = static_cast<int>(number);
    return std::string();
  };
}

TakeValue takeSeconds(const std::string& option, double max, std::optional<double>* target) {
  return [=](const std::string& value) {
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(seconds > 0.0 && seconds <= max)) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", max);
      return option + ": '" + value + "' is not a number of seconds from 0 to " + limit;
    }
    *target = seconds;
    return std::string();
  };
}

TakeValue takeChoice(const std::string& option, const std::vector<std::string>& choices,
                     std::optional<std::string>* target) {
  return [=](const std::string& value) {
    for (const auto& choice : choices) {
      if (value == choice) {
        *target = value;
        return std::string();
      }
    }
    std::string listed;
    for (std::size_t i = 0; i < choices.size(); ++i)
      listed += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    return option + ": '" + value + "' is not " + listed;
  };
}

}  // namespace distopt::app
