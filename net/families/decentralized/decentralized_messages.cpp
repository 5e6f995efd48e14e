#include "net/families/decentralized/decentralized_messages.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "net/protocol/job_messages.hpp"
#include "net/protocol/json_fields.hpp"
#include "net/protocol/wire_fields.hpp"

namespace distopt::net {
namespace {

using wire::fail;
using wire::get;
using wire::put;

bool expectKind(const Message& message, MessageKind kind, std::size_t frames, std::string* why) {
  if (message.kind != kind) return fail(why, std::string("expected ") + messageKindName(kind));
  if (message.payload.size() != frames)
    return fail(why, std::string(messageKindName(kind)) + " must have " + std::to_string(frames) +
                         " payload frames, got " + std::to_string(message.payload.size()));
  return true;
}

zmq::message_t reportMeta(const NodeReport& report) {
  zmq::message_t frame(kDecReportFixedSize + kDecReportEdgeSize * report.edges.size());
  auto* bytes = static_cast<unsigned char*>(frame.data());
  put<std::uint64_t>(bytes, 0, report.iteration);
  put<std::uint64_t>(bytes, 8, report.ifo);
  put<std::uint64_t>(bytes, 16, report.rounds);
  put<std::uint64_t>(bytes, 24, report.messagesSent);
  put<std::uint64_t>(bytes, 32, report.payloadBytesSent);
  put<std::uint64_t>(bytes, 40, report.bytesSent);
  put<std::uint64_t>(bytes, 48, report.bytesReceived);
  put<double>(bytes, 56, report.computeUnits);
  put<double>(bytes, 64, report.waitUnits);
  put<double>(bytes, 72, report.iterationUnits);
  put<std::uint32_t>(bytes, 80, static_cast<std::uint32_t>(report.edges.size()));
  put<std::uint32_t>(bytes, 84, 0);
  for (std::size_t e = 0; e < report.edges.size(); ++e) {
    const std::size_t at = kDecReportFixedSize + kDecReportEdgeSize * e;
    put<std::uint32_t>(bytes, at, static_cast<std::uint32_t>(report.edges[e].neighbour));
    put<std::uint32_t>(bytes, at + 4, 0);
    put<std::uint64_t>(bytes, at + 8, report.edges[e].bytesSent);
    put<std::uint64_t>(bytes, at + 16, report.edges[e].bytesReceived);
    put<std::uint64_t>(bytes, at + 24, report.edges[e].messagesSent);
    put<std::uint64_t>(bytes, at + 32, report.edges[e].messagesReceived);
  }
  return frame;
}

bool parseMeta(const zmq::message_t& frame, NodeReport* report, std::string* why) {
  if (frame.size() < kDecReportFixedSize) return fail(why, "report meta shorter than 88 bytes");
  const auto* bytes = static_cast<const unsigned char*>(frame.data());
  const auto degree = get<std::uint32_t>(bytes, 80);
  // Compare in 64 bits: a forged degree must not wrap the size check.
  if (static_cast<std::uint64_t>(frame.size()) !=
      kDecReportFixedSize + kDecReportEdgeSize * static_cast<std::uint64_t>(degree))
    return fail(why, "report meta size does not match its neighbour count");
  NodeReport parsed;
  parsed.iteration = get<std::uint64_t>(bytes, 0);
  parsed.ifo = get<std::uint64_t>(bytes, 8);
  parsed.rounds = get<std::uint64_t>(bytes, 16);
  parsed.messagesSent = get<std::uint64_t>(bytes, 24);
  parsed.payloadBytesSent = get<std::uint64_t>(bytes, 32);
  parsed.bytesSent = get<std::uint64_t>(bytes, 40);
  parsed.bytesReceived = get<std::uint64_t>(bytes, 48);
  parsed.computeUnits = get<double>(bytes, 56);
  parsed.waitUnits = get<double>(bytes, 64);
  parsed.iterationUnits = get<double>(bytes, 72);
  if (!std::isfinite(parsed.computeUnits) || !std::isfinite(parsed.waitUnits) ||
      !std::isfinite(parsed.iterationUnits) || parsed.computeUnits < 0 || parsed.waitUnits < 0 ||
      parsed.iterationUnits < 0)
    return fail(why, "report times must be finite and >= 0");
  parsed.edges.resize(degree);
  for (std::uint32_t e = 0; e < degree; ++e) {
    const std::size_t at = kDecReportFixedSize + kDecReportEdgeSize * e;
    const auto neighbour = get<std::uint32_t>(bytes, at);
    if (neighbour > 0x7fffffffU) return fail(why, "report neighbour id out of range");
    if (e > 0 && static_cast<int>(neighbour) <= parsed.edges[e - 1].neighbour)
      return fail(why, "report neighbours must be ascending");
    parsed.edges[e] = EdgeReport{.neighbour = static_cast<int>(neighbour),
                                 .bytesSent = get<std::uint64_t>(bytes, at + 8),
                                 .bytesReceived = get<std::uint64_t>(bytes, at + 16),
                                 .messagesSent = get<std::uint64_t>(bytes, at + 24),
                                 .messagesReceived = get<std::uint64_t>(bytes, at + 32)};
  }
  *report = std::move(parsed);
  return true;
}

}  // namespace

Message makeDecStart(const DecStart& start) {
  return Message::withJson(
      MessageKind::DecStart,
      {{"iterations", start.iterations}, {"report_every", start.reportEvery}, {"alpha", start.alpha}});
}

bool parseDecStart(const Message& message, DecStart* start, std::string* why) {
  if (!expectKind(message, MessageKind::DecStart, 1, why)) return false;
  auto body = message.jsonPayload();
  if (!body) return fail(why, "DEC_START payload is not a JSON object");
  JsonFields fields(*body, "DEC_START");
  DecStart parsed;
  fields.unsignedInteger("iterations", &parsed.iterations);
  fields.integer("report_every", &parsed.reportEvery, 1);
  fields.number("alpha", &parsed.alpha, std::numeric_limits<double>::min());
  if (!fields.ok()) return fail(why, fields.reason());
  *start = parsed;
  return true;
}

Message makeDecEndpoint(const std::string& endpoint) {
  return Message::withJson(MessageKind::DecEndpoint, {{"endpoint", endpoint}});
}

bool parseDecEndpoint(const Message& message, std::string* endpoint, std::string* why) {
  if (!expectKind(message, MessageKind::DecEndpoint, 1, why)) return false;
  auto body = message.jsonPayload();
  if (!body) return fail(why, "DEC_ENDPOINT payload is not a JSON object");
  JsonFields fields(*body, "DEC_ENDPOINT");
  std::string parsed;
  if (!fields.string("endpoint", &parsed, Presence::Required, 1024)) return fail(why, fields.reason());
  if (parsed.find("://") == std::string::npos)
    return fail(why, "DEC_ENDPOINT endpoint must be a ZeroMQ endpoint string");
  *endpoint = std::move(parsed);
  return true;
}

Message makeDecPeers(const std::vector<PeerEndpoint>& peers) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& peer : peers) list.push_back({{"node", peer.node}, {"endpoint", peer.endpoint}});
  return Message::withJson(MessageKind::DecPeers, {{"peers", list}});
}

bool parseDecPeers(const Message& message, std::vector<PeerEndpoint>* peers, std::string* why) {
  if (!expectKind(message, MessageKind::DecPeers, 1, why)) return false;
  auto body = message.jsonPayload();
  if (!body) return fail(why, "DEC_PEERS payload is not a JSON object");
  const auto list = body->find("peers");
  if (list == body->end() || !list->is_array()) return fail(why, "DEC_PEERS peers must be an array");
  std::vector<PeerEndpoint> parsed;
  for (const auto& entry : *list) {
    JsonFields fields(entry, "DEC_PEERS entry");
    PeerEndpoint peer;
    fields.integer("node", &peer.node, 0);
    fields.string("endpoint", &peer.endpoint, Presence::Required, 1024);
    if (!fields.ok()) return fail(why, fields.reason());
    if (peer.endpoint.find("://") == std::string::npos)
      return fail(why, "DEC_PEERS endpoint must be a ZeroMQ endpoint string");
    parsed.push_back(std::move(peer));
  }
  *peers = std::move(parsed);
  return true;
}

Message makeDecGossip(std::span<const std::uint8_t> gossip) {
  Message message = Message::of(MessageKind::DecGossip);
  message.payload.emplace_back(gossip.data(), gossip.size());
  return message;
}

bool parseDecGossip(const Message& message, std::span<const std::uint8_t>* gossip, std::string* why) {
  if (!expectKind(message, MessageKind::DecGossip, 1, why)) return false;
  const auto& frame = message.payload[0];
  *gossip = {static_cast<const std::uint8_t*>(frame.data()), frame.size()};
  return true;
}

Message makeDecProgress(const NodeReport& report) {
  Message message = Message::of(MessageKind::DecProgress);
  message.payload.push_back(reportMeta(report));
  return message;
}

Message makeDecState(const NodeReport& report, const Vector& x, const Vector* y, const Vector* v) {
  Message message = Message::of(MessageKind::DecState);
  message.payload.push_back(reportMeta(report));
  message.payload.push_back(encodeVectorFrame(x));
  if (y && v) {
    message.payload.push_back(encodeVectorFrame(*y));
    message.payload.push_back(encodeVectorFrame(*v));
  }
  return message;
}

bool parseDecReport(const Message& message, std::int64_t dimension, bool tracking, NodeReport* report,
                    NodeStateVectors* state, std::string* why) {
  const bool isState = message.kind == MessageKind::DecState;
  if (!isState && message.kind != MessageKind::DecProgress)
    return fail(why, "expected DEC_PROGRESS or DEC_STATE");
  const std::size_t frames = isState ? (tracking ? 4 : 2) : 1;
  if (!expectKind(message, message.kind, frames, why)) return false;
  NodeReport parsed;
  if (!parseMeta(message.payload[0], &parsed, why)) return false;
  if (isState) {
    NodeStateVectors vectors;
    vectors.tracking = tracking;
    Vector* targets[] = {&vectors.x, &vectors.y, &vectors.v};
    for (std::size_t f = 1; f < frames; ++f) {
      const auto& frame = message.payload[f];
      if (!readDenseFrame(frame.data(), frame.size(), dimension, *targets[f - 1], why)) return false;
      if (dimension < 0 && f > 1 && targets[f - 1]->size() != vectors.x.size())
        return fail(why, "DEC_STATE vectors differ in length");
    }
    if (state) *state = std::move(vectors);
  }
  *report = std::move(parsed);
  return true;
}

}  // namespace distopt::net
