# The "Connect remote workers" window (ui/remote) against a real secured run.
distopt_add_qtest(test_ui_remote_workers SOURCES ui/test_remote_workers.cpp LIBS distopt::ui distopt::net LABELS ui live)
add_dependencies(test_ui_remote_workers distopt-run distopt-worker)
# A manager's read-only dashboard attached to a secured run's dashboard feed; the attach command, keys.
distopt_add_qtest(test_ui_remote_attach SOURCES ui/test_remote_attach.cpp LIBS distopt::ui distopt::client distopt::net
                  LABELS ui live)
add_dependencies(test_ui_remote_attach distopt-run distopt-worker)
# Remote slots from the form (Workers → Where): the shown command joins, a wrong token is refused.
distopt_add_qtest(test_ui_remote_slots SOURCES ui/test_remote_slots.cpp LIBS distopt::ui distopt::store distopt::net
                  LABELS ui live)
add_dependencies(test_ui_remote_slots distopt-run distopt-worker)
