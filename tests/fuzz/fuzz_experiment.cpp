// The experiment parser (core/config/experiment) as distopt-run meets it: the file's text, then
// `--set PATH=VALUE` overrides applied in order, then validation with every registry entry's options,
// the cross-field checks and the memory estimate. Input: the document, then NUL-separated overrides.
// A bad experiment must end in an InputError naming the field, never in anything else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto end = text.find('\0');
  try {
    nlohmann::json document = parseExperimentText(std::string(text.substr(0, end)), "fuzz.json");
    for (auto start = end; start != std::string_view::npos && start < text.size();) {
      const auto next = text.find('\0', start + 1);
      applyOverride(document, std::string(text.substr(
                                  start + 1, next == std::string_view::npos ? next : next - start - 1)));
      start = next;
    }
    // A folder with no data in it: problems that read files estimate without them.
    (void)parseExperiment(std::move(document), "/nonexistent-distopt-fuzz");
  } catch (const InputError&) {
    // The refusal a bad experiment is owed.
  }
  return 0;
}
