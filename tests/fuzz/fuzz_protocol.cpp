// The DOPT frame header (net/protocol/message: decode), the parameter server's JOB, CANCEL and GRAD
// (job_messages, and the family codec its worker and coordinator roles decode them with:
// parameter_server_frames) and HEARTBEAT's clock frame (heartbeat_messages).
// Input: the frames of one message, header first, as a ROUTER hands them over after the identity.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "fuzz_messages.hpp"
#include "net/families/parameter_server/parameter_server_frames.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/job_messages.hpp"

namespace {

using namespace distopt;

void require(bool condition) {
  if (!condition) std::abort();
}

/// The same doubles, bit for bit (a NaN is kept as the bits it came in).
bool sameBits(const Eigen::Ref<const Vector>& a, const Eigen::Ref<const Vector>& b) {
  // (An empty vector may have no storage at all: memcmp must not see its null pointer.)
  return a.size() == b.size() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0);
}

/// What the family codec accepts it encodes again into frames its parser reads the same: the roles see
/// what was sent, whether the vector was shared from the frame (float64) or converted (float32).
void codecRoundTrip(const net::Message& message, std::int64_t dimension) {
  const auto codec = net::parameterServerCodec(dimension);
  std::string why;
  if (message.kind == net::MessageKind::Grad) {
    PsUp up;
    if (!codec.decodeUp(message, 3, &up, &why)) {
      // What the coordinator role is told of a refused GRAD: its header when the meta frame is whole.
      PsUp header;
      const auto answer = codec.refusedHeader(message, 3, &header);
      require(answer != net::RefusedAnswer::None);  // a GRAD always answers a job
      if (answer == net::RefusedAnswer::Read) require(header.gradient.empty());
      return;
    }
    require(dimension < 0 || up.gradient.size() == dimension);
    PsUp again;
    require(codec.decodeUp(codec.encodeUp(std::move(up), 3), 3, &again, &why));
    PsUp first;
    require(codec.decodeUp(message, 3, &first, &why));
    require(again.jobId == first.jobId && again.version == first.version);
    require(sameBits(again.gradient.view(), first.gradient.view()));
    return;
  }
  PsUp header;
  require(codec.refusedHeader(message, 3, &header) == net::RefusedAnswer::None);  // only a GRAD answers
  PsDown down;
  if (!codec.decodeDown(message, &down, &why)) return;
  PsDown again;
  require(codec.decodeDown(codec.encodeDown(down), &again, &why));
  require(down.index() == again.index());
  if (const auto* job = std::get_if<PsJob>(&down)) {
    const auto& other = std::get<PsJob>(again);
    require(job->jobId == other.jobId && job->version == other.version && job->gradients == other.gradients);
    require(job->gradients >= 1 && (dimension < 0 || job->model.size() == dimension));
    require(sameBits(job->model.view(), other.model.view()));
  } else {
    require(std::get<PsCancel>(down).jobId == std::get<PsCancel>(again).jobId);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  using namespace distopt::net;
  fuzz::FuzzInput input(data, size);
  // The run's model dimension, as a worker or the coordinator knows it; -1: any.
  const std::int64_t dimension = static_cast<std::int64_t>(input.upTo(4096)) - 1;
  DecodeError error = DecodeError::None;
  auto message = decode(fuzz::framesOf(input), &error);
  if (!message) {
    (void)decodeErrorName(error);
    return 0;
  }
  (void)messageKindName(message->kind);
  std::string why;
  switch (message->kind) {
    case MessageKind::Job: {
      JobMeta meta;
      Vector model;
      (void)parseJob(*message, dimension, &meta, &model, &why);
      codecRoundTrip(*message, dimension);
      break;
    }
    case MessageKind::Cancel: {
      std::uint64_t jobId = 0;
      (void)parseCancel(*message, &jobId, &why);
      codecRoundTrip(*message, dimension);
      break;
    }
    case MessageKind::Grad: {
      GradMeta meta;
      Vector gradient;
      (void)parseGrad(*message, dimension, &meta, &gradient, &why);
      codecRoundTrip(*message, dimension);
      break;
    }
    case MessageKind::Heartbeat: {
      std::optional<ClockMeta> clock;
      (void)parseHeartbeat(*message, &clock, &why);
      break;
    }
    default:
      // The JSON-bodied kinds (HELLO, WELCOME, READY, ERROR, ...) are read through jsonPayload first.
      (void)message->jsonPayload(0);
      break;
  }
  return 0;
}
