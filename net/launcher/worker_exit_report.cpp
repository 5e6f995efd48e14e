#include "net/launcher/worker_exit_report.hpp"

#include <charconv>

namespace distopt::net {

namespace {

constexpr std::string_view kPrefix = "distopt-worker-exit worker=";

/// A decimal number from 0 to `limit` at the start of `text`, then `separator`; consumes both.
std::optional<long> takeNumber(std::string_view& text, std::string_view separator, long limit) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || value < 0 || value > limit) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  if (!text.starts_with(separator)) return std::nullopt;
  text.remove_prefix(separator.size());
  return value;
}

}  // namespace

std::string formatWorkerExitReport(int workerId, pid_t pid, const std::string& description) {
  return std::string(kPrefix) + std::to_string(workerId) + " pid=" + std::to_string(pid) + " " + description;
}

std::optional<WorkerExitInfo> parseWorkerExitReport(std::string_view line) {
  if (!line.starts_with(kPrefix)) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  const auto worker = takeNumber(line, " pid=", 1'000'000'000);
  if (!worker) return std::nullopt;
  const auto pid = takeNumber(line, " ", 1L << 30);
  if (!pid || line.empty() || line.size() > 200) return std::nullopt;
  return WorkerExitInfo{static_cast<int>(*worker), static_cast<pid_t>(*pid), std::string(line), -1};
}

}  // namespace distopt::net
