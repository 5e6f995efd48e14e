#pragma once
// The charts' legend, drawn by us instead of Qt Charts': QLegend elides each entry to an equal share of
// one row ("work…", "accep…", "#8 qu…"), and replayed from a QPicture into a PDF it drew only its first
// marker. This legend flows its entries over as many rows as they need and wraps an entry longer than
// the whole width at word boundaries, so no text is ever cut. The same layout and painting serve the
// widget under the chart on screen and the figure files (chart_export), so both show the same legend.
// Thread: GUI thread for the widget; layoutLegend/paintLegend on any thread with a QGuiApplication.

#include <QColor>
#include <QFont>
#include <QRectF>
#include <QString>
#include <QWidget>
#include <vector>

class QChart;
class QPainter;

namespace distopt::ui {

struct LegendEntry {
  QString label;
  QColor color;
  bool filled = false;  ///< a filled swatch (bars, areas) rather than a line
  bool dashed = false;  ///< the series is drawn dashed
  bool operator==(const LegendEntry&) const = default;
};

/// The entries of `chart`'s visible series, in the chart's order, one per name; none when its owner hid
/// the chart's legend (legendShown).
std::vector<LegendEntry> legendEntries(QChart* chart);
/// Whether `chart` has a legend: Qt's own is never drawn, but a chart that hides it wants none.
bool legendShown(QChart* chart);

/// Height the entries take when laid out in `width` px with `font` (0 for none).
double legendHeight(const std::vector<LegendEntry>& entries, const QFont& font, double width);
/// Paints the entries into `area` (its width; as tall as legendHeight says) in `textColor`.
void paintLegend(QPainter& painter, const std::vector<LegendEntry>& entries, const QFont& font,
                 const QRectF& area, const QColor& textColor = Qt::black);

class ChartLegend : public QWidget {
  Q_OBJECT

 public:
  explicit ChartLegend(QWidget* parent = nullptr);

  /// Shows `entries`; a repaint and a new height only when they changed.
  void setEntries(std::vector<LegendEntry> entries);
  const std::vector<LegendEntry>& entries() const { return m_entries; }

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  std::vector<LegendEntry> m_entries;
};

}  // namespace distopt::ui
