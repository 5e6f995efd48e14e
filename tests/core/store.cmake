# Run store (core/store): SQLite schema, round trips, the background writer and crash safety.
distopt_add_qtest(test_core_run_store SOURCES core/test_run_store.cpp
                  LIBS distopt::store SQLite::SQLite3 LABELS core)
