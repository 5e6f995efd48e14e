#pragma once
// Colours for runs drawn together that stay with the run: a run overlaid again, or left on the chart
// while others come and go, keeps its colour; a new run takes the first colour no shown run has.
// Thread: GUI thread only.

#include <QColor>
#include <QString>
#include <map>
#include <set>
#include <vector>

namespace distopt::ui {

/// Overlaid runs' and metric series' colours, in order (Tableau 10 without the current run's blue and
/// the red of ‖∇f‖²).
const std::vector<QColor>& overlayPalette();

class StableColors {
 public:
  explicit StableColors(std::vector<QColor> palette = overlayPalette());

  /// The colour of the run named `key` (e.g. "#12"), now shown: the one it had before unless a run
  /// shown now holds it, else the first colour no shown run holds (the palette repeats when all do).
  QColor colorFor(const QString& key);
  /// No run is shown any more (the overlays were cleared); colours are remembered.
  void clearShown() { m_shown.clear(); }

 private:
  std::vector<QColor> m_palette;
  std::map<QString, std::size_t> m_assigned;
  std::set<std::size_t> m_shown;
  std::size_t m_next = 0;  ///< where the palette repeats from when every colour is shown
};

}  // namespace distopt::ui
