#include "core/async_sgd/minibatch.hpp"

#include <algorithm>

#include "core/registry/enum_option.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const EnumTable<MinibatchServer::Reduce>& reductions() {
  static const EnumTable<MinibatchServer::Reduce> table{
      {"mean", MinibatchServer::Reduce::Mean, "the mean of the n workers' gradients"},
      {"sum", MinibatchServer::Reduce::Sum, "their sum (γ then acts n times larger)"}};
  return table;
}

}  // namespace

bool MinibatchServer::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0)) return fail("gamma: must be > 0");
  if (localBatch < 1) return fail("b: must be an integer >= 1");
  return true;
}

MinibatchServer::MinibatchServer(int numWorkers, Vector x0, Options options)
    : AsyncServer(numWorkers, std::move(x0)), m_options(options) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
  m_sum = Vector::Zero(model().size());
}

void MinibatchServer::onStart(ActionSink& sink) { beginIteration(sink); }

void MinibatchServer::beginIteration(ActionSink& sink) {
  m_sum.setZero();
  m_collected = 0;
  m_expected = aliveWorkers();
  for (int i = 0; i < numWorkers(); ++i) issueJob(i, sink, m_options.localBatch);
}

void MinibatchServer::onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  DISTOPT_CHECK_MSG(delay == 0, "synchronous rounds only ever see gradients at the current model");
  m_sum += arrival.gradient->value();
  ++m_collected;
  if (m_collected < m_expected) {
    recordAccepted(arrival, delay, sink);
    return;
  }
  const double scale = m_options.reduce == Reduce::Mean ? m_options.gamma / m_collected : m_options.gamma;
  applyStep(m_sum, scale);
  recordAccepted(arrival, delay, sink);
  beginIteration(sink);
}

void MinibatchServer::onWorkerRemoved(int /*worker*/, ActionSink& sink) {
  // The round goes on with the workers left; if the lost one was the last awaited, it is complete.
  m_expected = std::min(m_expected, m_collected + inFlight());
  if (m_expected == 0) {
    beginIteration(sink);
  } else if (m_collected >= m_expected) {
    const double scale = m_options.reduce == Reduce::Mean ? m_options.gamma / m_collected : m_options.gamma;
    applyStep(m_sum, scale);
    beginIteration(sink);
  }
}

AlgorithmEntry minibatchAlgorithmEntry() {
  return {.name = "minibatch",
          .summary = "Synchronous minibatch SGD: wait for all workers, step with their mean gradient",
          .options =
              {gammaOption(),
               {.name = "b",
                .type = OptionType::Int,
                .defaultValue = 1,
                .minValue = 1.0,
                .help = "Local batch: stochastic gradients each worker averages per round"},
               reductions().option(
                   "mb_reduce", MinibatchServer::Reduce::Mean,
                   "Combine the workers' gradients by mean, or by sum (as in Mishchenko et al.'s script)")},
          .make = [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
            MinibatchServer::Options options;
            options.gamma = stepSizeOrDefault(params, context, [](double L, double, double) { return 1.0 / L; });
            options.localBatch = params["b"].get<int>();
            options.reduce = reductions().parse(params, "mb_reduce", context.path);
            requireValid(options, context.path);
            return std::unique_ptr<AsyncServer>(new MinibatchServer(context.numWorkers, context.x0, options));
          }};
}

}  // namespace distopt
