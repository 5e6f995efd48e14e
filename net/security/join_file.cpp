#include "net/security/join_file.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "net/protocol/endpoint.hpp"
#include "net/security/curve_keys.hpp"
#include "net/security/private_file.hpp"

namespace distopt::net {

bool JoinInfo::isValid(std::string* why) const {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  std::string reason;
  const auto parsed = parseEndpoint(endpoint, &reason);
  if (!parsed) return fail("\"endpoint\": " + reason);
  // A worker connects: a wildcard (what a coordinator binds) names no machine or port to connect to.
  if (parsed->transport == "tcp" && (parsed->address.host == "*" || parsed->address.port == "*"))
    return fail("\"endpoint\": " + endpoint + " is a wildcard, not an address a worker can connect to");
  if (!serverKey.empty() && !isCurveKey(serverKey))
    return fail("\"server_key\" is not a 40-character Z85 CURVE public key");
  if (!joinToken.empty()) {
    if (serverKey.empty())
      return fail("\"join_token\" without \"server_key\" (a token is for a secured run)");
    if (!keyPairFromSecret(joinToken)) return fail("\"join_token\" is not a 40-character Z85 join token");
  }
  return true;
}

std::string formatJoinFile(const JoinInfo& info) {
  nlohmann::json document{{"distopt_join", kJoinFileVersion}, {"endpoint", info.endpoint}};
  if (!info.serverKey.empty()) document["server_key"] = info.serverKey;
  if (!info.joinToken.empty()) document["join_token"] = info.joinToken;
  return document.dump(2) + "\n";
}

std::optional<JoinInfo> parseJoinFile(std::string_view text, std::string* why) {
  auto fail = [why](const std::string& reason) -> std::optional<JoinInfo> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (text.size() > kMaxJoinFileBytes)
    return fail("too large for a join file (" + std::to_string(text.size()) + " bytes)");
  const auto document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object())
    return fail("not a join file (a JSON object written by distopt-run --join-file)");
  const auto version = document.find("distopt_join");
  if (version == document.end()) return fail("not a join file (no \"distopt_join\" version)");
  if (!version->is_number_integer() || version->get<std::int64_t>() != kJoinFileVersion)
    return fail("\"distopt_join\": version " +
                version->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 40) +
                " is not " + std::to_string(kJoinFileVersion) +
                " (written by another release of distopt-run?)");
  JoinInfo info;
  for (const auto& [field, value] : document.items()) {
    std::string* target = field == "endpoint"     ? &info.endpoint
                          : field == "server_key" ? &info.serverKey
                          : field == "join_token" ? &info.joinToken
                                                  : nullptr;
    if (field == "distopt_join") continue;
    // The field name is the reader's text: shown in quotes, cut short.
    if (!target)
      return fail(
          "unknown field " +
          nlohmann::json(field.substr(0, 40)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!value.is_string()) return fail("\"" + field + "\" must be a string");
    *target = value.get<std::string>();
  }
  if (info.endpoint.empty()) return fail("no \"endpoint\"");
  std::string reason;
  if (!info.isValid(&reason)) return fail(reason);
  return info;
}

bool writeJoinFile(const std::string& path, const JoinInfo& info, std::string* why) {
  std::string reason;
  if (!info.isValid(&reason)) {
    if (why) *why = path + ": " + reason;
    return false;
  }
  return writePrivateFile(path, formatJoinFile(info), why);
}

std::optional<JoinInfo> readJoinFile(const std::string& path, std::string* why) {
  const auto text = readPrivateFile(path, kMaxJoinFileBytes, why);
  if (!text) return std::nullopt;
  auto info = parseJoinFile(*text, why);
  if (!info && why) *why = path + ": " + *why;
  return info;
}

std::optional<JoinInfo> waitForJoinFile(const std::string& path, double seconds, std::string* why,
                                        bool* stillMissing) {
  if (stillMissing) *stillMissing = false;
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  struct stat info {};
  // Written by a rename: once the name is there, so is the whole file.
  while (::stat(path.c_str(), &info) != 0 && errno == ENOENT) {
    if (std::chrono::steady_clock::now() >= deadline) {
      if (stillMissing) *stillMissing = true;
      if (why) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", seconds);
        *why = path + ": no join file after " + text +
               " s (--wait SECONDS; is the coordinator started, with " + "--join-file naming this file?)";
      }
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return readJoinFile(path, why);
}

}  // namespace distopt::net
