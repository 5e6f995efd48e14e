#include "core/decentralized/gossip_message.hpp"

#include <cstring>

namespace distopt {
namespace {

constexpr std::uint8_t kMagic0 = 'G';
constexpr std::uint8_t kMagic1 = 'T';
constexpr std::uint8_t kVersion = 1;

template <typename T>
void putLittle(std::uint8_t* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff);
}

template <typename T>
T getLittle(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return static_cast<T>(value);
}

}  // namespace

const char* gossipPhaseName(GossipPhase phase) {
  switch (phase) {
    case GossipPhase::X:
      return "X";
    case GossipPhase::Y:
      return "Y";
    case GossipPhase::Y0:
      return "Y0";
    case GossipPhase::XY:
      return "XY";
  }
  return "?";
}

std::size_t gossipMessageSize(std::size_t count, VectorEncoding encoding) {
  return kGossipHeaderSize + denseFrameSize(count, encoding);
}

std::vector<std::uint8_t> encodeGossipMessage(const GossipTag& tag, const Vector& payload,
                                              VectorEncoding encoding) {
  std::vector<std::uint8_t> bytes(gossipMessageSize(static_cast<std::size_t>(payload.size()), encoding));
  std::uint8_t* out = bytes.data();
  out[0] = kMagic0;
  out[1] = kMagic1;
  out[2] = kVersion;
  out[3] = static_cast<std::uint8_t>(tag.phase);
  putLittle<std::uint16_t>(out + 4, tag.round);
  putLittle<std::uint16_t>(out + 6, 0);
  putLittle<std::uint32_t>(out + 8, tag.sender);
  putLittle<std::uint64_t>(out + 12, tag.iteration);
  writeDenseFrame(payload, encoding, out + kGossipHeaderSize);
  return bytes;
}

bool peekGossipTag(std::span<const std::uint8_t> bytes, GossipTag& tag) {
  if (bytes.size() < kGossipHeaderSize) return false;
  const std::uint8_t* in = bytes.data();
  if (in[0] != kMagic0 || in[1] != kMagic1 || in[2] != kVersion || in[3] < 1 || in[3] > 4) return false;
  tag.phase = static_cast<GossipPhase>(in[3]);
  tag.round = getLittle<std::uint16_t>(in + 4);
  tag.sender = getLittle<std::uint32_t>(in + 8);
  tag.iteration = getLittle<std::uint64_t>(in + 12);
  return true;
}

bool decodeGossipMessage(std::span<const std::uint8_t> bytes, std::int64_t expectedCount, GossipTag& tag,
                         Vector& payload, std::string* why) {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (bytes.size() < kGossipHeaderSize) return fail("gossip message shorter than its header");
  const std::uint8_t* in = bytes.data();
  if (in[0] != kMagic0 || in[1] != kMagic1) return fail("not a gossip message (bad magic)");
  if (in[2] != kVersion) return fail("unsupported gossip message version");
  if (in[3] < 1 || in[3] > 4) return fail("unknown gossip phase");
  tag.phase = static_cast<GossipPhase>(in[3]);
  tag.round = getLittle<std::uint16_t>(in + 4);
  tag.sender = getLittle<std::uint32_t>(in + 8);
  tag.iteration = getLittle<std::uint64_t>(in + 12);
  if (tag.round == 0) return fail("gossip round 0 does not exist");
  return readDenseFrame(in + kGossipHeaderSize, bytes.size() - kGossipHeaderSize, expectedCount, payload,
                        why);
}

}  // namespace distopt
