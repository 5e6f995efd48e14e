# Inputs the fuzz harnesses (tests/fuzz) found crashing a decoder, replayed from their corpus files.
distopt_add_qtest(test_core_fuzz_regressions SOURCES core/test_fuzz_regressions.cpp
                  LIBS distopt::core LABELS core)
