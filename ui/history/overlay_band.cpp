#include "ui/history/overlay_band.hpp"

#include <QObject>
#include <cmath>

#include <nlohmann/json.hpp>

namespace distopt::ui {

double convergenceValue(const EvaluationPoint& point) { return point.gap ? *point.gap : point.loss; }

OverlayBand overlayBand(const QString& label, const std::vector<std::vector<EvaluationPoint>>& runs,
                        BandKind kind, int intervals) {
  // One curve per run and per quantity, all against time; a sample whose time goes backwards (a
  // reattached run's overlap) is dropped so interpolation sees increasing x.
  std::vector<SampledCurve> values, updates, bytes;
  for (const auto& run : runs) {
    SampledCurve v, u, b;
    for (const EvaluationPoint& p : run) {
      if (!std::isfinite(p.time) || (!v.x.empty() && p.time < v.x.back())) continue;
      v.x.push_back(p.time);
      v.y.push_back(convergenceValue(p));
      u.y.push_back(static_cast<double>(p.updates));
      b.y.push_back(static_cast<double>(p.bytesUp + p.bytesDown));
    }
    u.x = v.x;
    b.x = v.x;
    values.push_back(std::move(v));
    updates.push_back(std::move(u));
    bytes.push_back(std::move(b));
  }
  OverlayBand band;
  band.label = label;
  band.seeds = static_cast<int>(runs.size());
  band.kind = kind;
  const std::vector<double> grid = commonGrid(values, intervals);
  const SeedBand y = seedBand(values, grid);
  const SeedBand u = seedBand(updates, grid);
  const SeedBand b = seedBand(bytes, grid);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const BandPoint& p = y.points[i];
    if (p.count == 0) continue;
    const double t = grid[i], up = u.points[i].mean, by = b.points[i].mean;
    band.mean.push_back({t, up, by, p.mean});
    band.low.push_back({t, up, by, p.low(kind)});
    band.high.push_back({t, up, by, p.high(kind)});
  }
  return band;
}

std::string configurationKey(const std::string& experimentJson) {
  auto document = nlohmann::json::parse(experimentJson, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return experimentJson;
  document.erase("seed");
  return document.dump();
}

QString bandDescription(BandKind kind, int seeds) {
  return kind == BandKind::MinMax ? QObject::tr("mean and min–max of %1 seeds").arg(seeds)
                                  : QObject::tr("mean ± sd of %1 seeds").arg(seeds);
}

}  // namespace distopt::ui
