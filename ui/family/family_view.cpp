#include "ui/family/family_view.hpp"

#include <charconv>

#include "core/registry/registry.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/family/compressed_view.hpp"
#include "ui/family/curvature_view.hpp"
#include "ui/family/kronecker_view.hpp"
#include "ui/family/topology_view.hpp"

namespace distopt::ui {

std::string algorithmOf(const nlohmann::json& experiment) {
  if (!experiment.is_object() || !experiment.contains("algorithm") || !experiment["algorithm"].is_object())
    return {};
  const auto& name = experiment["algorithm"].value("name", nlohmann::json());
  return name.is_string() ? name.get<std::string>() : std::string();
}

std::optional<FamilyId> familyOf(const nlohmann::json& experiment) {
  const AlgorithmEntry* entry = findAlgorithm(algorithmOf(experiment));
  return entry ? std::optional(entry->family) : std::nullopt;
}

// No default: a new FamilyId does not build until it is here.
FamilyView* makeFamilyView(FamilyId family, QWidget* parent) {
  switch (family) {
    case FamilyId::Async:
      return nullptr;
    case FamilyId::Compressed:
      return new CompressedView(parent);
    case FamilyId::Decentralized:
      return new TopologyView(parent);
    case FamilyId::Kronecker:
      return new KroneckerView(parent);
    case FamilyId::Hybrid:
      return new CurvatureView(parent);
  }
  return nullptr;
}

std::optional<int> metricIndex(const std::string& name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || name.compare(0, prefix.size(), prefix) != 0 ||
      name[prefix.size()] != '.')
    return std::nullopt;
  const char* first = name.data() + prefix.size() + 1;
  const char* last = name.data() + name.size();
  int index = 0;
  const auto [end, error] = std::from_chars(first, last, index);
  if (error != std::errc() || end != last || index < 0) return std::nullopt;
  return index;
}

bool isIndexedMetric(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  return metricIndex(name, std::string_view(name).substr(0, dot)).has_value();
}

QColor familyColor(std::size_t index) {
  static const QColor palette[] = {QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
                                   QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                                   QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                   QColor(23, 190, 207)};
  return palette[index % std::size(palette)];
}

MetricLines::MetricLines(LiveChart* chart, std::vector<Spec> specs)
    : m_chart(chart), m_specs(std::move(specs)) {}

void MetricLines::clear() {
  m_chart->removeSeriesFrom(0);
  m_series.clear();
}

bool MetricLines::add(const EvaluationPoint& p) {
  bool any = false;
  for (const Spec& spec : m_specs) {
    const auto value = p.metrics.find(spec.metric);
    if (value == p.metrics.end()) continue;
    auto series = m_series.find(spec.metric);
    if (series == m_series.end())
      series =
          m_series.emplace(spec.metric, m_chart->addSeries(metricName(spec.metric).words, spec.color)).first;
    m_chart->append(series->second, p.time, static_cast<double>(p.updates),
                    static_cast<double>(p.bytesUp + p.bytesDown), value->second);
    any = true;
  }
  return any;
}

QString MetricLines::axisTitle() const {
  if (m_specs.size() == 1) return metricTitleWithUnit(m_specs.front().metric);
  QStringList units;
  for (const Spec& spec : m_specs)
    if (const QString unit = metricUnitTitle(metricName(spec.metric).unit); !units.contains(unit))
      units << unit;
  return units.join(QStringLiteral(", "));
}

int MetricLines::seriesOf(const std::string& metric) const {
  const auto found = m_series.find(metric);
  return found == m_series.end() ? -1 : found->second;
}

}  // namespace distopt::ui
