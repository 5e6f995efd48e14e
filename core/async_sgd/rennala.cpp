#include "core/async_sgd/rennala.hpp"

#include <algorithm>
#include <cmath>

#include "core/registry/enum_option.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const EnumTable<RennalaServer::Mode>& modes() {
  static const EnumTable<RennalaServer::Mode> table{
      {"restart", RennalaServer::Mode::Restart, "stop unfinished work at each iteration"},
      {"ignore", RennalaServer::Mode::Ignore, "let it finish and discard it"}};
  return table;
}

}  // namespace

bool RennalaServer::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0)) return fail("gamma: must be > 0");
  if (batch < 1) return fail("B: must be an integer >= 1");
  return true;
}

RennalaServer::RennalaServer(int numWorkers, Vector x0, Options options)
    : AsyncServer(numWorkers, std::move(x0)), m_options(options) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
  m_sum = Vector::Zero(model().size());
}

void RennalaServer::onStart(ActionSink& sink) { beginIteration(sink); }

void RennalaServer::beginIteration(ActionSink& sink) {
  m_sum.setZero();
  m_collected = 0;
  for (int i = 0; i < numWorkers(); ++i) {
    if (busy(i)) {
      if (m_options.mode == Mode::Ignore) continue;  // its result will arrive stale and be discarded
      cancelJob(i, sink);
    }
    issueJob(i, sink);
  }
}

void RennalaServer::onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  if (delay != 0) {
    // Only in "ignore" mode: computed at an older iterate.
    recordDiscarded(arrival, delay, sink);
    issueJob(arrival.worker, sink);
    return;
  }
  m_sum += arrival.gradient->value();
  ++m_collected;
  if (m_collected < m_options.batch) {
    recordAccepted(arrival, delay, sink);
    issueJob(arrival.worker, sink);  // another gradient at the same point
    return;
  }
  applyStep(m_sum, m_options.gamma / m_options.batch);
  recordAccepted(arrival, delay, sink);
  beginIteration(sink);
}

AlgorithmEntry rennalaAlgorithmEntry() {
  return {
      .name = "rennala",
      .summary =
          "Rennala SGD: average the first B fresh gradients per step (Tyurin & Richtarik, NeurIPS 2023)",
      .options = {gammaOption(),
                  {.name = "B",
                   .type = OptionType::Int,
                   .minValue = 1.0,
                   .help = "Gradients per iteration. Default: ceil(sigma^2/eps) when both are known, else "
                           "the number of workers",
                   .optional = true},
                  modes().option(
                      "rennala_mode", RennalaServer::Mode::Restart,
                      "restart: stop unfinished work each iteration; ignore: let it finish and discard it")},
      .make = [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
        RennalaServer::Options options;
        if (params.contains("B")) {
          options.batch = params["B"].get<int>();
        } else if (context.sigma2 && context.epsilon) {
          options.batch = static_cast<int>(std::max(1.0, std::ceil(*context.sigma2 / *context.epsilon)));
        } else {
          options.batch = context.numWorkers;
        }
        const double B = options.batch;
        // Theory (async-sgd §2.5, the authors' helper): gamma = min{1/L, eps*B/(2 L sigma^2)}.
        options.gamma = stepSizeOrDefault(params, context, [&](double L, double s2, double eps) {
          return std::min(1.0 / L, eps * B / (2.0 * L * s2));
        });
        options.mode = modes().parse(params, "rennala_mode", context.path);
        requireValid(options, context.path);
        return std::unique_ptr<AsyncServer>(new RennalaServer(context.numWorkers, context.x0, options));
      }};
}

}  // namespace distopt
