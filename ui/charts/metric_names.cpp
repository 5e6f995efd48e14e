#include "ui/charts/metric_names.hpp"

#include <QCoreApplication>
#include <algorithm>
#include <map>

#include "ui/family/family_view.hpp"

namespace distopt::ui {
namespace {

struct Entry {
  const char* key;
  const char* words;
  MetricUnit unit;
};

// Every key a family reports today (core/{compressed,decentralized,hybrid,kronecker}, net/families).
constexpr Entry kTable[] = {
    // Compressed communication.
    {"cumulative_bits_up", QT_TRANSLATE_NOOP("MetricNames", "Uplink bits so far"), MetricUnit::Bits},
    {"cumulative_bits_down", QT_TRANSLATE_NOOP("MetricNames", "Downlink bits so far"), MetricUnit::Bits},
    {"bits_up_per_iteration", QT_TRANSLATE_NOOP("MetricNames", "Uplink bits per iteration"),
     MetricUnit::Bits},
    {"bits_up_per_worker", QT_TRANSLATE_NOOP("MetricNames", "Uplink bits per worker"), MetricUnit::Bits},
    {"bits_down_per_iteration", QT_TRANSLATE_NOOP("MetricNames", "Downlink bits per iteration"),
     MetricUnit::Bits},
    {"compression_ratio_up", QT_TRANSLATE_NOOP("MetricNames", "Uplink compression ratio"), MetricUnit::Ratio},
    {"efficiency_up", QT_TRANSLATE_NOOP("MetricNames", "Uplink efficiency (lower bound / bits sent)"),
     MetricUnit::Fraction},
    {"down_nonzero_fraction", QT_TRANSLATE_NOOP("MetricNames", "Downlink non-zero share"),
     MetricUnit::Fraction},
    {"vote_agreement", QT_TRANSLATE_NOOP("MetricNames", "Vote agreement"), MetricUnit::Fraction},
    {"vote_margin", QT_TRANSLATE_NOOP("MetricNames", "Vote margin"), MetricUnit::Fraction},
    {"vote_coverage", QT_TRANSLATE_NOOP("MetricNames", "Vote coverage"), MetricUnit::Fraction},
    // Decentralized.
    {"consensus_error", QT_TRANSLATE_NOOP("MetricNames", "Consensus error"), MetricUnit::SquaredNorm},
    {"node_consensus_error", QT_TRANSLATE_NOOP("MetricNames", "Node consensus error"),
     MetricUnit::SquaredNorm},
    {"tracker_consensus_error", QT_TRANSLATE_NOOP("MetricNames", "Tracker consensus error"),
     MetricUnit::SquaredNorm},
    {"tracking_error", QT_TRANSLATE_NOOP("MetricNames", "Gradient tracking error"), MetricUnit::SquaredNorm},
    {"tracker_invariant", QT_TRANSLATE_NOOP("MetricNames", "Tracker invariant deviation"),
     MetricUnit::SquaredNorm},
    {"prox_grad_mapping_norm_sq", QT_TRANSLATE_NOOP("MetricNames", "Prox-gradient mapping ‖G(x̄)‖²"),
     MetricUnit::SquaredNorm},
    {"combined_optimality", QT_TRANSLATE_NOOP("MetricNames", "Combined optimality measure"),
     MetricUnit::SquaredNorm},
    {"sparsity", QT_TRANSLATE_NOOP("MetricNames", "Model sparsity (share of zeros)"), MetricUnit::Fraction},
    {"lambda", QT_TRANSLATE_NOOP("MetricNames", "Mixing matrix λ (second largest)"), MetricUnit::Eigenvalue},
    {"spectral_gap", QT_TRANSLATE_NOOP("MetricNames", "Spectral gap of the mixing matrix"),
     MetricUnit::Eigenvalue},
    {"gossip_rounds", QT_TRANSLATE_NOOP("MetricNames", "Gossip rounds per step"), MetricUnit::Count},
    {"ifo_calls", QT_TRANSLATE_NOOP("MetricNames", "Gradient calls per node"), MetricUnit::Count},
    {"ifo_calls_max", QT_TRANSLATE_NOOP("MetricNames", "Gradient calls, busiest node"), MetricUnit::Count},
    {"epochs", QT_TRANSLATE_NOOP("MetricNames", "Passes over the local data"), MetricUnit::Count},
    {"communication_rounds", QT_TRANSLATE_NOOP("MetricNames", "Communication rounds"), MetricUnit::Count},
    {"messages", QT_TRANSLATE_NOOP("MetricNames", "Messages sent"), MetricUnit::Count},
    {"payload_bytes", QT_TRANSLATE_NOOP("MetricNames", "Payload bytes sent"), MetricUnit::Bytes},
    {"wire_bytes", QT_TRANSLATE_NOOP("MetricNames", "Bytes on the wire"), MetricUnit::Bytes},
    {"compute_time", QT_TRANSLATE_NOOP("MetricNames", "Computing time per node"), MetricUnit::TimeUnits},
    {"wait_time", QT_TRANSLATE_NOOP("MetricNames", "Waiting time per node"), MetricUnit::TimeUnits},
    // Hybrid order (curvature).
    {"lambda_max", QT_TRANSLATE_NOOP("MetricNames", "Largest curvature eigenvalue"), MetricUnit::Eigenvalue},
    {"lambda_k", QT_TRANSLATE_NOOP("MetricNames", "k-th curvature eigenvalue"), MetricUnit::Eigenvalue},
    {"eigenvalue", QT_TRANSLATE_NOOP("MetricNames", "Curvature eigenvalue"), MetricUnit::Eigenvalue},
    {"curvature_age", QT_TRANSLATE_NOOP("MetricNames", "Curvature age (steps since its snapshot)"),
     MetricUnit::Count},
    {"base_scale_c", QT_TRANSLATE_NOOP("MetricNames", "Base step scale c"), MetricUnit::Ratio},
    {"ese_count", QT_TRANSLATE_NOOP("MetricNames", "Eigen-estimates made"), MetricUnit::Count},
    {"curvature_memory_bytes_max", QT_TRANSLATE_NOOP("MetricNames", "Curvature memory, peak"),
     MetricUnit::Bytes},
    {"curvature_memory_bytes", QT_TRANSLATE_NOOP("MetricNames", "Curvature memory"), MetricUnit::Bytes},
    {"curvature_workers_lost", QT_TRANSLATE_NOOP("MetricNames", "Curvature workers lost"), MetricUnit::Count},
    {"staleness_last", QT_TRANSLATE_NOOP("MetricNames", "Staleness of the last update (steps)"),
     MetricUnit::Count},
    // Kronecker.
    {"eta", QT_TRANSLATE_NOOP("MetricNames", "Step size η"), MetricUnit::Ratio},
    {"fired_fraction", QT_TRANSLATE_NOOP("MetricNames", "Fired neurons (batch)"), MetricUnit::Fraction},
    {"fired_fraction_all", QT_TRANSLATE_NOOP("MetricNames", "Fired neurons (all samples)"),
     MetricUnit::Fraction},
    // CPU seconds of the coordinator's and every worker's work (core/kronecker/kron_metrics.hpp).
    {"iteration_seconds", QT_TRANSLATE_NOOP("MetricNames", "CPU time per iteration"), MetricUnit::Seconds},
    {"nnz", QT_TRANSLATE_NOOP("MetricNames", "Non-zeros per iteration"), MetricUnit::Count},
    {"updated_neurons", QT_TRANSLATE_NOOP("MetricNames", "Neurons updated per iteration"), MetricUnit::Count},
    {"batch_loss", QT_TRANSLATE_NOOP("MetricNames", "Batch loss"), MetricUnit::Loss},
    {"flips", QT_TRANSLATE_NOOP("MetricNames", "Sign flips per iteration"), MetricUnit::Count},
};

const Entry* find(std::string_view key) {
  for (const Entry& entry : kTable)
    if (key == entry.key) return &entry;
  return nullptr;
}

// "some_new_key" -> "Some new key": readable, if not as good as the table's words.
QString wordsFromKey(std::string_view key) {
  QString words = QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
  words.replace(QLatin1Char('_'), QLatin1Char(' '));
  if (!words.isEmpty()) words[0] = words[0].toUpper();
  return words;
}

}  // namespace

MetricName metricName(const std::string& key) {
  std::string_view base = key;
  QString suffix;
  if (isIndexedMetric(key)) {
    const auto dot = key.rfind('.');
    base = std::string_view(key).substr(0, dot);
    suffix =
        QCoreApplication::translate("MetricNames", ", #%1").arg(QString::fromStdString(key.substr(dot + 1)));
  }
  if (const Entry* entry = find(base))
    return {QCoreApplication::translate("MetricNames", entry->words) + suffix, entry->unit};
  return {wordsFromKey(base) + suffix, MetricUnit::Other};
}

QString metricUnitTitle(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::Bits:
      return QCoreApplication::translate("MetricNames", "bits");
    case MetricUnit::Bytes:
      return QCoreApplication::translate("MetricNames", "bytes");
    case MetricUnit::Count:
      return QCoreApplication::translate("MetricNames", "count");
    case MetricUnit::TimeUnits:
      return QCoreApplication::translate("MetricNames", "time units");
    case MetricUnit::Seconds:
      return QCoreApplication::translate("MetricNames", "seconds");
    case MetricUnit::Eigenvalue:
      return QCoreApplication::translate("MetricNames", "eigenvalue");
    case MetricUnit::SquaredNorm:
      return QCoreApplication::translate("MetricNames", "squared norm");
    case MetricUnit::Fraction:
      return QCoreApplication::translate("MetricNames", "fraction (0–1)");
    case MetricUnit::Ratio:
      return QCoreApplication::translate("MetricNames", "factor");
    case MetricUnit::Loss:
      return QCoreApplication::translate("MetricNames", "loss");
    case MetricUnit::Other:
      break;
  }
  return QCoreApplication::translate("MetricNames", "other");
}

QString metricTitleWithUnit(const std::string& key) {
  const MetricName name = metricName(key);
  if (name.unit == MetricUnit::Other) return name.words;
  return name.words + QStringLiteral(" [") + metricUnitTitle(name.unit) + QLatin1Char(']');
}

QString metricUnitCaption(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::Bits:
      return QCoreApplication::translate("MetricNames", "Data volume in bits");
    case MetricUnit::Bytes:
      return QCoreApplication::translate("MetricNames", "Data volume in bytes");
    case MetricUnit::Count:
      return QCoreApplication::translate("MetricNames", "Counts");
    case MetricUnit::TimeUnits:
      return QCoreApplication::translate("MetricNames", "Run time");
    case MetricUnit::Seconds:
      return QCoreApplication::translate("MetricNames", "Measured time");
    case MetricUnit::Eigenvalue:
      return QCoreApplication::translate("MetricNames", "Eigenvalues");
    case MetricUnit::SquaredNorm:
      return QCoreApplication::translate("MetricNames", "Squared errors and norms");
    case MetricUnit::Fraction:
      return QCoreApplication::translate("MetricNames", "Shares");
    case MetricUnit::Ratio:
      return QCoreApplication::translate("MetricNames", "Factors");
    case MetricUnit::Loss:
      return QCoreApplication::translate("MetricNames", "Losses");
    case MetricUnit::Other:
      break;
  }
  return QCoreApplication::translate("MetricNames", "Other measurements");
}

const std::vector<MetricUnit>& metricUnitOrder() {
  static const std::vector<MetricUnit> order = {
      MetricUnit::SquaredNorm, MetricUnit::Loss,    MetricUnit::Fraction, MetricUnit::Ratio,
      MetricUnit::Eigenvalue,  MetricUnit::Bits,    MetricUnit::Bytes,    MetricUnit::Count,
      MetricUnit::TimeUnits,   MetricUnit::Seconds, MetricUnit::Other};
  return order;
}

std::vector<std::string> knownMetricKeys() {
  std::vector<std::string> keys;
  for (const Entry& entry : kTable) keys.emplace_back(entry.key);
  return keys;
}

}  // namespace distopt::ui
