# Live chart widgets (ui/charts): decimation, LiveChart, DelayHistogram, BandwidthChart, screenshot.
distopt_add_qtest(test_ui_charts SOURCES ui/test_charts.cpp LIBS distopt::ui LABELS ui)
# Run history, chart and data export, reports (ui/history, ui/export).
distopt_add_qtest(test_ui_history_export SOURCES ui/test_history_export.cpp LIBS distopt::ui distopt::store LABELS ui)
add_dependencies(test_ui_history_export distopt-workbench distopt-run)
# The run history as a tracker (ui/history): chosen columns from experiment fields, summaries and family
# metrics, filters, numeric sort, groups, the saved column set, on real simulated runs of several families.
distopt_add_qtest(test_ui_history_tracker SOURCES ui/test_history_tracker.cpp LIBS distopt::ui distopt::store LABELS ui)
add_dependencies(test_ui_history_tracker distopt-run)
# Several seeds overlaid from the history as one mean line and band (ui/history/overlay_band).
distopt_add_qtest(test_ui_seed_bands SOURCES ui/test_seed_bands.cpp LIBS distopt::ui distopt::store LABELS ui)
# The sweep panel (ui/sweep) running real simulated sweeps through distopt-run into a per-test store.
distopt_add_qtest(test_ui_sweep_panel SOURCES ui/test_sweep_panel.cpp LIBS distopt::ui distopt::store LABELS ui)
add_dependencies(test_ui_sweep_panel distopt-run distopt-workbench)
# The one place chart axes get their ranges (ui/charts/axis_range): sanitizing and bounded ticks.
distopt_add_qtest(test_ui_axis_range SOURCES ui/test_axis_range.cpp LIBS distopt::ui LABELS ui)
# Figures for a paper: exported SVG/PDF rendered (QSvgRenderer, pdftoppm, pdftotext) with whole legends,
# titles and a canvas that is the drawing; the CSV beside; report.pdf; the convergence chart's quantities.
distopt_add_qtest(test_ui_figure_export SOURCES ui/test_figure_export.cpp LIBS distopt::ui LABELS ui)
# Tick labels as people write numbers (ui/charts/axis_ticks, tick_label_axis): "10⁻⁵", "2 × 10⁻³", "6 M".
distopt_add_qtest(test_ui_axis_ticks SOURCES ui/test_axis_ticks.cpp LIBS distopt::ui LABELS ui)
