#pragma once
// ZeroMQ endpoints as libzmq reads them, so that what a guard checks is what a socket binds. A TCP
// endpoint may carry a source part before its last ';' ("tcp://SRC:PORT;DST:PORT"): libzmq binds and
// connects to the part after it, so a guard that looked at the start of the text alone was fooled by
// 'tcp://127.0.0.1:0;0.0.0.0:5591'. Every function here is a pure function of its text (no name lookup,
// no system call but getaddrinfo in resolvesToLoopbackOnly), so the parser can be fuzzed.

#include <optional>
#include <string>
#include <string_view>

namespace distopt::net {

/// One address part of a TCP endpoint: HOST:PORT, [IPV6]:PORT or *:PORT.
struct EndpointAddress {
  std::string host;        ///< without brackets; "*" for the wildcard
  std::string port;        ///< "*" (a free port) or decimal digits, 0..65535
  bool bracketed = false;  ///< the host was written in brackets (an IPv6 address)
};

struct Endpoint {
  /// "tcp", "ipc", "inproc", or another transport libzmq knows (pgm, epgm, tipc, vmci, ws, wss, udp).
  std::string transport;
  /// tcp: where the socket binds or connects (the part after the last ';').
  EndpointAddress address;
  /// tcp: the source part (before the last ';'), when given.
  std::optional<EndpointAddress> source;
  /// ipc: the path ("*" = a wildcard path, '@' first = Linux's abstract namespace); inproc: the name;
  /// other transports: the text after "://".
  std::string path;
};

/// Parses `text`; nullopt with *why when it is not an endpoint libzmq would read the same way.
std::optional<Endpoint> parseEndpoint(std::string_view text, std::string* why = nullptr);

/// The endpoint as text, as libzmq reads it (round trip of parseEndpoint).
std::string formatEndpoint(const Endpoint& endpoint);

/// True when `host` is a numeric loopback address: 127.a.b.c written as four decimal numbers, ::1, or
/// ::ffff:127.a.b.c. Names are not addresses (see resolvesToLoopbackOnly).
bool isLoopbackAddress(std::string_view host);

/// True when every address getaddrinfo gives for `name` is a loopback address (a name such as
/// "localhost"); false when it resolves to nothing or to anything else.
bool resolvesToLoopbackOnly(const std::string& name);

/// True for endpoints only this machine can reach: ipc://, inproc://, and tcp:// whose address (and
/// source, when given) is a loopback address or "localhost" resolving to loopback only. False, with *why,
/// for everything that cannot be proved to stay on this machine (a wildcard, another address, another
/// name, an interface name, another transport, or text that does not parse).
bool isLoopbackEndpoint(const std::string& endpoint, std::string* why = nullptr);

}  // namespace distopt::net
