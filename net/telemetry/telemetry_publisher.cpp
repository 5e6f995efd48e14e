#include "net/telemetry/telemetry_publisher.hpp"

#include <cstring>

#include "core/telemetry/run_files.hpp"
#include "core/telemetry/telemetry_json.hpp"

namespace distopt::net {
TelemetryPublisher::TelemetryPublisher(zmq::context_t& context, const std::string& endpoint)
    : m_socket(context, zmq::socket_type::pub) {
  m_socket.set(zmq::sockopt::linger, 0);
  // A slow dashboard must never hold the coordinator back: drop rather than queue without bound.
  m_socket.set(zmq::sockopt::sndhwm, 1000);
  m_socket.bind(endpoint);
  m_endpoint = m_socket.get(zmq::sockopt::last_endpoint);
}

void TelemetryPublisher::onUpdate(const UpdateEvent& event) { m_updates.push_back(toJson(event)); }
void TelemetryPublisher::onEvaluation(const EvaluationPoint& point) { m_evaluations.push_back(toJson(point)); }
void TelemetryPublisher::onWorkerStatus(const WorkerStatus& status) { m_workers.push_back(toJson(status)); }
void TelemetryPublisher::onBandwidth(const BandwidthSample& sample) { m_bandwidth.push_back(toJson(sample)); }

void TelemetryPublisher::onFinish(const RunSummary& summary) {
  flush(true);
  nlohmann::json body = summaryToJson(summary, nlohmann::json());
  publish("summary", body);
}

void TelemetryPublisher::publish(const char* topic, nlohmann::json& batch) {
  const std::string text = batch.dump();
  zmq::message_t topicFrame(topic, std::strlen(topic));
  zmq::message_t body(text.data(), text.size());
  m_bytesPublished += topicFrame.size() + body.size();
  m_socket.send(topicFrame, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  m_socket.send(body, zmq::send_flags::dontwait);
}

void TelemetryPublisher::flush(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - m_lastFlush < std::chrono::milliseconds(50)) return;
  m_lastFlush = now;
  auto send = [this](const char* topic, nlohmann::json& batch) {
    if (batch.empty()) return;
    publish(topic, batch);
    batch = nlohmann::json::array();
  };
  send("update", m_updates);
  send("eval", m_evaluations);
  send("worker", m_workers);
  send("bandwidth", m_bandwidth);
}

}  // namespace distopt::net
