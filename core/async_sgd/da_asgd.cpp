#include "core/async_sgd/da_asgd.hpp"

#include <algorithm>

#include "core/registry/enum_option.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const EnumTable<DaAsgdServer::Rule>& stepRules() {
  static const EnumTable<DaAsgdServer::Rule> table{
      {"n_over_delay", DaAsgdServer::Rule::NOverDelay, "γ·n/max(n, delay)"},
      {"inv_delay_cap", DaAsgdServer::Rule::InvDelayCap, "γ, capped by c/(L·delay) beyond n (experimental)"}};
  return table;
}

}  // namespace

bool DaAsgdServer::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0)) return fail("gamma: must be > 0");
  if (!(c > 0.0)) return fail("c: must be > 0");
  if (rule == Rule::InvDelayCap && !(smoothness && *smoothness > 0.0))
    return fail("da_rule: inv_delay_cap needs the smoothness constant L (set it or use a problem that knows it)");
  return true;
}

DaAsgdServer::DaAsgdServer(int numWorkers, Vector x0, Options options)
    : AsgdServer(numWorkers, std::move(x0), AsgdServer::Options{.gamma = options.gamma}), m_daOptions(options) {
  DISTOPT_CHECK(m_daOptions.isValid(nullptr));
}

double DaAsgdServer::stepFor(std::int64_t delay) const {
  const double n = numWorkers();
  const double d = static_cast<double>(delay);
  switch (m_daOptions.rule) {
    case Rule::NOverDelay:
      return m_daOptions.gamma * n / std::max(n, d);
    case Rule::InvDelayCap:
      if (d <= n) return m_daOptions.gamma;
      return std::min(m_daOptions.gamma, m_daOptions.c / (*m_daOptions.smoothness * d));
  }
  return m_daOptions.gamma;
}

AlgorithmEntry daAsgdAlgorithmEntry() {
  return {.name = "da-asgd",
          .summary = "Delay-adaptive ASGD: step gamma*n/max(n, delay) (Mishchenko et al.; Koloskova et al.)",
          .options =
              {gammaOption(),
               stepRules().option(
                   "da_rule", DaAsgdServer::Rule::NOverDelay,
                   "Step rule: gamma*n/max(n,delay), or gamma capped by c/(L*delay) beyond n (experimental)"),
               {.name = "c",
                .type = OptionType::Double,
                .defaultValue = 0.25,
                .minValue = 0.0,
                .minExclusive = true,
                .help = "Constant c of the inv_delay_cap rule"}},
          .make = [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
            DaAsgdServer::Options options;
            options.gamma = stepSizeOrDefault(params, context, [&](double L, double s2, double eps) {
              return std::min(1.0 / (2.0 * context.numWorkers * L), eps / (4.0 * L * s2));
            });
            options.rule = stepRules().parse(params, "da_rule", context.path);
            options.c = params["c"].get<double>();
            options.smoothness = context.smoothness;
            requireValid(options, context.path);
            return std::unique_ptr<AsyncServer>(new DaAsgdServer(context.numWorkers, context.x0, options));
          }};
}

}  // namespace distopt
