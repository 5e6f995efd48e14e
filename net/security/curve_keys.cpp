#include "net/security/curve_keys.hpp"

#include <array>
#include <fstream>
#include <regex>
#include <sstream>

#include <zmq.h>

#include <nlohmann/json.hpp>

#include "net/security/private_file.hpp"

namespace distopt::net {

bool curveAvailable() { return zmq_has("curve") != 0; }

CurveKeyPair makeCurveKeyPair() {
  std::array<char, 41> publicKey{};
  std::array<char, 41> secretKey{};
  if (zmq_curve_keypair(publicKey.data(), secretKey.data()) != 0) return {};
  return {publicKey.data(), secretKey.data()};
}

bool isCurveKey(const std::string& key) {
  if (key.size() != 40) return false;
  std::array<std::uint8_t, 32> bytes{};
  return zmq_z85_decode(bytes.data(), key.c_str()) != nullptr;
}

std::optional<CurveKeyPair> keyPairFromSecret(const std::string& secretKey) {
  if (!isCurveKey(secretKey)) return std::nullopt;
  std::array<char, 41> publicKey{};
  if (zmq_curve_public(publicKey.data(), secretKey.c_str()) != 0) return std::nullopt;
  return CurveKeyPair{publicKey.data(), secretKey};
}

namespace {

/// A key file's text (JSON or zcert) as a key pair; nullopt with *why (no file name) when malformed.
std::optional<CurveKeyPair> parseKeyText(const std::string& text, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<CurveKeyPair> {
    if (why) *why = reason;
    return std::nullopt;
  };
  std::string publicKey;
  std::string secretKey;
  const auto document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_object()) {
    for (const auto& [field, target] : {std::pair{"public", &publicKey}, std::pair{"secret", &secretKey}}) {
      const auto it = document.find(field);
      if (it == document.end()) continue;
      if (!it->is_string()) return fail(std::string("\"") + field + "\" must be a Z85 key in a string");
      *target = it->get<std::string>();
    }
  } else {
    // ZeroMQ certificate format (zcert): key = "value" lines.
    static const std::regex publicLine(R"re(public-key\s*=\s*"([^"]{40})")re");
    static const std::regex secretLine(R"re(secret-key\s*=\s*"([^"]{40})")re");
    std::smatch match;
    if (std::regex_search(text, match, publicLine)) publicKey = match[1];
    if (std::regex_search(text, match, secretLine)) secretKey = match[1];
  }
  if (secretKey.empty()) return fail("has no secret key (JSON \"secret\" or zcert secret-key)");
  auto pair = keyPairFromSecret(secretKey);
  if (!pair) return fail("the secret key is not a 40-character Z85 CURVE key");
  if (!publicKey.empty() && publicKey != pair->publicKey)
    return fail("the public key does not belong to the secret key");
  return pair;
}

}  // namespace

std::optional<CurveKeyPair> readKeyFile(const std::string& path, std::string* why) {
  std::ifstream in(path);
  if (!in) {
    if (why) *why = path + ": cannot be read";
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto pair = parseKeyText(buffer.str(), why);
  if (!pair && why) *why = path + ": " + *why;
  return pair;
}

std::optional<CurveKeyPair> readServerKeyFile(const std::string& path, std::string* why) {
  const auto text = readPrivateFile(path, kMaxKeyFileBytes, why);
  if (!text) return std::nullopt;
  auto pair = parseKeyText(*text, why);
  if (!pair && why) *why = path + ": " + *why;
  return pair;
}

bool writeKeyFile(const std::string& path, const CurveKeyPair& keys, std::string* why) {
  return writePrivateFile(
      path, nlohmann::json{{"public", keys.publicKey}, {"secret", keys.secretKey}}.dump(2) + "\n", why);
}

}  // namespace distopt::net
