#include "net/protocol/job_messages.hpp"

#include "net/protocol/wire_fields.hpp"

#include <cstring>

namespace distopt::net {
namespace {

using wire::fail;
using wire::get;
using wire::put;

bool checkShape(const Message& message, MessageKind kind, std::size_t frames, std::size_t metaSize, std::string* why) {
  if (message.kind != kind) return fail(why, std::string("expected ") + messageKindName(kind));
  if (message.payload.size() != frames)
    return fail(why, std::string(messageKindName(kind)) + " must have " + std::to_string(frames) + " payload frames, got " +
                         std::to_string(message.payload.size()));
  if (message.payload[0].size() != metaSize)
    return fail(why, std::string(messageKindName(kind)) + " meta frame must be " + std::to_string(metaSize) +
                         " bytes, got " + std::to_string(message.payload[0].size()));
  return true;
}

}  // namespace

zmq::message_t encodeVectorFrame(const Vector& x, VectorEncoding encoding) {
  zmq::message_t frame(denseFrameSize(static_cast<std::size_t>(x.size()), encoding));
  writeDenseFrame(x, encoding, frame.data());
  return frame;
}

Message makeJob(const JobMeta& meta, zmq::message_t&& modelFrame) {
  Message message = Message::of(MessageKind::Job);
  zmq::message_t head(kJobMetaSize);
  auto* bytes = static_cast<unsigned char*>(head.data());
  put<std::uint64_t>(bytes, 0, meta.jobId);
  put<std::uint64_t>(bytes, 8, meta.version);
  put<double>(bytes, 16, meta.startTime);
  put<std::uint32_t>(bytes, 24, meta.gradients);
  put<std::uint32_t>(bytes, 28, 0);
  put<double>(bytes, 32, meta.tauOverride);
  message.payload.push_back(std::move(head));
  message.payload.push_back(std::move(modelFrame));
  return message;
}

Message makeCancel(std::uint64_t jobId) {
  Message message = Message::of(MessageKind::Cancel);
  zmq::message_t head(kCancelMetaSize);
  put<std::uint64_t>(static_cast<unsigned char*>(head.data()), 0, jobId);
  message.payload.push_back(std::move(head));
  return message;
}

Message makeGrad(const GradMeta& meta, const Vector& gradient, VectorEncoding encoding) {
  return makeGrad(meta, encodeVectorFrame(gradient, encoding));
}

Message makeGrad(const GradMeta& meta, zmq::message_t&& gradientFrame) {
  Message message = Message::of(MessageKind::Grad);
  zmq::message_t head(kGradMetaSize);
  auto* bytes = static_cast<unsigned char*>(head.data());
  put<std::uint64_t>(bytes, 0, meta.jobId);
  put<std::uint64_t>(bytes, 8, meta.version);
  put<double>(bytes, 16, meta.tauTarget);
  put<double>(bytes, 24, meta.elapsed);
  put<double>(bytes, 32, meta.computeTime);
  put<double>(bytes, 40, meta.workerClock);
  message.payload.push_back(std::move(head));
  message.payload.push_back(std::move(gradientFrame));
  return message;
}

bool stampGradSent(Message& grad, double elapsed, double workerClock) {
  if (grad.kind != MessageKind::Grad || grad.payload.empty() || grad.payload[0].size() != kGradMetaSize)
    return false;
  auto* bytes = static_cast<unsigned char*>(grad.payload[0].data());
  put<double>(bytes, 24, elapsed);
  put<double>(bytes, 40, workerClock);
  return true;
}

bool parseJob(const Message& message, std::int64_t expectedDimension, JobMeta* meta, Vector* model, std::string* why) {
  DenseFrameView frame;
  if (!parseJobView(message, expectedDimension, meta, &frame, why)) return false;
  *model = frame.view(*model);
  return true;
}

bool parseJobView(const Message& message, std::int64_t expectedDimension, JobMeta* meta,
                  DenseFrameView* model, std::string* why) {
  if (!checkShape(message, MessageKind::Job, 2, kJobMetaSize, why)) return false;
  const auto* bytes = static_cast<const unsigned char*>(message.payload[0].data());
  JobMeta parsed;
  parsed.jobId = get<std::uint64_t>(bytes, 0);
  parsed.version = get<std::uint64_t>(bytes, 8);
  parsed.startTime = get<double>(bytes, 16);
  parsed.gradients = get<std::uint32_t>(bytes, 24);
  parsed.tauOverride = get<double>(bytes, 32);
  if (parsed.gradients < 1) return fail(why, "JOB gradients must be >= 1");
  const auto& frame = message.payload[1];
  if (!inspectDenseFrame(frame.data(), frame.size(), expectedDimension, model, why)) return false;
  *meta = parsed;
  return true;
}

bool parseCancel(const Message& message, std::uint64_t* jobId, std::string* why) {
  if (!checkShape(message, MessageKind::Cancel, 1, kCancelMetaSize, why)) return false;
  *jobId = get<std::uint64_t>(static_cast<const unsigned char*>(message.payload[0].data()), 0);
  return true;
}

bool parseGradMeta(const Message& message, GradMeta* meta) {
  if (message.kind != MessageKind::Grad || message.payload.empty() ||
      message.payload[0].size() != kGradMetaSize)
    return false;
  const auto* bytes = static_cast<const unsigned char*>(message.payload[0].data());
  meta->jobId = get<std::uint64_t>(bytes, 0);
  meta->version = get<std::uint64_t>(bytes, 8);
  meta->tauTarget = get<double>(bytes, 16);
  meta->elapsed = get<double>(bytes, 24);
  meta->computeTime = get<double>(bytes, 32);
  meta->workerClock = get<double>(bytes, 40);
  return true;
}

bool parseGradView(const Message& message, std::int64_t expectedDimension, GradMeta* meta, DenseFrameView* gradient,
                   std::string* why) {
  if (!checkShape(message, MessageKind::Grad, 2, kGradMetaSize, why)) return false;
  GradMeta parsed;
  parseGradMeta(message, &parsed);
  const auto& frame = message.payload[1];
  if (!inspectDenseFrame(frame.data(), frame.size(), expectedDimension, gradient, why)) return false;
  *meta = parsed;
  return true;
}

bool parseGrad(const Message& message, std::int64_t expectedDimension, GradMeta* meta, Vector* gradient,
               std::string* why) {
  DenseFrameView frame;
  if (!parseGradView(message, expectedDimension, meta, &frame, why)) return false;
  *gradient = frame.view(*gradient);
  return true;
}

}  // namespace distopt::net
