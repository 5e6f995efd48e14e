#pragma once
// The compressed-SGD family's view: loss against communicated bits (what compression buys), bits per
// iteration up and down, and for majority-vote methods the vote's agreement, margin and coverage.

#include <QString>
#include <vector>

#include "ui/family/family_view.hpp"

class QCheckBox;

namespace distopt::ui {

class CompressedView : public FamilyView {
  Q_OBJECT

 public:
  explicit CompressedView(QWidget* parent = nullptr);
  ~CompressedView() override;

  distopt::FamilyId family() const override { return distopt::FamilyId::Compressed; }
  QString title() const override { return tr("Compressed"); }
  void beginRun(const nlohmann::json& experiment) override;
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points) override;
  void addOverlay(const QString& label, const std::vector<distopt::EvaluationPoint>& points) override;
  void clearOverlays() override;
  void refreshNow() override;
  std::vector<ExportItem> exportItems() const override;

  /// Loss (or f − f*) against log10 of the cumulative bits; series 0 is this run, then overlays.
  LiveChart* lossBits() const { return m_lossBits; }
  LiveChart* bitsPerIteration() const { return m_bitsPerIteration; }
  LiveChart* votes() const { return m_votes; }
  /// True once the run reported vote metrics (majority-vote methods); the vote chart shows only then.
  bool hasVotes() const { return m_haveVotes; }
  /// Whether the x of the loss-bits chart counts downlink bits too.
  void setIncludeDownlink(bool on);
  bool includeDownlink() const { return m_includeDown; }

 private:
  struct Curve {
    QString label;
    std::vector<distopt::EvaluationPoint> points;  ///< only those with cumulative_bits_up
  };
  void rebuildLossBits();
  void appendLossBits(int series, const distopt::EvaluationPoint& p);

  LiveChart* m_lossBits = nullptr;
  LiveChart* m_bitsPerIteration = nullptr;
  LiveChart* m_votes = nullptr;
  QCheckBox* m_downToggle = nullptr;
  MetricLines m_bitsLines;
  MetricLines m_voteLines;
  std::vector<Curve> m_curves;  ///< [0] this run, then overlays, so the x choice can be redrawn
  bool m_includeDown = false;
  bool m_haveVotes = false;
};

}  // namespace distopt::ui
