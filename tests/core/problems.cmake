# Problems (core/problems) and data sets (core/data): readers, sharding, synthetic data, every problem's
# derivatives and registry entry. a9a comes from DISTOPT_TEST_DATA_DIR (resources/data); Fashion-MNIST is optional.
distopt_add_qtest(test_core_data_readers SOURCES core/test_data_readers.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_data_shards SOURCES core/test_data_shards.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_problems_synthetic SOURCES core/test_problems_synthetic.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_problems_models SOURCES core/test_problems_models.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_problems_entries SOURCES core/test_problems_entries.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_problems_views SOURCES core/test_problems_views.cpp LIBS distopt::core LABELS core)
# Registry-driven conformance of every registered problem: derivative checks, HVPs, bit-equal gradient paths.
distopt_add_qtest(test_core_problem_conformance SOURCES core/test_problem_conformance.cpp LIBS distopt::core ZLIB::ZLIB LABELS core)
