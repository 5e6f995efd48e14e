distopt_add_qtest(test_compressed_codecs SOURCES core/test_compressed_codecs.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_compressed_methods SOURCES core/test_compressed_methods.cpp LIBS distopt::core LABELS core)
