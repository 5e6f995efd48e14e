#pragma once
// Reading an event log back: events.csv.gz (what `--events full` writes), a plain events.csv, or
// events_sample.csv, in the row format of run_files (kEventsCsvHeader). The file is outside input: a row
// that is not nine well-formed fields refuses the file, naming the file and line. A gzip stream that ends
// early (a coordinator killed mid-run; LineFile flushes whole blocks) is not an error: its whole lines
// are returned and the log says it is incomplete.

#include <string>
#include <vector>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

struct EventLogContents {
  std::vector<UpdateEvent> events;
  /// Empty when the file ended where it should; otherwise why it was cut short (its rows are whole).
  std::string incomplete;
};

/// Reads `path` (gzip or plain, told by its content, not its name). Throws InputError("PATH" or
/// "PATH:LINE", reason) when the file cannot be opened, has another header, or has a malformed row.
EventLogContents readEventLog(const std::string& path);

/// Parses one row (no newline) of an event log; false when it is not nine well-formed fields.
bool parseEventRow(std::string_view row, UpdateEvent* event);

}  // namespace distopt
