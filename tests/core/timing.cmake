# Time models (core/timing) and time-complexity formulas (core/theory).
distopt_add_qtest(test_core_time_models SOURCES core/test_time_models.cpp
                  LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_time_complexity SOURCES core/test_time_complexity.cpp
                  LIBS distopt::core LABELS core)
