#include "net/security/curve_keys.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <nlohmann/json.hpp>

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

std::optional<CurveKeyPair> readKeyFile(const std::string& path, std::string* why) {
  auto fail = [&](const std::string& text) -> std::optional<CurveKeyPair> {
    if (why) *why = path + ": " + text;
    return std::nullopt;
  };
  std::ifstream in(path);
  if (!in) return fail("cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
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

bool writeKeyFile(const std::string& path, const CurveKeyPair& keys, std::string* why) {
  auto fail = [&](const std::string& text) {
    if (why) *why = path + ": " + text;
    return false;
  };
  // Created 0600 from the first byte (never world-readable, not even for a moment, whatever the umask),
  // under a name of its own beside the target (O_EXCL: never a file someone else planted there), then
  // renamed over it: a reader sees the old key file or the new one, never half of one.
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return fail(std::string("cannot be written: ") + std::strerror(errno));
  const std::string text =
      nlohmann::json{{"public", keys.publicKey}, {"secret", keys.secretKey}}.dump(2) + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool complete = written == text.size() && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!complete || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int cause = complete ? errno : error;
    ::unlink(temporary.c_str());
    return fail(std::string("cannot be written: ") + std::strerror(cause));
  }
  return true;
}

}  // namespace distopt::net
