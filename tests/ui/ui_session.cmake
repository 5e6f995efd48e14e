# One window through a working session (run after run, Stop, another method, stored runs, reattach),
# with a watchdog so a GUI stuck inside Qt fails instead of hanging.
distopt_add_qtest(test_ui_session SOURCES ui/test_session.cpp LIBS distopt::ui distopt::store LABELS ui live)
add_dependencies(test_ui_session distopt-run distopt-worker)
