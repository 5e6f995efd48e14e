#include "net/protocol/endpoint.hpp"

#include <array>
#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace distopt::net {
namespace {

bool fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

bool isNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

bool isIpv6Character(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

/// HOST:PORT, [IPV6]:PORT or *:PORT, as libzmq's resolver splits it (the port after the last ':').
std::optional<EndpointAddress> parseAddress(std::string_view text, const char* part, std::string* why) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    fail(why, std::string(part) + " '" + std::string(text) + "' has no port (HOST:PORT)");
    return std::nullopt;
  }
  EndpointAddress address;
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (port == "*") {
    address.port = "*";
  } else {
    if (port.empty() || port.size() > 5) {
      fail(why, std::string(part) + " port '" + std::string(port) + "' is not * or 0..65535");
      return std::nullopt;
    }
    unsigned value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9') {
        fail(why, std::string(part) + " port '" + std::string(port) + "' is not * or 0..65535");
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) {
      fail(why, std::string(part) + " port '" + std::string(port) + "' is not * or 0..65535");
      return std::nullopt;
    }
    address.port = std::string(port);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    address.bracketed = true;
    // An IPv6 address, possibly with a zone ("%eth0") that names an interface.
    const auto zone = host.find('%');
    const std::string_view numeric = host.substr(0, zone);
    bool ok = !numeric.empty() && numeric.find(':') != std::string_view::npos;
    for (const char c : numeric) ok = ok && isIpv6Character(c);
    if (zone != std::string_view::npos) {
      const std::string_view name = host.substr(zone + 1);
      ok = ok && !name.empty();
      for (const char c : name) ok = ok && isNameCharacter(c);
    }
    if (!ok) {
      fail(why, std::string(part) + " '[" + std::string(host) + "]' is not an IPv6 address");
      return std::nullopt;
    }
  } else if (host != "*") {
    bool ok = !host.empty() && host.size() <= 253;
    for (const char c : host) ok = ok && isNameCharacter(c);
    if (!ok) {
      fail(why, std::string(part) + " host '" + std::string(host) +
                    "' is not an address, a name or * (IPv6 addresses go in brackets: [::1])");
      return std::nullopt;
    }
  }
  address.host = std::string(host);
  return address;
}

std::string formatAddress(const EndpointAddress& address) {
  return (address.bracketed ? "[" + address.host + "]" : address.host) + ":" + address.port;
}

/// True for "a.b.c.d", four decimal numbers 0..255 without leading zeros (which some readers take as
/// octal): the only IPv4 form this accepts as proof of anything.
bool parseDottedQuad(std::string_view text, std::array<unsigned, 4>* parts) {
  std::size_t index = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.') {
      if (text[i] < '0' || text[i] > '9') return false;
      continue;
    }
    const std::string_view number = text.substr(start, i - start);
    if (index >= 4 || number.empty() || number.size() > 3 || (number.size() > 1 && number[0] == '0'))
      return false;
    unsigned value = 0;
    for (const char c : number) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 255) return false;
    (*parts)[index++] = value;
    start = i + 1;
  }
  return index == 4;
}

bool isLoopbackSocketAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

bool isLoopbackHost(const EndpointAddress& address, const char* part, std::string* why) {
  if (isLoopbackAddress(address.host)) return true;
  if (!address.bracketed && address.host == "localhost") {
    if (resolvesToLoopbackOnly(address.host)) return true;
    return fail(why, std::string(part) + " 'localhost' resolves to an address that is not loopback");
  }
  if (address.host == "*")
    return fail(why, std::string(part) + " '*' is every interface of this machine, not loopback");
  return fail(why, std::string(part) + " '" + address.host +
                       "' is not a loopback address (127.x.y.z, [::1] or localhost); names and interface "
                       "names cannot be proved to stay on this machine");
}

}  // namespace

std::optional<Endpoint> parseEndpoint(std::string_view text, std::string* why) {
  const auto scheme = text.find("://");
  if (scheme == std::string_view::npos || scheme == 0) {
    fail(why, "'" + std::string(text) + "' is not a ZeroMQ endpoint such as tcp://127.0.0.1:5555");
    return std::nullopt;
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      fail(why, "an endpoint has no spaces or control characters");
      return std::nullopt;
    }
  }
  Endpoint endpoint;
  endpoint.transport = std::string(text.substr(0, scheme));
  const std::string_view rest = text.substr(scheme + 3);
  if (endpoint.transport == "tcp") {
    const auto split = rest.rfind(';');
    const std::string_view destination = split == std::string_view::npos ? rest : rest.substr(split + 1);
    auto address = parseAddress(destination, "address", why);
    if (!address) return std::nullopt;
    endpoint.address = std::move(*address);
    if (split != std::string_view::npos) {
      auto source = parseAddress(rest.substr(0, split), "source", why);
      if (!source) return std::nullopt;
      endpoint.source = std::move(*source);
    }
    return endpoint;
  }
  static constexpr std::array<std::string_view, 9> kOthers = {"ipc",  "inproc", "pgm", "epgm", "tipc",
                                                              "vmci", "ws",     "wss", "udp"};
  bool known = false;
  for (const auto other : kOthers) known = known || endpoint.transport == other;
  if (!known) {
    fail(why, "'" + endpoint.transport + "' is not a ZeroMQ transport (tcp, ipc, inproc, ...)");
    return std::nullopt;
  }
  if (rest.empty()) {
    fail(why, endpoint.transport + "://: the " + (endpoint.transport == "ipc" ? "path" : "address") +
                  " is missing");
    return std::nullopt;
  }
  endpoint.path = std::string(rest);
  return endpoint;
}

std::string formatEndpoint(const Endpoint& endpoint) {
  if (endpoint.transport != "tcp") return endpoint.transport + "://" + endpoint.path;
  return "tcp://" + (endpoint.source ? formatAddress(*endpoint.source) + ";" : std::string()) +
         formatAddress(endpoint.address);
}

bool isLoopbackAddress(std::string_view host) {
  std::array<unsigned, 4> parts{};
  if (parseDottedQuad(host, &parts)) return parts[0] == 127;
  if (host.find(':') == std::string_view::npos || host.find('%') != std::string_view::npos ||
      host.size() > 64)
    return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  const std::string text(host);
  if (inet_pton(AF_INET6, text.c_str(), &address.sin6_addr) != 1) return false;
  return isLoopbackSocketAddress(reinterpret_cast<const sockaddr*>(&address));
}

bool resolvesToLoopbackOnly(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &results) != 0 || !results) return false;
  bool loopback = true;
  for (const addrinfo* result = results; result; result = result->ai_next)
    loopback = loopback && isLoopbackSocketAddress(result->ai_addr);
  freeaddrinfo(results);
  return loopback;
}

bool isLoopbackEndpoint(const std::string& endpoint, std::string* why) {
  const auto parsed = parseEndpoint(endpoint, why);
  if (!parsed) return false;
  if (parsed->transport == "ipc" || parsed->transport == "inproc") return true;
  if (parsed->transport != "tcp")
    return fail(why,
                parsed->transport + ":// endpoints reach beyond this machine; use tcp://127.0.0.1 or ipc://");
  if (parsed->source && !isLoopbackHost(*parsed->source, "source", why)) return false;
  return isLoopbackHost(parsed->address, "address", why);
}

}  // namespace distopt::net
