distopt_add_qtest(test_core_kron_math SOURCES core/test_kron_math.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_kron_fast SOURCES core/test_kron_fast.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_kron_sharded SOURCES core/test_kron_sharded.cpp LIBS distopt::core LABELS core)
