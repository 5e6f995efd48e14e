#include "net/families/parameter_server/parameter_server_frames.hpp"

#include <string>
#include <chrono>

#include "net/protocol/job_messages.hpp"

namespace distopt::net {
namespace {

/// More stochastic gradients per job than any method asks for (a minibatch's local b is a few): a JOB
/// asking for more is a broken or hostile coordinator, not a long job.
constexpr std::uint32_t kMostJobGradients = 1U << 20;

/// A payload's bytes inside a dense float64 frame: one that arrived (shared with the message it came in:
/// ZeroMQ counts a frame's users instead of copying it) or one made to be sent.
class FrameStorage final : public VectorStorage {
 public:
  zmq::message_t frame;
};

/// A received vector frame's coordinates: in place for float64, converted for float32.
VectorPayload receivedPayload(const zmq::message_t& received, const DenseFrameView& view) {
  if (view.encoding != VectorEncoding::DenseFloat64) {
    Vector scratch;
    return VectorPayload(Vector(view.view(scratch)));
  }
  auto storage = std::make_shared<FrameStorage>();
  // zmq_msg_copy takes the source by pointer to non-const (it marks the content shared); the bytes stay.
  storage->frame.copy(const_cast<zmq::message_t&>(received));
  const auto offset = view.coordinates - static_cast<const unsigned char*>(received.data());
  auto* data = reinterpret_cast<double*>(static_cast<unsigned char*>(storage->frame.data()) + offset);
  return VectorPayload(std::move(storage), data, view.count);
}

/// Room for a vector that leaves in a float64 frame: the frame itself.
VectorPayload frameToWrite(Eigen::Index size) {
  auto storage = std::make_shared<FrameStorage>();
  const auto count = static_cast<std::size_t>(size);
  storage->frame.rebuild(denseFrameSize(count, VectorEncoding::DenseFloat64));
  double* data = beginFloat64Frame(count, storage->frame.data());
  return VectorPayload(std::move(storage), data, size);
}

/// The frame that carries `payload`: its own when it lives in one (a complete float64 frame, shared),
/// else encoded.
zmq::message_t frameOf(const VectorPayload& payload) {
  zmq::message_t frame;
  if (auto* storage = dynamic_cast<FrameStorage*>(payload.storage())) {
    frame.copy(storage->frame);
    return frame;
  }
  const auto count = static_cast<std::size_t>(payload.size());
  frame.rebuild(denseFrameSize(count, VectorEncoding::DenseFloat64));
  Eigen::Map<Vector>(beginFloat64Frame(count, frame.data()), payload.size()) = payload.view();
  return frame;
}

}  // namespace

RoleCodec<PsDown, PsUp> parameterServerCodec(std::int64_t dimension) {
  return {
      .encodeDown =
          [](const PsDown& down) {
            if (const auto* cancel = std::get_if<PsCancel>(&down)) return makeCancel(cancel->jobId);
            const auto& job = std::get<PsJob>(down);
            return makeJob(JobMeta{.jobId = job.jobId,
                                   .version = job.version,
                                   .startTime = job.startTime,
                                   .gradients = static_cast<std::uint32_t>(job.gradients),
                                   .tauOverride = job.tau},
                           frameOf(job.model));
          },
      .decodeDown =
          [dimension](const Message& message, PsDown* out, std::string* why) {
            if (message.kind == MessageKind::Cancel) {
              PsCancel cancel;
              if (!parseCancel(message, &cancel.jobId, why)) return false;
              *out = cancel;
              return true;
            }
            if (message.kind != MessageKind::Job) {
              if (why) *why = std::string(messageKindName(message.kind)) + " is not for a parameter-server worker";
              return false;
            }
            JobMeta meta;
            DenseFrameView model;
            if (!parseJobView(message, dimension, &meta, &model, why)) return false;
            if (meta.gradients > kMostJobGradients) {
              if (why) *why = "JOB gradients " + std::to_string(meta.gradients) + " exceeds " + std::to_string(kMostJobGradients);
              return false;
            }
            // The role checks what the frames cannot say wrong by their shape (a start time, a duration).
            *out = PsJob{.jobId = meta.jobId,
                         .version = meta.version,
                         .gradients = static_cast<int>(meta.gradients),
                         .startTime = meta.startTime,
                         .tau = meta.tauOverride,
                         .model = receivedPayload(message.payload[1], model)};
            return true;
          },
      .encodeUp =
          [](const PsUp& grad, int) {
            // Elapsed seconds and the worker's clock are written when the GRAD leaves (stampSent).
            return makeGrad(GradMeta{.jobId = grad.jobId,
                                     .version = grad.version,
                                     .tauTarget = grad.tau,
                                     .computeTime = grad.computeSeconds},
                            frameOf(grad.gradient));
          },
      .decodeUp =
          [dimension](const Message& message, int, PsUp* out, std::string* why) {
            GradMeta meta;
            DenseFrameView gradient;
            if (!parseGradView(message, dimension, &meta, &gradient, why)) return false;
            *out = PsGrad{.jobId = meta.jobId,
                          .version = meta.version,
                          .tau = meta.tauTarget,
                          .computeSeconds = meta.computeTime,
                          .elapsed = meta.elapsed,
                          .sentClock = meta.workerClock,
                          .gradient = receivedPayload(message.payload[1], gradient)};
            return true;
          },
      .outgoingVector = frameToWrite,
      .stampSent =
          [](Message& message, double elapsed) {
            const double clock =
                std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
            stampGradSent(message, elapsed, clock);
          },
      .refusedHeader =
          [](const Message& message, int, PsUp* header) {
            // Only a GRAD answers a job; one whose gradient was refused still names its job when its
            // meta frame is whole.
            if (message.kind != MessageKind::Grad) return RefusedAnswer::None;
            GradMeta meta;
            if (!parseGradMeta(message, &meta)) return RefusedAnswer::Unreadable;
            header->jobId = meta.jobId;
            header->version = meta.version;
            return RefusedAnswer::Read;
          },
      .sentClock = [](const PsUp& grad) { return grad.sentClock; },
  };
}

}  // namespace distopt::net
