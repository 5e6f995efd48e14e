#include "net/coordinator/sim_run_services.hpp"

#include <cerrno>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/coordinator/control_socket.hpp"
#include "net/protocol/endpoint.hpp"

namespace distopt::net {

SimRunServices::SimRunServices(Options options, std::function<void()> stop)
    : m_options(std::move(options)), m_stop(std::move(stop)) {}

SimRunServices::~SimRunServices() {
  m_quit.store(true);
  if (m_controlThread.joinable()) m_controlThread.join();
}

bool SimRunServices::bind(std::string* why) {
  std::string reason;
  if (!m_options.telemetryEndpoint.empty() && !isLoopbackEndpoint(m_options.telemetryEndpoint, &reason)) {
    if (why) *why = "telemetry: " + reason + "; a simulated run publishes to this machine only";
    return false;
  }
  if (!m_options.controlEndpoint.empty() &&
      !claimControlDirectory(m_options.controlEndpoint, &m_runDirectory, why))
    return false;
  try {
    if (!m_options.telemetryEndpoint.empty())
      m_publisher = std::make_unique<TelemetryPublisher>(m_context, m_options.telemetryEndpoint);
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind telemetry " + m_options.telemetryEndpoint + ": " + e.what();
    return false;
  }
  if (!m_options.controlEndpoint.empty()) {
    m_control = bindControlSocket(m_context, m_options.controlEndpoint, &m_controlEndpoint, why);
    if (!m_control) return false;
    // From here on only the control thread touches the socket.
    m_controlThread = std::thread([this] { serveControl(); });
  }
  return true;
}

std::string SimRunServices::telemetryEndpoint() const { return m_publisher ? m_publisher->endpoint() : std::string(); }

void SimRunServices::onUpdate(const UpdateEvent& event) {
  m_time.store(event.time, std::memory_order_relaxed);
  if (!m_publisher) return;
  m_publisher->onUpdate(event);
  m_publisher->flush();
}

void SimRunServices::onEvaluation(const EvaluationPoint& point) {
  m_time.store(point.time, std::memory_order_relaxed);
  m_updates.store(point.updates, std::memory_order_relaxed);
  if (!m_publisher) return;
  m_publisher->onEvaluation(point);
  m_publisher->flush();
}

void SimRunServices::onWorkerStatus(const WorkerStatus& status) {
  if (m_publisher) m_publisher->onWorkerStatus(status);
}

void SimRunServices::onBandwidth(const BandwidthSample& sample) {
  if (m_publisher) m_publisher->onBandwidth(sample);
}

void SimRunServices::onFinish(const RunSummary& summary) {
  m_time.store(summary.time, std::memory_order_relaxed);
  m_updates.store(summary.updatesApplied, std::memory_order_relaxed);
  m_finished.store(true);
  if (m_publisher) m_publisher->onFinish(summary);
}

void SimRunServices::serveControl() {
  while (!m_quit.load()) {
    zmq::pollitem_t items[] = {{m_control->handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal meant for the process, not the end of the service
      return;
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    answerControlRequests(*m_control, [this](const std::string& command, const nlohmann::json&) -> nlohmann::json {
      if (command == "status")
        // The same fields as the live engine's reply; a simulated worker never dies.
        return {{"state", m_finished.load() ? "finished" : "running"},
                {"experiment", m_options.experimentName},
                {"algorithm", m_options.algorithm},
                {"engine", "sim"},
                {"time", m_time.load(std::memory_order_relaxed)},
                {"updates", m_updates.load(std::memory_order_relaxed)},
                {"workers", m_options.workers},
                {"workers_alive", m_options.workers},
                {"workers_dead", 0},
                {"telemetry", telemetryEndpoint()},
                {"time_limit", m_options.timeLimit ? nlohmann::json(*m_options.timeLimit) : nlohmann::json()},
                {"update_limit", m_options.updateLimit}};
      if (command == "stop") {
        if (m_stop) m_stop();
        return {{"ok", true}};
      }
      return nullptr;
    });
  }
}

}  // namespace distopt::net
