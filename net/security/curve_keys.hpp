#pragma once
// CURVE keys (ZeroMQ's CurveZMQ, Curve25519): Z85 text, 40 characters per key. A run's coordinator
// makes a fresh key pair; workers and dashboards present their own (a key file), or the run's join
// token, which is the secret half of a per-run client key pair whose public half the coordinator
// allows.

#include <cstddef>
#include <optional>
#include <string>

namespace distopt::net {

/// ZAP domains (RFC 27) of the coordinator's CURVE sockets. A key is allowed in one domain: a worker's key
/// does not open the dashboard feed, a dashboard's key does not open the worker socket.
inline constexpr const char* kWorkerZapDomain = "distopt";
inline constexpr const char* kDashboardZapDomain = "distopt-dashboard";

struct CurveKeyPair {
  std::string publicKey;  ///< Z85, 40 characters
  std::string secretKey;  ///< Z85, 40 characters
};

/// True when this libzmq was built with CURVE.
bool curveAvailable();
/// A fresh key pair.
CurveKeyPair makeCurveKeyPair();
/// True for 40 characters of the Z85 alphabet that decode to 32 bytes.
bool isCurveKey(const std::string& key);
/// The key pair of a secret key (the public half derived); nullopt for a malformed key.
std::optional<CurveKeyPair> keyPairFromSecret(const std::string& secretKey);
/// Reads a key file: JSON {"public": KEY, "secret": KEY}, or ZeroMQ's certificate text format
/// (`public-key = "..."`, `secret-key = "..."`). The public key must match the secret one. On error
/// returns nullopt and says what is wrong in *why (naming the file).
std::optional<CurveKeyPair> readKeyFile(const std::string& path, std::string* why);
/// Largest key file read as a coordinator's identity (a key file is about 120 bytes).
inline constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
/// The coordinator's fixed identity (distopt-run --server-key-file): a key file as readKeyFile reads it,
/// refused also when others may read or change it (readPrivateFile), since it holds the run's secret.
std::optional<CurveKeyPair> readServerKeyFile(const std::string& path, std::string* why);
/// Writes `keys` as a JSON key file readable only by its owner (atomically: writePrivateFile).
bool writeKeyFile(const std::string& path, const CurveKeyPair& keys, std::string* why);

}  // namespace distopt::net
