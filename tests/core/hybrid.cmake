# Hybrid-order family (docs/papers.md, hybrid-order): Lanczos, FOSI, DHO2 / MR-DHO2, the family's SimRun.
distopt_add_qtest(test_hybrid_lanczos SOURCES core/test_hybrid_lanczos.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_hybrid_fosi SOURCES core/test_hybrid_fosi.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_hybrid_dho2 SOURCES core/test_hybrid_dho2.cpp LIBS distopt::core LABELS core)
