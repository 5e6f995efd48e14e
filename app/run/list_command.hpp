#pragma once
// distopt-run --list: the algorithms, problems and time models an experiment may name, with their
// options — as text for people, or (--json) as one JSON document for scripts and editors.

#include <nlohmann/json.hpp>

namespace distopt::app {

/// Everything --list shows, as {"algorithms": [...], "problems": [...], "time_models": [...]}.
nlohmann::json listAsJson();

/// Prints the list on stdout, as text or as JSON.
void printList(bool asJson);

}  // namespace distopt::app
