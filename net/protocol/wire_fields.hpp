#pragma once
// Fixed-size little-endian fields of the binary meta frames, and the parsers' "refuse with a reason",
// shared by every message module (net/protocol and net/families/*). The static_assert in
// core/codec/dense_codec.cpp pins the host byte order, so a field is its bytes in memory.

#include <cstddef>
#include <cstring>
#include <string>

namespace distopt::net::wire {

template <typename T>
void put(unsigned char* out, std::size_t offset, T value) {
  std::memcpy(out + offset, &value, sizeof(T));
}

template <typename T>
T get(const unsigned char* in, std::size_t offset) {
  T value;
  std::memcpy(&value, in + offset, sizeof(T));
  return value;
}

/// Sets *why (when given) and returns false: `return fail(why, "...")` in a parser.
inline bool fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

}  // namespace distopt::net::wire
