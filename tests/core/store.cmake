# Run store (core/store): SQLite schema, round trips, the background writer and crash safety.
distopt_add_qtest(test_core_run_store SOURCES core/test_run_store.cpp
                  LIBS distopt::store SQLite::SQLite3 LABELS core)
# Stored runs read back whole and exported (CSV, JSON), with family metrics.
distopt_add_qtest(test_core_run_export SOURCES core/test_run_export.cpp LIBS distopt::store LABELS core)
# What a run keeps: exact aggregates and a sample, the full log on request, interrupted runs, freed
# space, and a full disk (a small tmpfs, mounted when the test runs as root).
distopt_add_qtest(test_core_run_records SOURCES core/test_run_records.cpp LIBS distopt::store LABELS core)
# The run filter's syntax (core/store/run_filter_syntax), which the run history's filter field reads.
distopt_add_qtest(test_core_run_filter_syntax SOURCES core/test_run_filter_syntax.cpp LIBS distopt::store LABELS core)
