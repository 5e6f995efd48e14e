#include "core/store/store_writer.hpp"

#include <algorithm>
#include <chrono>
#include <span>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/telemetry/run_files.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const StoreWriter::Options& validated(const StoreWriter::Options& options) {
  requireValid(options, "store_writer");
  return options;
}

}  // namespace

bool StoreWriter::Options::isValid(std::string* why) const {
  auto bad = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  // Above a second the "never more than ~1 s lost" promise of the run store no longer holds.
  if (flushIntervalMs < 1 || flushIntervalMs > 1000) return bad("flushIntervalMs: must be in [1, 1000]");
  if (maxBatch < 1) return bad("maxBatch: must be >= 1");
  if (maxPending != 0 && maxPending < static_cast<std::size_t>(maxBatch))
    return bad("maxPending: must be 0 (unbounded) or >= maxBatch");
  return sample.isValid(why);
}

void StoreWriter::Queue::clear() {
  // clear() keeps the capacity, so after the first few swaps neither side allocates.
  events.clear();
  unstoredEvents = 0;
  lastEventTime.reset();
  delays.clear();
  accepted.clear();
  sampled.clear();
  evaluations.clear();
  bandwidth.clear();
  workers.clear();
  finish.reset();
}

StoreWriter::StoreWriter(std::unique_ptr<RunStore> store, std::int64_t runId, const Options& options)
    : m_store(std::move(store)), m_runId(runId), m_options(validated(options)), m_sample(options.sample) {
  DISTOPT_CHECK(m_store != nullptr);
  m_block.resize(kEventsPerBlock);
  m_thread = std::thread([this] { run(); });
}

StoreWriter::StoreWriter(std::unique_ptr<RunStore> store, std::int64_t runId)
    : StoreWriter(std::move(store), runId, Options{}) {}

StoreWriter::~StoreWriter() {
  handOverBlock();
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

bool StoreWriter::admit(std::unique_lock<std::mutex>& lock, std::size_t count) {
  waitForRoom(lock);
  if (m_failed) {
    m_dropped += count;
    return false;
  }
  return true;
}

bool StoreWriter::full() const { return m_options.maxPending != 0 && m_pendingItems >= m_options.maxPending; }

void StoreWriter::waitForRoom(std::unique_lock<std::mutex>& lock) {
  if (!full()) return;
  // The writer may be waiting for its interval or a wake's worth of events, both more than a small
  // maxPending: it is woken, or the producer would stall an interval per block.
  m_wake.notify_one();
  m_space.wait(lock, [&] { return m_failed || !full(); });
}

void StoreWriter::itemQueued() {
  // Only the crossing wakes the writer: a notify per item would cost the producer a syscall each time
  // the writer is waiting. A crossing missed while the writer is busy is caught by its wait predicate.
  if (++m_pendingItems - m_pendingEvents == static_cast<std::size_t>(m_options.maxBatch)) m_wake.notify_one();
}

void StoreWriter::onUpdate(const UpdateEvent& event) {
  // Only this thread writes the count, so its own relaxed load is exact.
  const std::size_t slot = m_blockCount.load(std::memory_order_relaxed);
  m_block[slot] = event;
  m_blockCount.store(slot + 1, std::memory_order_release);
  if (slot + 1 == kEventsPerBlock) handOverBlock();
}

void StoreWriter::digestSlots(std::size_t from, std::size_t to) {
  for (std::size_t slot = from; slot < to; ++slot) {
    const UpdateEvent& event = m_block[slot];
    m_queue.delays.add(event);
    if (!m_queue.lastEventTime || event.time > *m_queue.lastEventTime) m_queue.lastEventTime = event.time;
    if (m_timeline.add(event)) m_queue.accepted.push_back(m_timeline.points().back());
    // Only the first sampled events are rows now (they are a prefix of the run's events, so their
    // ordinals follow from the count); the reservoir is final only at the end.
    const bool row =
        m_options.eventLog == EventLog::Full || (m_sample.add(event) && m_queue.unstoredEvents == 0);
    if (row)
      m_queue.events.push_back(event);
    else
      ++m_queue.unstoredEvents;
  }
  const std::size_t count = to - from;
  m_pendingItems += count;
  // Events wake the writer by the block (a crossing, as in itemQueued), not by maxBatch: most of them
  // become counts, not rows, and a transaction per few thousand would only write more histogram blocks.
  const std::size_t before = m_pendingEvents;
  m_pendingEvents += count;
  if (before < eventsPerWake() && m_pendingEvents >= eventsPerWake()) m_wake.notify_one();
}

void StoreWriter::takePublished() {
  const std::size_t published = m_blockCount.load(std::memory_order_acquire);
  if (published <= m_blockTaken) return;
  digestSlots(m_blockTaken, published);
  m_blockTaken = published;
}

void StoreWriter::handOverBlock() {
  std::unique_lock lock(m_mutex);
  // After a failed write the events are still digested (the result files take the histogram from here);
  // write() counts them as dropped from the store. Waiting for room bounds memory either way.
  waitForRoom(lock);
  const std::size_t count = m_blockCount.load(std::memory_order_relaxed);
  digestSlots(m_blockTaken, count);
  m_blockTaken = 0;
  m_blockCount.store(0, std::memory_order_relaxed);  // the writer reads it under m_mutex only
}

void StoreWriter::onEvaluation(const EvaluationPoint& point) {
  handOverBlock();
  std::unique_lock lock(m_mutex);
  if (!admit(lock)) return;
  m_queue.evaluations.push_back(point);
  itemQueued();
}

void StoreWriter::onWorkerStatus(const WorkerStatus& status) {
  handOverBlock();
  std::unique_lock lock(m_mutex);
  if (!admit(lock)) return;
  m_queue.workers.push_back(status);
  itemQueued();
}

void StoreWriter::onBandwidth(const BandwidthSample& sample) {
  handOverBlock();
  std::unique_lock lock(m_mutex);
  if (!admit(lock)) return;
  m_queue.bandwidth.push_back(sample);
  itemQueued();
}

void StoreWriter::onFinish(const RunSummary& summary) { finish(summary, summaryJsonFor(summary)); }

void StoreWriter::finish(const RunSummary& summary, const std::string& summaryJson) {
  handOverBlock();
  {
    std::lock_guard lock(m_mutex);
    if (m_options.eventLog == EventLog::Aggregates) m_queue.sampled = m_sample.reservoir();
    if (const auto last = m_timeline.finish()) m_queue.accepted.push_back(*last);
    m_queue.finish.emplace(summary, summaryJson);
  }
  flush();
}

bool StoreWriter::flush() {
  handOverBlock();
  std::unique_lock lock(m_mutex);
  const std::uint64_t ticket = ++m_flushTicket;
  m_wake.notify_one();
  m_done.wait(lock, [&] { return m_doneTicket >= ticket; });
  return !m_failed;
}

std::string StoreWriter::error() const {
  std::lock_guard lock(m_mutex);
  return m_error;
}

std::uint64_t StoreWriter::droppedItems() const {
  std::lock_guard lock(m_mutex);
  return m_dropped;
}

const DelayCounts& StoreWriter::delayTotals() const { return m_delayTotal; }

std::vector<UpdateEvent> StoreWriter::sampledEvents() const { return m_sample.events(); }

std::string StoreWriter::summaryJsonFor(const RunSummary& summary) {
  nlohmann::json json = summaryToJson(summary, nlohmann::json());
  json.erase("experiment");
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void StoreWriter::run() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(m_options.flushIntervalMs);
  const auto batchItems = static_cast<std::size_t>(m_options.maxBatch);
  Queue batch;
  std::unique_lock lock(m_mutex);
  auto deadline = Clock::now() + interval;
  for (;;) {
    m_wake.wait_until(lock, deadline, [&] {
      return m_stop || m_flushTicket != m_doneTicket || m_pendingItems - m_pendingEvents >= batchItems ||
             m_pendingEvents >= eventsPerWake() || full();
    });
    // A slow stream (a live run) seldom fills a block: the writer takes what is there, so a killed
    // coordinator still loses at most about one interval of events.
    takePublished();
    const bool stopping = m_stop;
    const std::uint64_t ticket = m_flushTicket;
    // The swap is the only work done under the lock on this side; producers wait at most for it.
    std::swap(batch, m_queue);
    m_pendingItems = 0;
    m_pendingEvents = 0;
    deadline = Clock::now() + interval;
    m_space.notify_all();
    lock.unlock();

    write(batch);
    batch.clear();

    lock.lock();
    m_doneTicket = ticket;
    m_done.notify_all();
    if (stopping && m_queue.items() == 0 && m_queue.unstoredEvents == 0 && m_queue.delays.empty() &&
        !m_queue.finish)
      break;
  }
}

void StoreWriter::write(Queue& batch) {
  // The whole histogram is kept even when the store can no longer be written: the result files use it.
  m_delayTotal.merge(batch.delays);
  const std::size_t items = batch.items();
  const bool aggregates = !batch.delays.empty() || !batch.accepted.empty() || batch.unstoredEvents > 0;
  if (items > 0 || aggregates || !batch.sampled.empty()) {
    bool failed = false;
    {
      std::lock_guard lock(m_mutex);
      failed = m_failed;
      if (failed) m_dropped += items + batch.unstoredEvents;
    }
    std::size_t written = 0;
    if (!failed) try {
        // Only each worker's newest status matters; keep those, in queue order.
        std::vector<WorkerStatus> workers;
        std::unordered_set<int> seen;
        for (auto it = batch.workers.rbegin(); it != batch.workers.rend(); ++it)
          if (seen.insert(it->worker).second) workers.push_back(*it);
        std::reverse(workers.begin(), workers.end());

        // Events go in transactions of at most maxBatch, which bounds the WAL's growth and the time the
        // write lock is held when the writer has fallen behind; the rest rides with the last one, after
        // the rows, so the unstored events are counted after them.
        const std::span<const UpdateEvent> events(batch.events);
        const auto chunk = static_cast<std::size_t>(m_options.maxBatch);
        std::size_t offset = 0;
        for (;;) {
          const std::size_t count = std::min(chunk, events.size() - offset);
          const bool last = offset + count == events.size();
          StoreBatch part{.events = events.subspan(offset, count)};
          if (last) {
            // Compact when the blocks since the last whole histogram outweigh it (amortised: each key is
            // rewritten O(1) times per doubling of the histogram); always at the end of the run.
            const std::size_t deltaBytes = batch.delays.size() * 4;
            const bool compact =
                batch.finish.has_value() ||
                m_delayBlockBytes + deltaBytes > std::max<std::size_t>(m_delayTotalBytes, 1 << 20);
            part.evaluations = batch.evaluations;
            part.bandwidth = batch.bandwidth;
            part.workers = workers;
            part.unstoredEvents = batch.unstoredEvents;
            part.sampled = batch.sampled;
            part.delays = compact ? &m_delayTotal : &batch.delays;
            part.delaysAreTotal = compact;
            part.accepted = batch.accepted;
            part.lastEventTime = batch.lastEventTime;
          }
          m_store->appendBatch(m_runId, part);
          if (last && part.delaysAreTotal) {
            m_delayTotalBytes = m_delayTotal.size() * 4;
            m_delayBlockBytes = 0;
          } else if (last) {
            m_delayBlockBytes += batch.delays.size() * 4;
          }
          m_committedEvents.fetch_add(count + part.unstoredEvents, std::memory_order_release);
          written += count;
          if (last) {
            m_committedEvaluations.fetch_add(batch.evaluations.size(), std::memory_order_release);
            written += batch.evaluations.size() + batch.bandwidth.size() + batch.workers.size();
            break;
          }
          offset += count;
        }
      } catch (const std::exception& error) {
        std::lock_guard lock(m_mutex);
        if (!m_failed) {
          m_failed = true;
          m_error = error.what();
        }
        m_dropped += items - written + batch.unstoredEvents;
        m_space.notify_all();
      }
  }
  if (batch.finish) writeFinish(batch);
}

void StoreWriter::writeFinish(Queue& batch) {
  auto& [summary, json] = *batch.finish;
  std::string failure;
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(m_mutex);
    failure = m_error;
    dropped = m_dropped;
  }
  // After a failed write the end is still worth recording (the disk may have room for one row again):
  // the run then says itself that its store record is incomplete.
  if (!failure.empty()) {
    summary.terminationDetail += (summary.terminationDetail.empty() ? "" : "; ") +
                                 std::string("the run store lost data: ") + failure + " (" +
                                 std::to_string(dropped) + " records dropped)";
    json = summaryJsonFor(summary);
  }
  try {
    if (!m_store->finishRun(m_runId, summary, json))
      throw InputError(m_store->path(), "run " + std::to_string(m_runId) + " no longer exists");
    // The pages of the compacted blocks. The connection closes right after (with the writer), and the
    // checkpoint of the last connection's close frees them: one checkpoint at the end, not two.
    m_store->reclaimSpace(false, RunStore::Checkpoint::Later);
  } catch (const std::exception& error) {
    std::lock_guard lock(m_mutex);
    if (!m_failed) {
      m_failed = true;
      m_error = error.what();
    }
  }
}

}  // namespace distopt
