#pragma once
// A join file: what a worker needs to join a run (where to connect, the coordinator's public key, the
// join token), written by the coordinator (distopt-run --join-file) and read by workers
// (distopt-worker --join-file) on a shared file system, so that nobody scrapes a log for a key. It holds
// the join token: written 0600 and atomically, read only when nobody else can read or change it. Its
// text is hostile input to the reader: every field is checked, and anything else refuses the file.
//
// {"distopt_join": 1, "endpoint": "tcp://node01:5555", "server_key": Z85, "join_token": Z85}

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace distopt::net {

/// Format version written in "distopt_join".
inline constexpr int kJoinFileVersion = 1;
/// Largest join file read (a real one is about 200 bytes).
inline constexpr std::size_t kMaxJoinFileBytes = 16 * 1024;

struct JoinInfo {
  /// The coordinator's worker endpoint as other machines reach it, e.g. "tcp://node01:5555".
  std::string endpoint;
  /// The coordinator's CURVE public key (Z85); empty for a run without security.
  std::string serverKey;
  /// The join token (a Z85 secret key); empty when the workers bring their own (a key file, or
  /// DISTOPT_JOIN_TOKEN from the environment). Needs a server key.
  std::string joinToken;

  /// False with *why when a field is not what a worker can connect with.
  bool isValid(std::string* why) const;
};

/// The file's text (JSON, one object).
std::string formatJoinFile(const JoinInfo& info);
/// Parses a join file's text; nullopt with *why for anything but a valid join file.
std::optional<JoinInfo> parseJoinFile(std::string_view text, std::string* why);
/// Writes a join file (writePrivateFile: atomically, 0600). False with *why naming the file.
bool writeJoinFile(const std::string& path, const JoinInfo& info, std::string* why);
/// Reads a join file (readPrivateFile, then parseJoinFile). nullopt with *why naming the file.
std::optional<JoinInfo> readJoinFile(const std::string& path, std::string* why);
/// Reads a join file that may not exist yet (a worker started before its coordinator, as a batch job's
/// tasks are): waits up to `seconds` for it to appear. A file that exists but is refused is not waited
/// on (nullopt at once, *why saying why); nor is a missing one past the time (*why says so, and
/// *stillMissing is set).
std::optional<JoinInfo> waitForJoinFile(const std::string& path, double seconds, std::string* why,
                                        bool* stillMissing = nullptr);

}  // namespace distopt::net
