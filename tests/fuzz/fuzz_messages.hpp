#pragma once
// Protocol messages from fuzz input (fuzz_input.hpp): the net harnesses' side of it.

#include <vector>

#include <zmq.hpp>

#include "fuzz_input.hpp"
#include "net/protocol/message.hpp"

namespace distopt::fuzz {

/// The remaining input as ZeroMQ frames (at most `maxFrames`).
inline std::vector<zmq::message_t> framesOf(FuzzInput& input, std::size_t maxFrames = 16) {
  std::vector<zmq::message_t> frames;
  while (!input.empty() && frames.size() < maxFrames) {
    const auto bytes = input.frame();
    frames.emplace_back(bytes.data(), bytes.size());
  }
  return frames;
}

/// A message of `kind` whose payload frames are the rest of the input.
inline net::Message messageOf(net::MessageKind kind, FuzzInput& input) {
  net::Message message = net::Message::of(kind);
  message.payload = framesOf(input);
  return message;
}

}  // namespace distopt::fuzz
