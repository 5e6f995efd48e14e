# Family views (ui/family): topology, compressed, curvature and Kronecker tabs, fed with real simulated
# runs of the presets (distopt-run into a per-test store), and reopened from the store.
distopt_add_qtest(test_ui_family SOURCES ui/test_family.cpp LIBS distopt::ui distopt::store LABELS ui)
add_dependencies(test_ui_family distopt-run)
