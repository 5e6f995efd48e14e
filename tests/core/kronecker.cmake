distopt_add_qtest(test_core_kron_math SOURCES core/test_kron_math.cpp LIBS distopt::core LABELS core)
