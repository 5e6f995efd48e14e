# Users' own data: the data search path and the CSV / .npy / LIBSVM-regression readers, and the problems
# reading them. The search test also checks the build tree's share/distopt/data mirror.
distopt_add_qtest(test_core_data_files SOURCES core/test_data_files.cpp LIBS distopt::core LABELS core)
