#include "net/protocol/json_fields.hpp"

#include <cmath>

namespace distopt::net {

std::optional<nlohmann::json> parseWireJsonObject(const char* data, std::size_t size, std::string* why) {
  auto fail = [why](const char* text) -> std::optional<nlohmann::json> {
    if (why) *why = text;
    return std::nullopt;
  };
  // Brackets outside strings: the nesting depth, found in one pass before anything is built.
  int depth = 0;
  bool inString = false;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = data[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxWireJsonDepth) return fail("JSON nested too deep");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  auto parsed = nlohmann::json::parse(data, data + size, /*callback=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail("not JSON");
  if (!parsed.is_object()) return fail("not a JSON object");
  return parsed;
}

JsonFields::JsonFields(const nlohmann::json& object, std::string what)
    : m_object(object), m_what(std::move(what)) {
  if (!m_object.is_object()) m_reason = m_what + ": must be a JSON object, got " + m_object.type_name();
}

bool JsonFields::refuse(const char* name, const std::string& text) {
  if (m_reason.empty()) m_reason = m_what + " \"" + name + "\": " + text;
  return false;
}

const nlohmann::json* JsonFields::find(const char* name, Presence presence) {
  const auto it = m_object.find(name);
  const bool absent = it == m_object.end() || (presence == Presence::OptionalOrNull && it->is_null());
  if (!absent) return &*it;
  if (presence == Presence::Required) refuse(name, "is missing");
  return nullptr;
}

bool JsonFields::string(const char* name, std::string* out, Presence presence, std::size_t maxBytes) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  if (!field->is_string()) return refuse(name, std::string("must be a string, got ") + field->type_name());
  const auto& text = field->get_ref<const std::string&>();
  if (text.size() > maxBytes) return refuse(name, "is longer than " + std::to_string(maxBytes) + " bytes");
  *out = text;
  return true;
}

bool JsonFields::integer(const char* name, std::int64_t* out, std::int64_t min, std::int64_t max,
                         Presence presence) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (field->is_number_unsigned()) {
    // Above INT64_MAX it cannot be in any signed range.
    const auto value = field->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        static_cast<std::int64_t>(value) > max || static_cast<std::int64_t>(value) < min)
      return refuse(name, "must be an integer in " + range);
    *out = static_cast<std::int64_t>(value);
    return true;
  }
  if (!field->is_number_integer())
    return refuse(name, std::string("must be an integer in ") + range + ", got " + field->type_name());
  const auto value = field->get<std::int64_t>();
  if (value < min || value > max) return refuse(name, "must be an integer in " + range);
  *out = value;
  return true;
}

bool JsonFields::integer(const char* name, int* out, int min, int max, Presence presence) {
  std::int64_t value = *out;  // stays when the field is absent
  if (!integer(name, &value, min, max, presence)) return false;
  *out = static_cast<int>(value);
  return true;
}

bool JsonFields::unsignedInteger(const char* name, std::uint64_t* out, std::uint64_t max, Presence presence) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  const std::string range = "[0, " + std::to_string(max) + "]";
  if (field->is_number_integer() && !field->is_number_unsigned() && field->get<std::int64_t>() < 0)
    return refuse(name, "must be an integer in " + range);
  if (!field->is_number_integer())
    return refuse(name, std::string("must be an integer in ") + range + ", got " + field->type_name());
  const auto value = field->get<std::uint64_t>();
  if (value > max) return refuse(name, "must be an integer in " + range);
  *out = value;
  return true;
}

bool JsonFields::number(const char* name, double* out, double min, double max, Presence presence) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  if (!field->is_number()) return refuse(name, std::string("must be a number, got ") + field->type_name());
  const double value = field->get<double>();
  if (!std::isfinite(value) || value < min || value > max)
    return refuse(name,
                  "must be a finite number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  *out = value;
  return true;
}

bool JsonFields::boolean(const char* name, bool* out, Presence presence) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  if (!field->is_boolean())
    return refuse(name, std::string("must be true or false, got ") + field->type_name());
  *out = field->get<bool>();
  return true;
}

bool JsonFields::object(const char* name, const nlohmann::json** out, Presence presence) {
  if (!ok()) return false;
  const nlohmann::json* field = find(name, presence);
  if (!field) return ok();
  if (!field->is_object()) return refuse(name, std::string("must be an object, got ") + field->type_name());
  *out = field;
  return true;
}

}  // namespace distopt::net
