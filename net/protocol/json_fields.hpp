#pragma once
// Checked reads of JSON fields that came from outside (wire messages, control requests): the one place
// that turns a peer's JSON into typed values. A field of the wrong type, out of range, not finite or too
// long never throws (nlohmann's get<> and value() do: one wrongly typed field used to abort the
// coordinator); the first bad field gives a refusal reason that names the message and the field, and
// the caller refuses the whole message with it (net/PROTOCOL.md §8).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace distopt::net {

/// Whether a field must be there. Optional: absent leaves the output as it was. OptionalOrNull: null
/// counts as absent too (PROTOCOL.md's "int or null"). Everywhere else null is a wrong type.
enum class Presence { Required, Optional, OptionalOrNull };

/// Strings from peers are names, hosts, reasons and keys: none is longer than this.
inline constexpr std::size_t kMaxWireStringBytes = 4096;

/// Objects and arrays from peers nest no deeper than this (an experiment document nests about 5 deep).
/// Deeper text is refused before it is parsed: nlohmann's copy and dump recurse once per level, and a
/// frame of 100k '[' would overflow the stack.
inline constexpr int kMaxWireJsonDepth = 64;

/// Parses bytes from a peer as a JSON object; nullopt (with *why when given) for anything else: not
/// JSON, not an object, or nested deeper than kMaxWireJsonDepth. Never throws.
std::optional<nlohmann::json> parseWireJsonObject(const char* data, std::size_t size,
                                                  std::string* why = nullptr);

/// Reads fields of one JSON object; the first refusal sticks (later reads return false at once), so a
/// parser reads every field and then looks at ok() once.
class JsonFields {
 public:
  /// `object` must outlive this; `what` names the message in reasons ("HELLO", "control request").
  /// Anything but an object is refused at once.
  JsonFields(const nlohmann::json& object, std::string what);

  bool string(const char* name, std::string* out, Presence presence = Presence::Required,
              std::size_t maxBytes = kMaxWireStringBytes);
  /// An integer in [min, max]; a number with a fraction, a bool or a string is refused.
  bool integer(const char* name, std::int64_t* out, std::int64_t min, std::int64_t max,
               Presence presence = Presence::Required);
  /// integer() into an int, whose range bounds [min, max] too.
  bool integer(const char* name, int* out, int min = std::numeric_limits<int>::min(),
               int max = std::numeric_limits<int>::max(), Presence presence = Presence::Required);
  /// An unsigned integer up to `max` (seeds and counters above 2^63).
  bool unsignedInteger(const char* name, std::uint64_t* out,
                       std::uint64_t max = std::numeric_limits<std::uint64_t>::max(),
                       Presence presence = Presence::Required);
  /// A finite number in [min, max] (integers are numbers too).
  bool number(const char* name, double* out, double min = -std::numeric_limits<double>::max(),
              double max = std::numeric_limits<double>::max(), Presence presence = Presence::Required);
  bool boolean(const char* name, bool* out, Presence presence = Presence::Required);
  /// A JSON object field; *out points into the object read.
  bool object(const char* name, const nlohmann::json** out, Presence presence = Presence::Required);

  bool ok() const { return m_reason.empty(); }
  /// Why the message is refused, e.g. `HELLO "host": must be a string, got number`; empty when ok().
  const std::string& reason() const { return m_reason; }

 private:
  /// The field, or nullptr when absent (or null under OptionalOrNull); sets the reason when a required
  /// field is missing.
  const nlohmann::json* find(const char* name, Presence presence);
  bool refuse(const char* name, const std::string& text);

  const nlohmann::json& m_object;
  std::string m_what;
  std::string m_reason;
};

}  // namespace distopt::net
