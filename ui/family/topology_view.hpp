#pragma once
// The decentralized family's view: the communication graph (rebuilt from the experiment's topology
// settings with core/topology, the code the run uses) with nodes coloured by consensus error and edges
// by traffic, beside the consensus chart over time.

#include <QString>
#include <vector>

#include "ui/family/family_view.hpp"

namespace distopt::ui {

class TopologyGraph;

class TopologyView : public FamilyView {
  Q_OBJECT

 public:
  explicit TopologyView(QWidget* parent = nullptr);
  ~TopologyView() override;

  distopt::FamilyId family() const override { return distopt::FamilyId::Decentralized; }
  QString title() const override { return tr("Topology"); }
  void beginRun(const nlohmann::json& experiment) override;
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points) override;
  /// Takes the per-edge samples (kind "peer:<j>"); the others are the bandwidth chart's.
  void addBandwidth(const std::vector<distopt::BandwidthSample>& samples) override;
  void refreshNow() override;
  std::vector<ExportItem> exportItems() const override;

  TopologyGraph* graph() const { return m_graph; }
  /// consensus_error, tracker_consensus_error and prox_grad_mapping_norm_sq over time.
  LiveChart* consensus() const { return m_consensus; }
  const MetricLines& consensusLines() const { return m_lines; }

 private:
  TopologyGraph* m_graph = nullptr;
  LiveChart* m_consensus = nullptr;
  MetricLines m_lines;
};

}  // namespace distopt::ui
