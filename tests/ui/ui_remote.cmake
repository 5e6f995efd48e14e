# The "Connect remote workers" window (ui/remote) against a real secured run.
distopt_add_qtest(test_ui_remote_workers SOURCES ui/test_remote_workers.cpp LIBS distopt::ui distopt::net LABELS ui live)
add_dependencies(test_ui_remote_workers distopt-run distopt-worker)
