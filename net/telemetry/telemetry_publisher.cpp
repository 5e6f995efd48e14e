#include "net/telemetry/telemetry_publisher.hpp"

#include <cstring>

#include "core/telemetry/run_files.hpp"
#include "core/telemetry/telemetry_json.hpp"

namespace distopt::net {

TelemetryPublisher::TelemetryPublisher(zmq::context_t& context, const std::string& endpoint,
                                       PublisherOptions options)
    : m_options(std::move(options)),
      m_socket(context, m_options.dashboard ? zmq::socket_type::xpub : zmq::socket_type::pub) {
  m_socket.set(zmq::sockopt::linger, 0);
  // A slow dashboard must never hold the coordinator back: drop rather than queue without bound.
  m_socket.set(zmq::sockopt::sndhwm, 1000);
  if (m_options.dashboard) {
    // Every subscription, even one for a topic someone else already subscribed to: each new dashboard
    // needs its own history.
    m_socket.set(zmq::sockopt::xpub_verbose, 1);
    // A dashboard's history is one message of up to a few MB; let it through.
    m_socket.set(zmq::sockopt::sndhwm, 10000);
  }
  if (!m_options.curveSecretKey.empty()) {
    m_socket.set(zmq::sockopt::curve_server, 1);
    m_socket.set(zmq::sockopt::curve_secretkey, m_options.curveSecretKey);
    m_socket.set(zmq::sockopt::zap_domain, m_options.zapDomain);
  }
  m_socket.bind(endpoint);
  m_endpoint = m_socket.get(zmq::sockopt::last_endpoint);
}

void TelemetryPublisher::onUpdate(const UpdateEvent& event) { m_updates.push_back(toJson(event)); }
void TelemetryPublisher::onEvaluation(const EvaluationPoint& point) {
  m_evaluations.push_back(toJson(point));
}
void TelemetryPublisher::onWorkerStatus(const WorkerStatus& status) { m_workers.push_back(toJson(status)); }
void TelemetryPublisher::onBandwidth(const BandwidthSample& sample) { m_bandwidth.push_back(toJson(sample)); }

void TelemetryPublisher::onFinish(const RunSummary& summary) {
  flush(true);
  publish("summary", summaryToJson(summary, nlohmann::json()));
}

void TelemetryPublisher::publishStatus(const nlohmann::json& status) {
  if (m_options.dashboard) m_lastStatus = status;
  publish("status", status);
}

void TelemetryPublisher::publish(const char* topic, const nlohmann::json& batch) {
  const std::string text = batch.dump();
  zmq::message_t topicFrame(topic, std::strlen(topic));
  zmq::message_t body(text.data(), text.size());
  m_bytesPublished += topicFrame.size() + body.size();
  m_socket.send(topicFrame, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  m_socket.send(body, zmq::send_flags::dontwait);
}

void TelemetryPublisher::keep(const char* topic, const nlohmann::json& batch) {
  const std::string_view name = topic;
  for (const auto& item : batch) {
    if (name == "update") {
      m_pastUpdates.push_back(item);
      if (m_pastUpdates.size() > kHistoryUpdates) m_pastUpdates.pop_front();
    } else if (name == "eval") {
      m_pastEvaluations.push_back(item);
    } else if (name == "worker") {
      m_lastWorker[item.value("w", -1)] = item;
    } else if (name == "bandwidth") {
      m_lastBandwidth[{item.value("w", -1), item.value("dir", std::string()),
                       item.value("kind", std::string())}] = item;
    }
  }
}

void TelemetryPublisher::answerSubscriptions() {
  bool subscribed = false;
  while (true) {
    zmq::message_t message;
    std::optional<std::size_t> received;
    try {
      received = m_socket.recv(message, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      break;
    }
    if (!received) break;
    // XPUB hands up 0x01 + topic for a subscription and 0x00 + topic for its end.
    if (message.size() >= 1 && static_cast<const unsigned char*>(message.data())[0] == 1) subscribed = true;
  }
  if (!subscribed) return;
  // One history for any number of subscriptions seen at once; subscribers that had it already skip it
  // (see ui/client/run_client.cpp).
  nlohmann::json updates = nlohmann::json::array();
  for (const auto& item : m_pastUpdates) updates.push_back(item);
  nlohmann::json history = {{"experiment", m_experiment},
                            {"update", std::move(updates)},
                            {"eval", m_pastEvaluations},
                            {"worker", nlohmann::json::array()},
                            {"bandwidth", nlohmann::json::array()},
                            {"status", m_lastStatus}};
  for (const auto& [worker, item] : m_lastWorker) history["worker"].push_back(item);
  for (const auto& [key, item] : m_lastBandwidth) history["bandwidth"].push_back(item);
  publish("history", history);
  ++m_historiesSent;
}

void TelemetryPublisher::flush(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - m_lastFlush < std::chrono::milliseconds(50)) return;
  m_lastFlush = now;
  // Subscriptions first: the history then holds exactly what was published before this flush, and what
  // this flush sends reaches the new subscriber live.
  if (m_options.dashboard) answerSubscriptions();
  auto send = [this](const char* topic, nlohmann::json& batch) {
    if (batch.empty()) return;
    publish(topic, batch);
    if (m_options.dashboard) keep(topic, batch);
    batch = nlohmann::json::array();
  };
  send("update", m_updates);
  send("eval", m_evaluations);
  send("worker", m_workers);
  send("bandwidth", m_bandwidth);
}

}  // namespace distopt::net
