#include "list_command.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "core/registry/registry.hpp"

namespace distopt::app {
namespace {

std::string defaultText(const OptionSpec& option) {
  return option.defaultValue.is_null() ? (option.optional ? "auto" : "required") : option.defaultValue.dump();
}

void printOptions(const std::vector<OptionSpec>& options) {
  for (const auto& option : options) {
    std::printf("    %-22s %-9s default %-12s %s\n", option.name.c_str(), optionTypeName(option.type),
                defaultText(option).c_str(), option.help.c_str());
    std::printf("    %-22s %-9s %s\n", "", "", ("valid: " + option.describe()).c_str());
    for (std::size_t c = 0; c < option.choices.size() && c < option.choiceHelp.size(); ++c)
      std::printf("    %-22s %-9s   \"%s\": %s\n", "", "", option.choices[c].c_str(),
                  option.choiceHelp[c].c_str());
  }
}

nlohmann::json optionsJson(const std::vector<OptionSpec>& options) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& option : options) {
    nlohmann::json entry = {{"name", option.name},
                            {"type", optionTypeName(option.type)},
                            {"required", option.defaultValue.is_null() && !option.optional},
                            {"valid", option.describe()},
                            {"help", option.help}};
    if (!option.defaultValue.is_null()) entry["default"] = option.defaultValue;
    if (option.minValue) entry["min"] = *option.minValue;
    if (option.maxValue) entry["max"] = *option.maxValue;
    if (option.minValue && option.minExclusive) entry["min_exclusive"] = true;
    if (!option.choices.empty()) entry["choices"] = option.choices;
    if (!option.choiceHelp.empty()) entry["choice_help"] = option.choiceHelp;
    if (!option.unit.empty()) entry["unit"] = option.unit;
    list.push_back(std::move(entry));
  }
  return list;
}

template <typename Entry>
nlohmann::json entryJson(const Entry& entry) {
  return {{"name", entry.name}, {"summary", entry.summary}, {"options", optionsJson(entry.options)}};
}

}  // namespace

nlohmann::json listAsJson() {
  nlohmann::json list = {{"algorithms", nlohmann::json::array()},
                         {"problems", nlohmann::json::array()},
                         {"time_models", nlohmann::json::array()}};
  for (const auto& entry : algorithmEntries()) {
    nlohmann::json item = entryJson(entry);
    item["family"] = std::string(familyName(entry.family));
    item["live"] = entry.runsLive();
    list["algorithms"].push_back(std::move(item));
  }
  for (const auto& entry : problemEntries()) list["problems"].push_back(entryJson(entry));
  for (const auto& entry : timeModelEntries()) list["time_models"].push_back(entryJson(entry));
  return list;
}

void printList(bool asJson) {
  if (asJson) {
    std::printf("%s\n", listAsJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("Algorithms (algorithm.name):\n");
  for (const auto& entry : algorithmEntries()) {
    std::printf("  %s [%s%s] — %s\n", entry.name.c_str(), std::string(familyName(entry.family)).c_str(),
                entry.runsLive() ? "" : ", sim only", entry.summary.c_str());
    printOptions(entry.options);
  }
  std::printf("\nProblems (problem.name):\n");
  for (const auto& entry : problemEntries()) {
    std::printf("  %s — %s\n", entry.name.c_str(), entry.summary.c_str());
    printOptions(entry.options);
  }
  std::printf("\nTime models (workers.time_model.name):\n");
  for (const auto& entry : timeModelEntries()) {
    std::printf("  %s — %s\n", entry.name.c_str(), entry.summary.c_str());
    printOptions(entry.options);
  }
}

}  // namespace distopt::app
