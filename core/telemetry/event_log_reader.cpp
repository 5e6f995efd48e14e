#include "core/telemetry/event_log_reader.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

#include <zlib.h>

#include "core/telemetry/run_files.hpp"
#include "core/telemetry/telemetry_json.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// Nine numbers at %.17g and an outcome name are under 250 characters.
constexpr std::size_t kLongestRow = 4096;

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};

// std::from_chars for the whole field, or false: "12x", "" and out-of-range values are refused.
template <typename Number>
bool whole(std::string_view field, Number* value) {
  if (field.empty()) return false;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), *value);
  return error == std::errc() && end == field.data() + field.size();
}

}  // namespace

bool parseEventRow(std::string_view row, UpdateEvent* e) {
  std::string_view fields[9];
  std::size_t count = 0;
  while (count < 9) {
    const auto comma = row.find(',');
    fields[count++] = row.substr(0, comma);
    if (comma == std::string_view::npos) {
      row = {};
      break;
    }
    row.remove_prefix(comma + 1);
    if (count == 9) return false;  // a tenth field
  }
  if (count != 9) return false;
  std::uint64_t worker = 0;
  if (!whole(fields[0], &e->time) || !whole(fields[1], &worker) || worker > INT32_MAX ||
      !whole(fields[2], &e->jobId) || !whole(fields[3], &e->jobVersion) || !whole(fields[4], &e->delay) ||
      !outcomeFromName(std::string(fields[5]), &e->outcome) || !whole(fields[6], &e->versionAfter) ||
      !whole(fields[7], &e->age) || !whole(fields[8], &e->bytes))
    return false;
  e->worker = static_cast<int>(worker);
  return true;
}

EventLogContents readEventLog(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, "is a folder, not an event log");
  // gzread passes a plain file through unchanged, so one path reads both.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw InputError(path, std::string("cannot open: ") + std::strerror(errno ? errno : ENOENT));
  gzbuffer(file.get(), 1 << 17);

  EventLogContents contents;
  const std::string_view header(kEventsCsvHeader, std::strlen(kEventsCsvHeader) - 1);  // without '\n'
  std::string pending;
  std::uint64_t line = 0;
  auto takeLines = [&](bool atEnd) {
    std::size_t start = 0;
    for (;;) {
      auto newline = pending.find('\n', start);
      if (newline == std::string::npos) {
        if (!atEnd || start == pending.size()) break;
        newline = pending.size();  // a last line without its newline
      }
      const std::string_view row(pending.data() + start, newline - start);
      start = std::min(newline + 1, pending.size());
      ++line;
      if (line == 1) {
        if (row != header)
          throw InputError(path + ":1", "not an event log (expected the header " + std::string(header) + ")");
        continue;
      }
      if (row.empty()) continue;
      UpdateEvent event;
      if (!parseEventRow(row, &event))
        throw InputError(path + ":" + std::to_string(line),
                         "malformed event row (expected time,worker,job,job_version,delay,outcome,"
                         "version_after,age,bytes)");
      contents.events.push_back(event);
      if (newline == pending.size()) break;
    }
    pending.erase(0, start);
  };
  char buffer[1 << 16];
  int got = 0;
  while ((got = gzread(file.get(), buffer, sizeof buffer)) > 0) {
    pending.append(buffer, static_cast<std::size_t>(got));
    takeLines(false);
    // A hostile file of one endless line must not take all memory.
    if (pending.size() > kLongestRow)
      throw InputError(path + ":" + std::to_string(line + 1), "a row longer than any event row");
  }
  int code = Z_OK;
  const char* message = gzerror(file.get(), &code);
  if (got < 0 || code != Z_OK) {
    // A stream cut short (Z_BUF_ERROR: "unexpected end of file") or damaged: the whole lines before the
    // damage stay, the partial last one goes.
    contents.incomplete = std::string("the compressed stream ends early (") +
                          (message ? message : "zlib error") + "); " +
                          std::to_string(contents.events.size()) + " whole rows read";
    if (line == 0) throw InputError(path, contents.incomplete);
    return contents;
  }
  takeLines(true);
  if (line == 0) throw InputError(path, "empty: not an event log");
  return contents;
}

}  // namespace distopt
