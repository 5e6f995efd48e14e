# Provenance of runs: SHA-256, the recorded command line, data files read, distopt-run's summary.json and
# store record, and --version of the three programs.
distopt_add_qtest(test_core_provenance SOURCES core/test_provenance.cpp
                  LIBS distopt::core distopt::store Qt6::Core LABELS core)
add_dependencies(test_core_provenance distopt-run distopt-worker)
if(TARGET distopt-workbench)
  add_dependencies(test_core_provenance distopt-workbench)
  target_compile_definitions(test_core_provenance PRIVATE DISTOPT_HAS_WORKBENCH)
endif()
