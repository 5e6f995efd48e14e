// The session's JSON messages as each side reads them (net/protocol/session_messages: HELLO, WELCOME,
// ASSIGN, READY, ERROR, STOP), after the frame decoder. Every parser runs on every decoded message, so
// a body meant for one kind is also tried as each other's: none may throw or abort, whatever the types,
// ranges, sizes or nesting of its fields.
// Input: the frames of one message, header first, as a ROUTER hands them over after the identity.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_messages.hpp"
#include "net/protocol/session_messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt::net;
  distopt::fuzz::FuzzInput input(data, size);
  DecodeError error = DecodeError::None;
  auto message = decode(distopt::fuzz::framesOf(input), &error);
  if (!message) return 0;
  std::string why;
  HelloBody hello;
  (void)parseHello(*message, &hello, &why);
  WelcomeBody welcome;
  (void)parseWelcome(*message, &welcome, &why);
  AssignBody assign;
  (void)parseAssign(*message, &assign, &why);
  ReadyBody ready;
  (void)parseReady(*message, &ready, &why);
  ErrorBody errorBody;
  (void)parseError(*message, &errorBody, &why);
  std::string reason;
  (void)parseStop(*message, &reason, &why);
  return 0;
}
