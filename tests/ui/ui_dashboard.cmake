# The manager view (plain words, time left, presentation mode) and the Metrics tab (metrics named in
# words, one chart per unit): unit checks and real runs through the main window (distopt-run, sim and
# live).
distopt_add_qtest(test_ui_manager_view SOURCES ui/test_manager_view.cpp LIBS distopt::ui LABELS ui live)
add_dependencies(test_ui_manager_view distopt-run distopt-worker)
