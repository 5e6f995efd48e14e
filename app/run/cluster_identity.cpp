#include "cluster_identity.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "net/security/curve_keys.hpp"

namespace distopt::app {

int makeKeyFileCommand(const std::string& path) {
  if (!net::curveAvailable()) {
    std::fprintf(stderr, "distopt-run: --make-key-file: this libzmq was built without CURVE\n");
    return 2;
  }
  const auto keys = net::makeCurveKeyPair();
  std::string why;
  if (!net::writeKeyFile(path, keys, &why)) {
    std::fprintf(stderr, "distopt-run: --make-key-file: %s\n", why.c_str());
    return 2;
  }
  std::printf("%s\n", keys.publicKey.c_str());
  return 0;
}

bool loadFixedIdentity(const std::string& serverKeyFile, net::SecurityOptions* security, std::string* why) {
  if (!serverKeyFile.empty()) {
    auto keys = net::readServerKeyFile(serverKeyFile, why);
    if (!keys) {
      if (why) *why = "--server-key-file: " + *why;
      return false;
    }
    security->enabled = true;
    security->serverKeys = *keys;
  }
  if (!security->enabled) return true;
  if (const char* token = std::getenv("DISTOPT_JOIN_TOKEN"); token && *token) {
    const auto keys = net::keyPairFromSecret(token);
    if (!keys) {
      if (why)
        *why = "DISTOPT_JOIN_TOKEN is not a join token (40 characters of Z85, a key pair's secret key)";
      return false;
    }
    security->joinKeys = *keys;
  }
  return true;
}

std::string joinCommandForLog(std::string command, const net::SecurityOptions& security) {
  const std::string& token = security.joinKeys.secretKey;
  if (token.empty()) return command;
  const std::string quoted = "'" + token + "'";
  for (auto at = command.find(quoted); at != std::string::npos; at = command.find(quoted))
    command.replace(at, quoted.size(), "\"$DISTOPT_JOIN_TOKEN\"");
  return command;
}

JoinFile::~JoinFile() {
  if (m_path.empty()) return;
  std::ifstream in(m_path);
  std::stringstream text;
  text << in.rdbuf();
  if (in && text.str() == m_text) ::unlink(m_path.c_str());
}

bool JoinFile::write(const std::string& path, const net::JoinInfo& info, std::string* why) {
  if (!net::writeJoinFile(path, info, why)) return false;
  m_path = path;
  m_text = net::formatJoinFile(info);
  return true;
}

}  // namespace distopt::app
