#include "ui/charts/series_colors.hpp"

namespace distopt::ui {

const std::vector<QColor>& overlayPalette() {
  static const std::vector<QColor> palette = {
      QColor(44, 160, 44),   QColor(255, 127, 14),  QColor(148, 103, 189), QColor(140, 86, 75),
      QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),  QColor(23, 190, 207)};
  return palette;
}

StableColors::StableColors(std::vector<QColor> palette) : m_palette(std::move(palette)) {
  if (m_palette.empty()) m_palette.push_back(Qt::black);
}

QColor StableColors::colorFor(const QString& key) {
  std::size_t index = 0;
  if (const auto found = m_assigned.find(key);
      found != m_assigned.end() && !m_shown.contains(found->second)) {
    index = found->second;
  } else {
    // The first colour no shown run holds, preferring one no remembered run holds either, so a run that
    // comes back later still finds its own.
    std::set<std::size_t> remembered;
    for (const auto& [other, at] : m_assigned) remembered.insert(at);
    index = m_palette.size();
    for (std::size_t i = 0; i < m_palette.size() && index == m_palette.size(); ++i)
      if (!m_shown.contains(i) && !remembered.contains(i)) index = i;
    for (std::size_t i = 0; i < m_palette.size() && index == m_palette.size(); ++i)
      if (!m_shown.contains(i)) index = i;
    if (index == m_palette.size()) index = m_next++ % m_palette.size();
    m_assigned[key] = index;
  }
  m_shown.insert(index);
  return m_palette[index];
}

}  // namespace distopt::ui
