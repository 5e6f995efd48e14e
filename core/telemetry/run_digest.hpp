#pragma once
// What a run keeps of its update events (docs/architecture.md, rule 4): by default exact aggregates and a
// bounded sample, not one row per outcome. A run of 6174 workers has millions of outcomes, almost all
// cancelled jobs; what its charts and summary need is
//   - DelayCounts: per worker and outcome, the exact count of each delay (the delay histogram);
//   - AcceptedTimeline: cumulative accepted updates over time, thinned to a bounded number of points
//     (bytes per accepted update);
//   - EventSample: the first events and a uniform reservoir of the rest, for inspection.
// The full per-event log is kept only on request (EventLog::Full).
//
// None of these is thread-safe: the owner serialises calls.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

/// How much of the update events a run keeps.
enum class EventLog {
  Aggregates,  ///< delay histogram, accepted timeline and a bounded sample (the default)
  Full,        ///< also every event (events.csv.gz, and every row in the store)
};
const char* eventLogName(EventLog log);
/// "aggregates" or "full"; nullopt for anything else.
std::optional<EventLog> eventLogFromName(std::string_view name);

struct DelayCount {
  int worker = 0;
  Outcome outcome = Outcome::Accepted;
  std::int64_t delay = 0;
  std::uint64_t count = 0;
  bool operator==(const DelayCount&) const = default;
};

/// Exact counts per (worker, outcome, delay). Counting is on the engine's thread for every outcome of a
/// run (millions), so the table is flat: open addressing with linear probing in one array, no allocation
/// per key and mostly one cache line per count.
class DelayCounts {
 public:
  void add(const UpdateEvent& event) { add(event.worker, event.outcome, event.delay, 1); }
  void add(int worker, Outcome outcome, std::int64_t delay, std::uint64_t count);
  void merge(const DelayCounts& other);
  /// Forgets every key, keeping the table's capacity.
  void clear();
  bool empty() const { return m_size == 0; }
  /// Distinct (worker, outcome, delay) keys.
  std::size_t size() const { return m_size; }
  /// Sum over every key of one outcome.
  std::uint64_t total(Outcome outcome) const;
  /// Every key, ordered by worker, outcome, delay.
  std::vector<DelayCount> sorted() const;

  /// A compact binary form (sorted keys as zigzag varints, deltas of worker and delay): a few bytes per
  /// key, so a million workers' histograms stay megabytes.
  std::string encode() const;
  /// Adds the counts of an encoded block; false (nothing added) when `bytes` is not one.
  bool decodeAdd(std::string_view bytes);

 private:
  struct Slot {
    std::int64_t delay = 0;
    std::int32_t worker = -1;  ///< -1: empty (workers are >= 0)
    std::int32_t outcome = 0;
    std::uint64_t count = 0;
  };
  void grow();
  template <typename Visit>
  void forEach(Visit visit) const {
    if (m_size == 0) return;
    for (const Slot& slot : m_slots)
      if (slot.worker >= 0) visit(slot);
  }

  std::vector<Slot> m_slots;  // a power of two long, at most half full
  std::size_t m_size = 0;
};

struct AcceptedPoint {
  double time = 0.0;
  std::uint64_t count = 0;  ///< accepted updates so far, this one included
  bool operator==(const AcceptedPoint&) const = default;
};

/// Cumulative accepted updates at their times: every one of the first kPointsPerLevel, then every 2nd
/// for the next kPointsPerLevel, every 4th, ... so a run of N updates keeps about
/// kPointsPerLevel * log2(N / kPointsPerLevel) points, and the last one is always kept (finish()).
class AcceptedTimeline {
 public:
  static constexpr std::uint64_t kPointsPerLevel = 2048;

  /// True when `event` added a point (an accepted update on the stride).
  bool add(const UpdateEvent& event);
  /// The last accepted update as a point if it is not kept yet; call at the end of the run.
  std::optional<AcceptedPoint> finish();
  const std::vector<AcceptedPoint>& points() const { return m_points; }
  std::uint64_t accepted() const { return m_count; }

 private:
  std::vector<AcceptedPoint> m_points;
  std::uint64_t m_count = 0;
  std::uint64_t m_stride = 1;
  std::uint64_t m_atStride = 0;
  double m_lastTime = 0.0;
};

/// One event with its arrival ordinal (0 = the run's first event).
struct SampledEvent {
  std::uint64_t ordinal = 0;
  UpdateEvent event;
};

/// The first `first` events, and a uniform reservoir of `reservoir` among the rest (Li's algorithm L,
/// seeded: the same run keeps the same sample). Algorithm L draws how many events to skip before the
/// next one that enters the reservoir, so an event that does not enter costs a comparison, not a random
/// number: a run has millions of events and a reservoir of a thousand.
class EventSample {
 public:
  struct Options {
    std::size_t first = 1000;
    std::size_t reservoir = 1000;
    std::uint64_t seed = 1;
    bool isValid(std::string* why) const;
  };
  EventSample() : EventSample(Options{}) {}
  explicit EventSample(const Options& options);

  /// True when `event` is one of the first ones (kept for good, so it may be written at once).
  bool add(const UpdateEvent& event);
  std::uint64_t seen() const { return m_seen; }
  const std::vector<UpdateEvent>& first() const { return m_first; }
  /// The reservoir, in arrival order.
  std::vector<SampledEvent> reservoir() const;
  /// first() and reservoir() together, in arrival order.
  std::vector<UpdateEvent> events() const;

 private:
  std::uint64_t next();
  /// Uniform in (0, 1).
  double uniform();
  /// Index (among the events after the first ones) of the next event that enters the full reservoir.
  void drawNextEntry();
  Options m_options;
  double m_weight = 1.0;          // algorithm L's W
  std::uint64_t m_nextEntry = 0;  // algorithm L's i
  std::vector<UpdateEvent> m_first;
  std::vector<SampledEvent> m_reservoir;
  std::uint64_t m_seen = 0;
  std::uint64_t m_state;
};

/// What a run's update events came to, counted once by one sink and read by others at the end: the result
/// files take the run store writer's digest, so the engine's thread counts every event once, not twice.
class RunDigestSource {
 public:
  virtual ~RunDigestSource() = default;
  /// Every (worker, outcome, delay) count of the run. Valid once the source has seen the run's finish.
  virtual const DelayCounts& delayTotals() const = 0;
  /// The first events and the reservoir (EventSample::events()), with the same validity.
  virtual std::vector<UpdateEvent> sampledEvents() const = 0;
};

}  // namespace distopt
