#pragma once
// Files that hold secrets (key pairs, join files): written so that nobody else can read them at any
// moment, and read only when nobody else could have read or changed them.

#include <cstddef>
#include <optional>
#include <string>

namespace distopt::net {

/// Writes `text` to `path` atomically and 0600: created under a name of its own beside the target
/// (O_EXCL, mode 0600 from the first byte whatever the umask), synced, then renamed over it, so a reader
/// sees the old file or the new one, never half of one. False with *why (naming the file).
bool writePrivateFile(const std::string& path, const std::string& text, std::string* why);

/// The contents of a secret file, at most `maxBytes` of them. Refused (nullopt, *why naming the file):
/// a file that cannot be opened, that is no regular file, that others may read or write, or that the
/// group may write (someone else could have read the secret or planted their own), or a larger one.
/// Group read is allowed: container platforms mount secrets group-readable (Kubernetes' fsGroup).
std::optional<std::string> readPrivateFile(const std::string& path, std::size_t maxBytes, std::string* why);

}  // namespace distopt::net
