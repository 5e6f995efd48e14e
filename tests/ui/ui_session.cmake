# One window through a working session (run after run, Stop, another method, stored runs, reattach),
# with a watchdog so a GUI stuck inside Qt fails instead of hanging.
distopt_add_qtest(test_ui_session SOURCES ui/test_session.cpp LIBS distopt::ui distopt::store LABELS ui live)
add_dependencies(test_ui_session distopt-run distopt-worker)
# distopt-workbench with no display: --help, --version, bad arguments, --export-report, --screenshot.
distopt_add_qtest(test_ui_workbench_headless SOURCES ui/test_workbench_headless.cpp LIBS distopt::ui LABELS ui)
add_dependencies(test_ui_workbench_headless distopt-workbench distopt-run)
# Its own environment decides the platform: the offscreen default of the other GUI tests would hide
# what it checks.
set_tests_properties(test_ui_workbench_headless PROPERTIES ENVIRONMENT "XDG_DATA_HOME=${CMAKE_BINARY_DIR}/test-data-home")
# The window at 1024×700: nothing cut, the form grows back, the read-only form scrolls.
distopt_add_qtest(test_ui_window_size SOURCES ui/test_window_size.cpp LIBS distopt::ui LABELS ui)
# The window, frame included, inside its screen when it opens, comes back from maximized, or restores a
# geometry saved on a larger screen (offscreen: 1024×768 and 1280×800 screens of its own).
distopt_add_qtest(test_ui_screen_fit SOURCES ui/test_screen_fit.cpp LIBS distopt::ui LABELS ui)
