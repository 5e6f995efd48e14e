#include "net/telemetry/telemetry_publisher.hpp"

#include <algorithm>
#include <cstring>

#include "core/telemetry/run_files.hpp"
#include "core/telemetry/telemetry_json.hpp"
#include "net/protocol/frame_limits.hpp"

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
    // A dashboard only sends subscriptions: small ones, and not too many waiting.
    m_socket.set(zmq::sockopt::maxmsgsize, kSubscriptionFrameLimit);
    m_socket.set(zmq::sockopt::rcvhwm, 1000);
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
  while (true) {
    zmq::message_t message;
    std::optional<std::size_t> received;
    try {
      received = m_socket.recv(message, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      break;
    }
    if (!received) break;
    // XPUB hands up 0x01 + topic for a subscription and 0x00 + topic for its end. Only a history
    // subscription with a token is answered, and each token once.
    auto parsed = historyTopicOf(std::string_view(static_cast<const char*>(message.data()), message.size()));
    if (!parsed || m_answeredTokens.count(*parsed)) continue;
    std::string topic = std::move(*parsed);
    if (std::find(m_pendingTokens.begin(), m_pendingTokens.end(), topic) != m_pendingTokens.end()) continue;
    if (m_pendingTokens.size() >= kPendingHistories) {
      ++m_historiesRefused;
      continue;
    }
    m_pendingTokens.push_back(std::move(topic));
  }
  if (m_pendingTokens.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  m_historyBudget =
      std::min(kHistoryBurst, m_historyBudget + std::chrono::duration<double>(now - m_budgetAt).count() /
                                                    kHistoryRefillSeconds);
  m_budgetAt = now;
  if (m_historyBudget < 1.0) return;
  // One body for every token answered now: ZeroMQ shares a copied frame's buffer, so a peer asking
  // under many tokens does not multiply the memory a history takes.
  const zmq::message_t body = historyBody();
  while (!m_pendingTokens.empty() && m_historyBudget >= 1.0) {
    std::string topic = std::move(m_pendingTokens.front());
    m_pendingTokens.pop_front();
    m_historyBudget -= 1.0;
    zmq::message_t topicFrame(topic.data(), topic.size());
    zmq::message_t copy;
    copy.copy(const_cast<zmq::message_t&>(body));
    m_bytesPublished += topicFrame.size() + copy.size();
    m_socket.send(topicFrame, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    m_socket.send(copy, zmq::send_flags::dontwait);
    ++m_historiesSent;
    m_answeredTokens.insert(topic);
    m_answeredOrder.push_back(std::move(topic));
    if (m_answeredOrder.size() > 4096) {
      m_answeredTokens.erase(m_answeredOrder.front());
      m_answeredOrder.pop_front();
    }
  }
}

zmq::message_t TelemetryPublisher::historyBody() const {
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
  const std::string text = history.dump();
  return zmq::message_t(text.data(), text.size());
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
