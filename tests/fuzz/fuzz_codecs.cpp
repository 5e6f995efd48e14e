// Every codec decoder of core/codec behind the 32-byte compressed frame header (readFrameHeader), as a
// compressed-family role meets them: agreed parameters first (bucket, levels, segments, then the
// ternary path as a sparse set), then one whole frame. Also the dense vector frame of PROTOCOL.md §6.
#include <cstddef>
#include <cstdint>

#include "codec_dispatch.hpp"
#include "core/codec/dense_codec.hpp"
#include "fuzz_input.hpp"

namespace {

// Large enough for every path of every codec, small enough that a run explores decoding, not memset.
constexpr std::uint64_t kMaxDimension = 1 << 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt;
  fuzz::FuzzInput input(data, size);
  fuzz::CodecParameters parameters;
  parameters.bucket = 1 + input.upTo(kMaxDimension - 1);
  parameters.levels = static_cast<std::uint32_t>(1 + input.upTo(0xfffe));
  parameters.segments = static_cast<std::size_t>(1 + input.upTo(255));
  const bool denseFrame = input.byte() & 1U;
  const auto frame = input.rest();
  std::string why;
  if (denseFrame) {
    Vector out;
    (void)readDenseFrame(frame.data(), frame.size(), -1, out, &why);
    DenseFrameView view;
    if (inspectDenseFrame(frame.data(), frame.size(), -1, &view, &why)) {
      Vector scratch;
      (void)view.view(scratch);
    }
    return 0;
  }
  FrameHeader header;
  if (!readFrameHeader(frame.data(), frame.size(), header, &why)) return 0;
  if (header.dimension > kMaxDimension) return 0;
  EncodedMessage message;
  message.codec = header.codec;
  message.payloadBits = header.payloadBits;
  message.bytes.assign(frame.begin() + kCompressedHeaderSize, frame.end());
  (void)fuzz::decodeAny(message, header.dimension, parameters);
  return 0;
}
