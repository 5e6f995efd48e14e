#include "core/transport/virtual_network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/telemetry/evaluation.hpp"
#include "core/util/check.hpp"

namespace distopt {

bool VirtualLinkOptions::isValid(std::string* why) const {
  if (!std::isfinite(latency) || latency < 0.0) {
    if (why) *why = "link latency must be a finite number >= 0";
    return false;
  }
  if (!std::isfinite(bytesPerUnit) || bytesPerUnit < 0.0) {
    if (why) *why = "link bandwidth must be a finite number >= 0 (0 = no limit)";
    return false;
  }
  return true;
}

VirtualNetwork::VirtualNetwork(const SimRunContext& context, const VirtualLinkOptions& links,
                               TelemetrySink& sink, const VirtualLinkOptions& peerLinks)
    : m_context(context),
      m_links(links),
      m_peerLinks(peerLinks),
      m_sink(sink),
      m_ledger(context.options, sink),
      m_tally(m_ledger.tally()),
      m_roleSink(sink, m_tally),
      m_linkFreeUp(static_cast<std::size_t>(context.numWorkers), 0.0),
      m_linkFreeDown(static_cast<std::size_t>(context.numWorkers), 0.0),
      m_alive(static_cast<std::size_t>(context.numWorkers), true),
      m_aliveCount(context.numWorkers),
      m_computing(static_cast<std::size_t>(context.numWorkers), 0),
      m_cancels(static_cast<std::size_t>(context.numWorkers), 0),
      m_held(static_cast<std::size_t>(context.numWorkers)) {
  DISTOPT_CHECK(context.problem && context.numWorkers > 0);
  std::string why;
  DISTOPT_CHECK_MSG(links.isValid(&why), why.c_str());
  DISTOPT_CHECK_MSG(peerLinks.isValid(&why), why.c_str());
}

bool VirtualNetwork::alive(int worker) const {
  return worker >= 0 && worker < numWorkers() && m_alive[static_cast<std::size_t>(worker)];
}

bool VirtualNetwork::later(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time > b.time;
  if (a.worker != b.worker) return a.worker > b.worker;
  return a.seq > b.seq;
}

void VirtualNetwork::push(Event event) {
  event.seq = m_seq++;
  m_queue.push_back(std::move(event));
  std::push_heap(m_queue.begin(), m_queue.end(), later);
}

VirtualNetwork::Event VirtualNetwork::pop() {
  std::pop_heap(m_queue.begin(), m_queue.end(), later);
  Event event = std::move(m_queue.back());
  m_queue.pop_back();
  return event;
}

void VirtualNetwork::post(double leaveTime, int worker, bool uplink, WireSize size, std::uint32_t slot,
                          bool computed) {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  schedule(Event{.time = leaveTime,
                 .worker = worker,
                 .leaving = true,
                 .route = uplink ? Route::Up : Route::Down,
                 .computed = computed,
                 .slot = slot,
                 .size = size});
}

void VirtualNetwork::postCancellable(double leaveTime, int worker, WireSize size, std::uint32_t slot) {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  schedule(Event{.time = leaveTime,
                 .worker = worker,
                 .leaving = true,
                 .route = Route::Up,
                 .slot = slot,
                 .ticket = m_cancels[static_cast<std::size_t>(worker)] + 1,
                 .size = size});
}

void VirtualNetwork::cancelCompute(int worker) {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  ++m_cancels[static_cast<std::size_t>(worker)];
}

void VirtualNetwork::postPeer(double leaveTime, int from, int to, WireSize size, std::uint32_t slot) {
  DISTOPT_CHECK(from >= 0 && from < numWorkers() && to >= 0 && to < numWorkers() && from != to);
  schedule(Event{.time = leaveTime,
                 .worker = from,
                 .from = from,
                 .to = to,
                 .leaving = true,
                 .route = Route::Peer,
                 .computed = true,
                 .slot = slot,
                 .size = size});
}

void VirtualNetwork::postWake(double time, int worker) {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  // Even a wake due now is queued: a role is never called from inside its own handler.
  DISTOPT_CHECK(time >= m_now);
  const Event event{
      .time = time, .worker = worker, .leaving = true, .route = Route::Wake, .computed = time > m_now};
  if (event.computed) ++m_computing[static_cast<std::size_t>(worker)];
  push(event);
}

void VirtualNetwork::schedule(Event event) {
  // A time-model draw may be infinite (a worker that never finishes): the message then never leaves,
  // and the run ends stalled when nothing else is left to happen.
  DISTOPT_CHECK(event.time >= m_now);
  const bool later = event.time > m_now;
  event.computed = event.computed && later;
  if (event.computed) ++m_computing[static_cast<std::size_t>(event.worker)];
  // Leaving now: counted now and queued to arrive (never delivered inside the sender's own call).
  push(later ? event : departed(event));
}

VirtualNetwork::Event VirtualNetwork::departed(Event event) {
  const auto index = static_cast<std::size_t>(event.worker);
  const bool peer = event.route == Route::Peer;
  if (event.size.bytes > 0) {
    const bool uplink = event.route != Route::Down;
    (uplink ? m_tally.bytesUp : m_tally.bytesDown) += event.size.bytes;
    // A message between workers is also its receiver's download (the summary's two totals then say
    // what the nodes sent and received, as their own counters do).
    if (peer) m_tally.bytesDown += event.size.bytes;
    // No coordinator sees what workers send each other (live neither): the family charts it from its
    // workers' own counts, the same on both transports.
    if (!peer) {
      Traffic& traffic = m_traffic[{event.worker, uplink, event.size.kind}];
      traffic.bytes += event.size.bytes;
      traffic.messages += 1;
      traffic.changed = true;
    }
  }
  const VirtualLinkOptions& options = peer ? m_peerLinks : m_links;
  double sent = event.time;
  if (options.bytesPerUnit > 0.0) {
    double& linkFree = peer                       ? m_peerLinkFree[{event.from, event.to}]
                       : event.route == Route::Up ? m_linkFreeUp[index]
                                                  : m_linkFreeDown[index];
    sent = std::max(sent, linkFree) + static_cast<double>(event.size.bytes) / options.bytesPerUnit;
    linkFree = sent;
  }
  event.time = sent + options.latency;
  event.leaving = false;
  event.computed = false;
  if (peer) event.worker = event.to;  // ordered among what reaches the receiver
  return event;
}

bool VirtualNetwork::handleNext(Carrier& carrier, bool coordinatorListens) {
  Event event = pop();
  m_now = std::max(m_now, event.time);
  const int worker = event.worker;
  // The worker's compute is over once its result leaves: what reached it meanwhile is handed over
  // after the result itself is delivered (when its link takes no time), in arrival order.
  const bool freed = event.leaving && event.computed && --m_computing[static_cast<std::size_t>(worker)] == 0;
  bool handled = false;
  if (event.leaving && event.ticket != 0 && event.ticket != m_cancels[static_cast<std::size_t>(worker)] + 1) {
    carrier.discard(true, event.slot);  // called off before it left
    return false;
  }
  if (event.route == Route::Wake) {
    if (alive(worker)) carrier.wake(worker);
    if (freed) releaseHeld(carrier, worker);
    return false;
  }
  if (event.leaving) {
    // A result that leaves after its compute arrives at once when its link takes no time: it is
    // delivered now rather than queued behind messages posted later for the same moment.
    event = departed(event);
    if (event.time > m_now) {
      push(event);
      if (freed) releaseHeld(carrier, worker);
      return false;
    }
  }
  if (event.route != Route::Up) {
    deliverToWorker(carrier, event);
  } else if (!coordinatorListens) {
    carrier.discard(true, event.slot);
  } else {
    m_lastMessageBytes = event.size.bytes;
    carrier.deliver(true, event.worker, event.slot);
    handled = true;
  }
  if (freed) releaseHeld(carrier, worker);
  return handled;
}

void VirtualNetwork::deliverToWorker(Carrier& carrier, const Event& event) {
  const auto index = static_cast<std::size_t>(event.worker);
  if (m_computing[index] > 0 || !m_held[index].empty())
    m_held[index].push_back(event);
  else
    handOver(carrier, event);
}

void VirtualNetwork::handOver(Carrier& carrier, const Event& event) {
  const bool peer = event.route == Route::Peer;
  if (!alive(event.worker))
    carrier.discard(peer, event.slot);
  else if (peer)
    carrier.deliverPeer(event.from, event.worker, event.slot);
  else
    carrier.deliver(false, event.worker, event.slot);
}

void VirtualNetwork::releaseHeld(Carrier& carrier, int worker) {
  const auto index = static_cast<std::size_t>(worker);
  while (m_computing[index] == 0 && !m_held[index].empty()) {
    const Event event = m_held[index].front();
    m_held[index].pop_front();
    handOver(carrier, event);
  }
}

void VirtualNetwork::workerFailed(int worker, const std::string& reason) {
  if (!alive(worker)) return;
  m_alive[static_cast<std::size_t>(worker)] = false;
  --m_aliveCount;
  m_losses.emplace_back(worker, reason);
}

void VirtualNetwork::processLosses(const Roles& roles) {
  // A loss found while a role handled a message is told after it returned: no role is re-entered.
  while (!m_losses.empty()) {
    auto losses = std::move(m_losses);
    m_losses.clear();
    for (const auto& [worker, reason] : losses) roles.workerLost(worker, reason);
  }
}

void VirtualNetwork::flushTraffic(double time) {
  for (auto& [key, traffic] : m_traffic) {
    if (!traffic.changed) continue;
    traffic.changed = false;
    m_sink.onBandwidth(BandwidthSample{.time = time,
                                       .worker = std::get<0>(key),
                                       .uplink = std::get<1>(key),
                                       .kind = std::string(std::get<2>(key)),
                                       .bytes = traffic.bytes,
                                       .messages = traffic.messages});
  }
}

BudgetFacts VirtualNetwork::spent(const CoordinatorState& role) const {
  return {.updates = role.iterations(),
          .bytes = m_tally.bytesUp + m_tally.bytesDown,
          .gradients = m_context.options.maxGradients > 0 ? role.gradientEvaluations() : 0};
}

Verdict VirtualNetwork::evaluate(const Roles& roles, double time) {
  CoordinatorState& role = *roles.state;
  if (role.evaluatesRemotely()) {
    // Asked now, answered through the workers' messages: collect() notes the point when it is complete
    // (and the traffic then, its own evaluation's messages included).
    roles.requestEvaluation(m_ledger.request(time, role.iterations()), false);
    return Verdict::GoOn;
  }
  const Vector* model = role.model();
  if (!model) return Verdict::GoOn;
  EvaluationPoint point =
      evaluateModel(*m_context.problem, *model, m_ledger.request(time, role.iterations()), m_scratch);
  point.loss += role.lossOffset();
  role.takeMetrics(point.metrics);
  const Verdict verdict = m_ledger.note(point, role.stationarity(point));
  flushTraffic(time);
  return verdict;
}

Verdict VirtualNetwork::collect(CoordinatorState& role, double trafficTime) {
  Verdict verdict = Verdict::GoOn;
  const std::vector<EvaluationPoint> points = role.takeEvaluations();
  for (const EvaluationPoint& point : points) {
    const Verdict pointVerdict = m_ledger.note(point);
    if (verdict != Verdict::Diverged && pointVerdict != Verdict::GoOn) verdict = pointVerdict;
  }
  // Sampled when a point is complete, not when it was asked for: each sample then holds one
  // evaluation's traffic, and the last one's (which flows after the end) does not land on top of
  // another's in the run's last interval.
  if (!points.empty()) flushTraffic(trafficTime);
  return verdict;
}

void VirtualNetwork::finishRemoteEvaluation(const Roles& roles, double endTime, std::string* detail) {
  CoordinatorState& role = *roles.state;
  roles.requestEvaluation(m_ledger.request(endTime, role.iterations()), true);
  // The coordinator listens again: the workers answer from the model as it stands. Bounded by the
  // messages in flight (the roles stop their method's traffic), never by the horizon.
  while (role.evaluationPending() && role.failure().empty() && !m_queue.empty() &&
         std::isfinite(m_queue.front().time)) {
    handleNext(*roles.carrier, true);
    processLosses(roles);
    collect(role, endTime);
  }
  collect(role, endTime);
  if (role.evaluationPending() && detail->empty())
    *detail = "final evaluation incomplete: " +
              (role.failure().empty() ? std::string("the workers stopped answering") : role.failure());
}

RunSummary VirtualNetwork::run(const Roles& roles, const std::function<bool()>& stopRequested) {
  const auto wallStart = std::chrono::steady_clock::now();
  DISTOPT_CHECK(roles.state && roles.start && roles.workerLost && roles.carrier);
  CoordinatorState& role = *roles.state;
  DISTOPT_CHECK(!role.evaluatesRemotely() || roles.requestEvaluation);
  const RunRules& rules = m_context.options;
  EvaluationGrid grid(rules);
  const auto verdictAt = [&](double time) { return evaluate(roles, time); };

  Termination termination = Termination::Stalled;
  std::string detail;
  bool ended = false;
  if (const auto atStart = terminationOf(verdictAt(0.0))) {
    termination = *atStart;
    ended = true;
  } else {
    roles.start();
    processLosses(roles);
  }
  std::uint64_t lastEvaluatedUpdates = 0;
  while (!ended) {
    std::string failure = role.failure();
    if (failure.empty() && m_malformed > 0)
      failure = "the simulated roles refused " + std::to_string(m_malformed) +
                " of their own messages (a defect in the family's roles)";
    const LoopFacts facts{.stopRequested = stopRequested(),
                          .now = m_now,
                          .diverged = role.diverged() || m_ledger.diverged(),
                          .spent = spent(role),
                          .failure = std::move(failure),
                          .aliveWorkers = m_aliveCount};
    if (const auto rule = stopRule(rules, facts, &detail)) {
      termination = *rule;
      break;
    }
    if (m_queue.empty()) {
      detail = "no message in flight: the roles wait for each other";
      break;
    }
    const double next = m_queue.front().time;
    if (!std::isfinite(next)) {
      detail = "a worker never finishes its compute (an infinite time-model draw)";
      break;
    }
    if (next > rules.horizon) {
      termination = Termination::TimeLimit;
      break;
    }
    if (const auto walked = terminationOf(grid.walkBefore(next, verdictAt))) {
      termination = *walked;
      break;
    }
    const bool coordinatorHandled = handleNext(*roles.carrier, true);
    processLosses(roles);
    if (const auto verdict = terminationOf(collect(role, m_now))) {
      termination = *verdict;
      break;
    }
    if (coordinatorHandled && rules.evalEveryUpdates > 0 &&
        role.iterations() - lastEvaluatedUpdates >= rules.evalEveryUpdates) {
      lastEvaluatedUpdates = role.iterations();
      if (const auto verdict = terminationOf(verdictAt(m_now))) {
        termination = *verdict;
        break;
      }
    }
  }

  double endTime = m_now;
  if (termination == Termination::TimeLimit) {
    const RunEnd runEnd = grid.closeAtHorizon(m_now, verdictAt);
    termination = runEnd.termination;
    endTime = runEnd.time;
  }
  if (role.evaluatesRemotely()) {
    if (termination != Termination::Failed) finishRemoteEvaluation(roles, endTime, &detail);
  } else {
    // Messages already on their way to a worker still arrive, as on a socket, so the replicas end as a
    // live run's do once its last messages landed; the coordinator acts on nothing after the end.
    while (!m_queue.empty() && m_queue.front().time <= endTime) handleNext(*roles.carrier, false);
    if (m_ledger.finalEvaluationDue(endTime, role.iterations()) || role.metricsPending())
      evaluate(roles, endTime);
  }
  m_losses.clear();
  termination = m_ledger.settle(termination);
  flushTraffic(endTime);

  RunSummary summary;
  summary.algorithm = role.name();
  summary.engine = "sim";
  summary.workers = numWorkers();
  WorkCounters totals;
  for (int worker = 0; worker < numWorkers(); ++worker) totals += role.counters(worker);
  m_tally.gradients = role.gradientEvaluations();
  summary.terminationDetail = detail;
  m_ledger.fill(summary, totals, role.iterations(), termination, endTime, role.divergence(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count());
  m_sink.onFinish(summary);
  return summary;
}

}  // namespace distopt
