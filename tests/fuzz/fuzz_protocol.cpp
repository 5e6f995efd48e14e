// The DOPT frame header (net/protocol/message: decode) and the meta frames of the messages every
// method shares: JOB, CANCEL, GRAD (job_messages) and HEARTBEAT's clock frame (heartbeat_messages).
// Input: the frames of one message, header first, as a ROUTER hands them over after the identity.
#include <cstddef>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "fuzz_messages.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/job_messages.hpp"

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
      break;
    }
    case MessageKind::Cancel: {
      std::uint64_t jobId = 0;
      (void)parseCancel(*message, &jobId, &why);
      break;
    }
    case MessageKind::Grad: {
      GradMeta meta;
      Vector gradient;
      (void)parseGrad(*message, dimension, &meta, &gradient, &why);
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
