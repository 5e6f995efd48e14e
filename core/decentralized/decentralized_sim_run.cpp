#include "core/decentralized/decentralized_sim_run.hpp"

#include <algorithm>
#include <cmath>

#include "core/decentralized/decentralized_family_coordinator.hpp"
#include "core/decentralized/decentralized_family_worker.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

const char* decentralizedMethodName(DecentralizedMethod method) {
  switch (method) {
    case DecentralizedMethod::Dsgd:
      return "dsgd";
    case DecentralizedMethod::GtDsgd:
      return "gt-dsgd";
    case DecentralizedMethod::ProxGtSa:
      return "proxgt-sa";
    case DecentralizedMethod::ProxGtSrO:
      return "proxgt-sr-o";
    case DecentralizedMethod::ProxGtSrE:
      return "proxgt-sr-e";
  }
  return "?";
}

bool DecentralizedRunOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  switch (method) {
    case DecentralizedMethod::Dsgd:
      if (!dsgd.isValid(why)) return false;
      break;
    case DecentralizedMethod::GtDsgd:
      if (!gtDsgd.isValid(why)) return false;
      break;
    default:
      if (!proxgt.isValid(why)) return false;
  }
  if (!network.isValid(why)) return false;
  if (!regularizer.isValid(why)) return false;
  if (!(beta >= 0.0) || !std::isfinite(beta)) return fail("beta: must be >= 0 (0 = the step alpha)");
  if (!(computeUnit > 0.0) || !std::isfinite(computeUnit)) return fail("compute_unit: must be > 0");
  if (!(linkLatency >= 0.0) || !std::isfinite(linkLatency)) return fail("link_latency: must be >= 0");
  if (!(linkBandwidth >= 0.0) || !std::isfinite(linkBandwidth)) return fail("link_bandwidth: must be >= 0");
  return true;
}

double DecentralizedRunOptions::alpha() const {
  switch (method) {
    case DecentralizedMethod::Dsgd:
      return dsgd.alpha;
    case DecentralizedMethod::GtDsgd:
      return gtDsgd.alpha;
    default:
      return proxgt.alpha;
  }
}

void DecentralizedRunOptions::setAlpha(double step) {
  switch (method) {
    case DecentralizedMethod::Dsgd:
      dsgd.alpha = step;
      break;
    case DecentralizedMethod::GtDsgd:
      gtDsgd.alpha = step;
      break;
    default:
      proxgt.alpha = step;
  }
}

namespace {

std::vector<std::unique_ptr<FamilyWorker<DecDown, DecUp>>> makeNodes(
    const std::shared_ptr<const DecentralizedSetup>& setup, const SimRunContext& context) {
  std::vector<std::unique_ptr<FamilyWorker<DecDown, DecUp>>> nodes;
  for (int i = 0; i < context.numWorkers; ++i)
    nodes.push_back(std::make_unique<DecentralizedFamilyWorker>(
        setup, *context.problem, (*context.shards)[static_cast<std::size_t>(i)], *context.timeModel,
        context.x0, context.options.seed, i));
  return nodes;
}

std::shared_ptr<const DecentralizedSetup> checkedSetup(const SimRunContext& context,
                                                       DecentralizedRunOptions options) {
  DISTOPT_CHECK(context.problem && context.shards && context.timeModel);
  DISTOPT_CHECK(static_cast<int>(context.shards->size()) == context.numWorkers);
  return std::make_shared<const DecentralizedSetup>(makeDecentralizedSetup(context, std::move(options)));
}

}  // namespace

DecentralizedSimRun::DecentralizedSimRun(const SimRunContext& context, DecentralizedRunOptions options)
    : DecentralizedSimRun(context, checkedSetup(context, std::move(options))) {}

DecentralizedSimRun::DecentralizedSimRun(const SimRunContext& context,
                                         std::shared_ptr<const DecentralizedSetup> setup)
    : RolesOnVirtualNetwork(std::make_unique<DecentralizedFamilyCoordinator>(
                                decentralizedMethodName(setup->options.method), setup, context,
                                context.options.maxUpdates, decentralizedReportEvery(context.options)),
                            makeNodes(setup, context), Wire{.down = decDownWireSize, .up = decUpWireSize},
                            context, {},
                            VirtualLinkOptions{.latency = setup->options.linkLatency,
                                               .bytesPerUnit = setup->options.linkBandwidth}),
      m_setup(std::move(setup)) {}

const Network& DecentralizedSimRun::network() const { return m_setup->network; }
const DecentralizedRunOptions& DecentralizedSimRun::options() const { return m_setup->options; }

std::vector<const GossipNode*> DecentralizedSimRun::nodes() const {
  std::vector<const GossipNode*> nodes;
  for (int i = 0; i < workerCount(); ++i)
    nodes.push_back(static_cast<const DecentralizedFamilyWorker&>(workerRole(i)).node());
  return nodes;
}

std::map<std::pair<int, int>, std::uint64_t> DecentralizedSimRun::edgeBytes() const {
  std::map<std::pair<int, int>, std::uint64_t> edges;
  for (const GossipNode* node : nodes()) {
    if (!node) continue;
    const auto& neighbours = node->config().neighbours;
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      edges[{node->id(), neighbours[k]}] = node->bytesSentPerNeighbour()[k];
  }
  return edges;
}

Vector DecentralizedSimRun::averageIterate() const {
  const auto all = nodes();
  Vector mean = Vector::Zero(coordinatorRole().model()->size());
  for (const GossipNode* node : all)
    if (node) mean += node->x();
  return mean / static_cast<double>(all.size());
}

}  // namespace distopt
