// Sweep specs (core/config/sweep_spec) as distopt-run meets them: a sweep file's "sweep" object, a
// comparison file (core/config/comparison_spec), or command-line texts. Input: the first byte picks the form;
// then either JSON text, or NUL-separated
// `--sweep` texts with a last `--seeds` text. Whatever parses is expanded (the run count is bounded by
// the spec's own limits). A bad spec must end in an InputError, never in anything else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config/comparison_spec.hpp"
#include "core/config/sweep_spec.hpp"
#include "core/util/input_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    SweepSpec spec;
    if (data[0] & 1) {
      const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded()) return 0;
      if (data[0] & 4) {
        // A comparison file: every method's spec is a sweep spec.
        const ComparisonSpec comparison = comparisonFromJson(json, "fuzz");
        for (const auto& method : comparison.methods)
          if (method.spec.runCount() <= 500) (void)expandSweep(method.spec);
        (void)comparison.select.describe();
        return 0;
      }
      spec = sweepFromJson(json, "fuzz");
    } else {
      std::size_t start = 0;
      while (start <= text.size()) {
        const auto end = text.find('\0', start);
        const std::string part(
            text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
          spec.seeds = parseSeedList(part);
          break;
        }
        spec.axes.push_back(parseSweepAxis(part));
        start = end + 1;
      }
      spec.sample = data[0] & 2 ? 17 : 0;
    }
    // Expansion is bounded by kSweepMaxRuns; keep the fuzzer fast by expanding the smaller ones only.
    if (spec.runCount() <= 2000) {
      const auto runs = expandSweep(spec);
      for (const auto& run : runs) (void)run.overrides();
      (void)sweepFromJson(sweepToJson(spec), "round trip");
    }
  } catch (const InputError&) {
    // The refusal a bad sweep is owed.
  }
  return 0;
}
