# Live chart widgets (ui/charts): decimation, LiveChart, DelayHistogram, BandwidthChart, screenshot.
distopt_add_qtest(test_ui_charts SOURCES ui/test_charts.cpp LIBS distopt::ui LABELS ui)
