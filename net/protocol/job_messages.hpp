#pragma once
// JOB, CANCEL and GRAD (net/PROTOCOL.md §5-§7): builders and strict parsers. A parser refuses anything
// whose frame count, meta size or vector frame differs from the protocol, and says why.

#include <cstdint>
#include <limits>
#include <string>

#include "core/codec/dense_codec.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

inline constexpr std::size_t kJobMetaSize = 40;
inline constexpr std::size_t kCancelMetaSize = 8;
inline constexpr std::size_t kGradMetaSize = 48;

struct JobMeta {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;
  double startTime = 0.0;   ///< coordinator time units since the run started
  std::uint32_t gradients = 1;
  double tauOverride = std::numeric_limits<double>::quiet_NaN();
};

struct GradMeta {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;
  double tauTarget = 0.0;    ///< units
  double elapsed = 0.0;      ///< seconds
  double computeTime = 0.0;  ///< seconds
  double workerClock = 0.0;  ///< seconds, worker's monotonic clock
};

/// A JOB whose model frame is `modelFrame` (from encodeVectorFrame; moved in).
Message makeJob(const JobMeta& meta, zmq::message_t&& modelFrame);
Message makeCancel(std::uint64_t jobId);
Message makeGrad(const GradMeta& meta, const Vector& gradient, VectorEncoding encoding = VectorEncoding::DenseFloat64);
/// A GRAD whose vector frame is already written (e.g. computed in place after beginFloat64Frame; moved in).
Message makeGrad(const GradMeta& meta, zmq::message_t&& gradientFrame);

/// Writes the GRAD meta fields only known when it leaves (seconds since its JOB arrived, the worker's
/// clock) into `grad`, built earlier by makeGrad; false for a message that is no such GRAD.
bool stampGradSent(Message& grad, double elapsed, double workerClock);

/// A vector frame for `x`, written once; copy it with zmq::message_t::copy to send the same model to
/// many workers (ZeroMQ shares the buffer instead of copying it).
zmq::message_t encodeVectorFrame(const Vector& x, VectorEncoding encoding = VectorEncoding::DenseFloat64);

/// Parsers; `expectedDimension` < 0 accepts any dimension.
bool parseJob(const Message& message, std::int64_t expectedDimension, JobMeta* meta, Vector* model, std::string* why);
/// parseJob without converting the model: `model` points into the message, valid while it lives.
bool parseJobView(const Message& message, std::int64_t expectedDimension, JobMeta* meta,
                  DenseFrameView* model, std::string* why);
bool parseCancel(const Message& message, std::uint64_t* jobId, std::string* why);
bool parseGrad(const Message& message, std::int64_t expectedDimension, GradMeta* meta, Vector* gradient,
               std::string* why);
/// Only the GRAD's meta frame (which job it answers), when there is one of the right size, whatever the rest.
bool parseGradMeta(const Message& message, GradMeta* meta);
/// parseGrad without converting the vector: `gradient` points into the message, valid while it lives.
bool parseGradView(const Message& message, std::int64_t expectedDimension, GradMeta* meta, DenseFrameView* gradient,
                   std::string* why);

}  // namespace distopt::net
