// Dashboard data path under load (docs/architecture.md, rule 6): 100k update events/s (plus evaluations) fed
// into a LiveChart and a DelayHistogram for 30 s of simulated feed, with every point kept and each series
// already holding 1M points when measurement starts. The feed runs faster than real time, but each 1/30 s
// slice is ingested and then one frame is drawn, and the frame time is measured honestly: refresh
// (auto-range, min/max decimation, replace()) + the event loop's layout and paint of the shown window through
// its (offscreen) backing store; a paint counter checks both chart views really repainted every frame.
// Target: median frame <= 33 ms; no event dropped.

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

constexpr double kEventsPerSecond = 100'000.0;
constexpr double kFeedSeconds = 30.0;
constexpr int kFramesPerSecond = 30;
constexpr int kSeries = 3;  // update-level series (e.g. three overlaid runs)
constexpr std::size_t kPreloadPerSeries = 1'000'000;
constexpr int kWorkers = 64;
constexpr std::uint64_t kGradBytes = 4096;
constexpr int kUpdatesPerEvaluation = 1000;

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(std::min<double>(static_cast<double>(values.size() - 1),
                                                               std::floor(q * static_cast<double>(values.size()))));
  return values[index];
}

// Counts paints of the chart views, to prove each measured frame really painted them.
class PaintCounter : public QObject {
 public:
  int count = 0;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::Paint) ++count;
    return QObject::eventFilter(watched, event);
  }
};

double lossAt(double updates, double noise) { return 1.0 / (1.0 + updates * 1e-5) * (1.0 + noise) + 1e-4; }

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);

  QWidget window;
  auto* layout = new QVBoxLayout(&window);
  auto* live = new LiveChart(&window);
  auto* histogram = new DelayHistogram(&window);
  layout->addWidget(live, 2);
  layout->addWidget(histogram, 1);
  window.resize(1280, 900);
  window.show();
  QCoreApplication::processEvents();

  std::mt19937_64 rng(12345);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::geometric_distribution<int> delays(0.08);
  std::uniform_int_distribution<int> workerPick(0, kWorkers - 1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);

  std::vector<int> series;
  for (int s = 0; s < kSeries; ++s)
    series.push_back(live->addSeries(QStringLiteral("run %1 (per update)").arg(s),
                                     QColor::fromHsv(s * 110, 200, 200)));
  const int evaluations = live->addSeries(QStringLiteral("evaluation f − f*"), Qt::black);

  // History from earlier in the run: every series starts the measured feed with 1M points.
  const double totalEvents = kEventsPerSecond * kFeedSeconds;
  const std::size_t finalPerSeries = kPreloadPerSeries + static_cast<std::size_t>(totalEvents / kSeries) + 1;
  double updates = 0.0;
  {
    std::vector<SeriesPoint> history(kPreloadPerSeries);
    for (int s = 0; s < kSeries; ++s) {
      live->reserve(series[static_cast<std::size_t>(s)], finalPerSeries);
      for (std::size_t i = 0; i < kPreloadPerSeries; ++i) {
        const double u = static_cast<double>(i);
        history[i] = {u * kSeries / kEventsPerSecond - 30.0, u, u * kGradBytes, lossAt(u, noise(rng))};
      }
      live->append(series[static_cast<std::size_t>(s)], history);
    }
    updates = static_cast<double>(kPreloadPerSeries);
  }

  const int frames = static_cast<int>(kFeedSeconds * kFramesPerSecond);
  const auto perSlice = static_cast<std::size_t>(kEventsPerSecond / kFramesPerSecond);
  std::vector<UpdateEvent> batch(perSlice);
  std::vector<double> frameMs;
  std::vector<double> chartMs;
  std::vector<double> paintMs;
  frameMs.reserve(static_cast<std::size_t>(frames));
  PaintCounter paints;
  live->view()->viewport()->installEventFilter(&paints);
  histogram->view()->viewport()->installEventFilter(&paints);
  double ingestSeconds = 0.0;
  std::uint64_t generated = 0;
  std::uint64_t lateCancelled = 0;
  std::uint64_t evaluationPoints = 0;
  std::uint64_t version = 0;
  std::uint64_t nextEvaluation = kUpdatesPerEvaluation;

  for (int frame = 0; frame < frames; ++frame) {
    const double sliceStart = static_cast<double>(frame) / kFramesPerSecond;
    // Generation is not ingest: make the slice's events first.
    for (std::size_t i = 0; i < perSlice; ++i) {
      UpdateEvent& e = batch[i];
      e.time = sliceStart + static_cast<double>(i) / kEventsPerSecond;
      e.worker = workerPick(rng);
      e.delay = delays(rng);
      const double u = uniform(rng);
      e.outcome = e.delay > 40 ? Outcome::Discarded
                  : u < 0.08   ? Outcome::Cancelled
                  : u < 0.10   ? Outcome::LateCancelled
                               : Outcome::Accepted;
      if (e.outcome == Outcome::Accepted) ++version;
      e.versionAfter = version;
      e.bytes = kGradBytes;
      if (e.outcome == Outcome::LateCancelled) ++lateCancelled;
    }
    generated += perSlice;

    QElapsedTimer ingest;
    ingest.start();
    histogram->addEvents(batch);
    for (std::size_t i = 0; i < perSlice; ++i) {
      const UpdateEvent& e = batch[i];
      updates += 1.0;
      const int s = series[i % kSeries];
      live->append(s, e.time, updates, updates * kGradBytes, lossAt(updates, 0.0));
      if (static_cast<std::uint64_t>(updates) >= nextEvaluation) {
        live->append(evaluations, e.time, updates, updates * kGradBytes, lossAt(updates, 0.0) * 0.9);
        nextEvaluation += kUpdatesPerEvaluation;
        ++evaluationPoints;
      }
    }
    ingestSeconds += static_cast<double>(ingest.nsecsElapsed()) / 1e9;

    QElapsedTimer timer;
    timer.start();
    live->refreshNow();
    histogram->refreshNow();
    chartMs.push_back(live->lastFrameMs() + histogram->lastFrameMs());
    const qint64 beforePaint = timer.nsecsElapsed();
    // What the event loop does after a frame: layout, then paint through the backing store.
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    const qint64 total = timer.nsecsElapsed();
    frameMs.push_back(static_cast<double>(total) / 1e6);
    paintMs.push_back(static_cast<double>(total - beforePaint) / 1e6);
  }

  // Every generated event must be accounted for: in the histogram (or its late-cancelled count),
  // and as one point of an update-level series.
  std::uint64_t histogrammed = histogram->lateCancelledCount() + histogram->ignoredCount();
  for (const Outcome outcome : DelayHistogram::kOutcomes) histogrammed += histogram->total(outcome);
  std::uint64_t plotted = 0;
  for (const int s : series) plotted += live->buffer(s).size() - kPreloadPerSeries;
  const std::uint64_t dropped = (generated - std::min(generated, histogrammed)) +
                                (generated - std::min(generated, plotted));

  std::printf("bench_dashboard: %.0f s simulated feed at %.0f events/s, %d frames (one per 1/%d s slice)\n",
              kFeedSeconds, kEventsPerSecond, frames, kFramesPerSecond);
  std::printf("points kept per update series: %zu at start, %zu at end (%d series + %llu evaluation points)\n",
              kPreloadPerSeries, live->buffer(series[0]).size(), kSeries,
              static_cast<unsigned long long>(evaluationPoints));
  std::printf("drawn points per series: %d (plot width %d px)\n", live->drawnPointCount(series[0]),
              live->plotWidth());
  std::printf("frame (refresh + layout + paint): median %.2f ms, p95 %.2f ms, max %.2f ms\n",
              percentile(frameMs, 0.5), percentile(frameMs, 0.95), percentile(frameMs, 1.0));
  std::printf("  of which decimate + replace(): median %.2f ms, p95 %.2f ms\n", percentile(chartMs, 0.5),
              percentile(chartMs, 0.95));
  std::printf("chart views painted per frame: %.2f (2 = both painted every frame)\n",
              static_cast<double>(paints.count) / frames);
  std::printf("  of which layout + painting (event loop): median %.2f ms, p95 %.2f ms\n", percentile(paintMs, 0.5),
              percentile(paintMs, 0.95));
  std::printf("ingest: %llu events in %.3f s = %.2f M events/s (%.1fx the 100k/s feed)\n",
              static_cast<unsigned long long>(generated), ingestSeconds,
              static_cast<double>(generated) / ingestSeconds / 1e6,
              static_cast<double>(generated) / ingestSeconds / kEventsPerSecond);
  std::printf("late-cancelled (counted, not binned): %llu\n", static_cast<unsigned long long>(lateCancelled));
  std::printf("events dropped: %llu\n", static_cast<unsigned long long>(dropped));
  const bool ok = percentile(frameMs, 0.5) <= 33.0 && dropped == 0;
  std::printf("target median frame <= 33 ms: %s\n", ok ? "met" : "NOT met");
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
