#include "core/telemetry/run_digest.hpp"

#include <algorithm>
#include <cmath>

namespace distopt {
namespace {

constexpr int kOutcomes = 4;  // Accepted, Discarded, Cancelled, LateCancelled
constexpr unsigned char kDelayFormat = 1;

std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}
std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

void putVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool getVarint(std::string_view& in, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// SplitMix64: a tiny, well-mixed generator; the sample needs uniformity, not a stream per key.
std::uint64_t splitMix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

const char* eventLogName(EventLog log) { return log == EventLog::Full ? "full" : "aggregates"; }

std::optional<EventLog> eventLogFromName(std::string_view name) {
  if (name == "aggregates") return EventLog::Aggregates;
  if (name == "full") return EventLog::Full;
  return std::nullopt;
}

// The slot a key starts its probe at: the key's bits mixed (the SplitMix64 finaliser), so that workers
// and delays that differ in a few low bits spread over the whole table.
std::size_t slotOf(int worker, int outcome, std::int64_t delay, std::size_t mask) {
  std::uint64_t z = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(worker)) << 34) ^
                    (static_cast<std::uint64_t>(delay) << 2) ^ static_cast<std::uint64_t>(outcome);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<std::size_t>(z ^ (z >> 31)) & mask;
}

void DelayCounts::add(int worker, Outcome outcome, std::int64_t delay, std::uint64_t count) {
  if (count == 0 || worker < 0) return;  // a negative worker id is no worker (and the empty mark)
  if ((m_size + 1) * 2 > m_slots.size()) grow();
  const std::size_t mask = m_slots.size() - 1;
  const int kind = static_cast<int>(outcome);
  for (std::size_t i = slotOf(worker, kind, delay, mask);; i = (i + 1) & mask) {
    Slot& slot = m_slots[i];
    if (slot.worker == worker && slot.outcome == kind && slot.delay == delay) {
      slot.count += count;
      return;
    }
    if (slot.worker < 0) {
      slot = Slot{delay, worker, kind, count};
      ++m_size;
      return;
    }
  }
}

void DelayCounts::grow() {
  std::vector<Slot> old(std::max<std::size_t>(64, m_slots.size() * 2));
  old.swap(m_slots);
  m_size = 0;
  for (const Slot& slot : old)
    if (slot.worker >= 0) add(slot.worker, static_cast<Outcome>(slot.outcome), slot.delay, slot.count);
}

void DelayCounts::clear() {
  if (m_size == 0) return;
  std::fill(m_slots.begin(), m_slots.end(), Slot{});
  m_size = 0;
}

void DelayCounts::merge(const DelayCounts& other) {
  other.forEach([this](const Slot& s) { add(s.worker, static_cast<Outcome>(s.outcome), s.delay, s.count); });
}

std::uint64_t DelayCounts::total(Outcome outcome) const {
  std::uint64_t sum = 0;
  forEach([&](const Slot& s) {
    if (s.outcome == static_cast<int>(outcome)) sum += s.count;
  });
  return sum;
}

std::vector<DelayCount> DelayCounts::sorted() const {
  std::vector<DelayCount> rows;
  rows.reserve(m_size);
  forEach([&](const Slot& s) {
    rows.push_back({s.worker, static_cast<Outcome>(s.outcome), s.delay, s.count});
  });
  std::sort(rows.begin(), rows.end(), [](const DelayCount& a, const DelayCount& b) {
    if (a.worker != b.worker) return a.worker < b.worker;
    if (a.outcome != b.outcome) return a.outcome < b.outcome;
    return a.delay < b.delay;
  });
  return rows;
}

std::string DelayCounts::encode() const {
  const auto rows = sorted();
  std::string out;
  out.reserve(8 + rows.size() * 4);
  out.push_back(static_cast<char>(kDelayFormat));
  putVarint(out, rows.size());
  std::int64_t worker = 0;
  int outcome = -1;
  std::int64_t delay = 0;
  for (const DelayCount& row : rows) {
    const bool sameGroup = row.worker == worker && static_cast<int>(row.outcome) == outcome;
    putVarint(out, zigzag(row.worker - worker));
    out.push_back(static_cast<char>(row.outcome));
    putVarint(out, zigzag(sameGroup ? row.delay - delay : row.delay));
    putVarint(out, row.count);
    worker = row.worker;
    outcome = static_cast<int>(row.outcome);
    delay = row.delay;
  }
  return out;
}

bool DelayCounts::decodeAdd(std::string_view bytes) {
  if (bytes.empty() || static_cast<unsigned char>(bytes.front()) != kDelayFormat) return false;
  bytes.remove_prefix(1);
  std::uint64_t rows = 0;
  if (!getVarint(bytes, rows) || rows > bytes.size()) return false;
  // Decoded whole before anything is added: a damaged block adds nothing rather than half.
  std::vector<DelayCount> decoded;
  decoded.reserve(rows);
  std::int64_t worker = 0;
  int outcome = -1;
  std::int64_t delay = 0;
  for (std::uint64_t i = 0; i < rows; ++i) {
    std::uint64_t workerStep = 0, delayValue = 0, count = 0;
    if (!getVarint(bytes, workerStep) || bytes.empty()) return false;
    const int rowOutcome = static_cast<unsigned char>(bytes.front());
    bytes.remove_prefix(1);
    if (rowOutcome >= kOutcomes || !getVarint(bytes, delayValue) || !getVarint(bytes, count)) return false;
    const std::int64_t rowWorker = worker + unzigzag(workerStep);
    if (rowWorker < 0 || rowWorker > INT32_MAX) return false;
    const bool sameGroup = rowWorker == worker && rowOutcome == outcome;
    const std::int64_t rowDelay = sameGroup ? delay + unzigzag(delayValue) : unzigzag(delayValue);
    decoded.push_back({static_cast<int>(rowWorker), static_cast<Outcome>(rowOutcome), rowDelay, count});
    worker = rowWorker;
    outcome = rowOutcome;
    delay = rowDelay;
  }
  if (!bytes.empty()) return false;
  for (const DelayCount& row : decoded) add(row.worker, row.outcome, row.delay, row.count);
  return true;
}

bool AcceptedTimeline::add(const UpdateEvent& event) {
  if (event.outcome != Outcome::Accepted) return false;
  ++m_count;
  m_lastTime = event.time;
  if (m_count % m_stride != 0) return false;
  m_points.push_back({event.time, m_count});
  if (++m_atStride == kPointsPerLevel) {
    m_stride *= 2;
    m_atStride = 0;
  }
  return true;
}

std::optional<AcceptedPoint> AcceptedTimeline::finish() {
  if (m_count == 0 || (!m_points.empty() && m_points.back().count == m_count)) return std::nullopt;
  m_points.push_back({m_lastTime, m_count});
  return m_points.back();
}

bool EventSample::Options::isValid(std::string* why) const {
  // A sample that is the log again defeats its purpose; a million rows is already tens of MB.
  if (first > 1'000'000 || reservoir > 1'000'000) {
    if (why) *why = "first/reservoir: at most 1000000 events each";
    return false;
  }
  return true;
}

EventSample::EventSample(const Options& options) : m_options(options), m_state(options.seed) {}

std::uint64_t EventSample::next() { return splitMix(m_state); }

double EventSample::uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

void EventSample::drawNextEntry() {
  // Li (1994), "Reservoir-sampling algorithms of time complexity O(n(1 + log(N/n)))": the gap to the
  // next entry is geometric with parameter W, and W shrinks by U^(1/k) at each entry.
  const double gap = std::floor(std::log(uniform()) / std::log1p(-m_weight));
  m_nextEntry += 1 + (gap < 1e18 ? static_cast<std::uint64_t>(gap) : std::uint64_t{1} << 62);
}

bool EventSample::add(const UpdateEvent& event) {
  const std::uint64_t ordinal = m_seen++;
  if (m_first.size() < m_options.first) {
    m_first.push_back(event);
    return true;
  }
  const std::size_t k = m_options.reservoir;
  if (k == 0) return false;
  const std::uint64_t later = ordinal - m_options.first;  // index among the events after the first ones
  if (m_reservoir.size() < k) {
    m_reservoir.push_back({ordinal, event});
    if (m_reservoir.size() == k) {
      m_weight = std::exp(std::log(uniform()) / static_cast<double>(k));
      m_nextEntry = later;
      drawNextEntry();
    }
    return false;
  }
  if (later != m_nextEntry) return false;
  m_reservoir[next() % k] = {ordinal, event};
  m_weight *= std::exp(std::log(uniform()) / static_cast<double>(k));
  drawNextEntry();
  return false;
}

std::vector<SampledEvent> EventSample::reservoir() const {
  auto sorted = m_reservoir;
  std::sort(sorted.begin(), sorted.end(),
            [](const SampledEvent& a, const SampledEvent& b) { return a.ordinal < b.ordinal; });
  return sorted;
}

std::vector<UpdateEvent> EventSample::events() const {
  std::vector<UpdateEvent> all = m_first;
  for (const SampledEvent& s : reservoir()) all.push_back(s.event);
  return all;
}

}  // namespace distopt
