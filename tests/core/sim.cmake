distopt_add_qtest(test_core_sim_golden SOURCES core/test_sim_golden.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_sim_structure SOURCES core/test_sim_structure.cpp LIBS distopt::core LABELS core)
# AsyncServer keeping its model in a ModelMirror (the live coordinator's JOB frames).
distopt_add_qtest(test_core_server_mirror SOURCES core/test_server_mirror.cpp LIBS distopt::core LABELS core)
# The helper thread that shares a large step's pass when a core is free.
distopt_add_qtest(test_core_chunk_helper SOURCES core/test_chunk_helper.cpp LIBS distopt::core LABELS core)
# The simulator's pending completions (one per worker, ordered by time then worker).
distopt_add_qtest(test_core_completion_heap SOURCES core/test_completion_heap.cpp LIBS distopt::core LABELS core)
# The simulator's model snapshots, counted by hand (a job reads the version it was sent).
distopt_add_qtest(test_core_snapshot_pool SOURCES core/test_snapshot_pool.cpp LIBS distopt::core LABELS core)
# The evaluation grid and time-limit close every family's simulator shares.
distopt_add_qtest(test_core_evaluation_grid SOURCES core/test_evaluation_grid.cpp LIBS distopt::core LABELS core)
# The run ledger every engine keeps: points judged, requests, the final point, the termination, the summary.
distopt_add_qtest(test_core_run_ledger SOURCES core/test_run_ledger.cpp LIBS distopt::core LABELS core)
# Budgets in bytes and gradient evaluations: the stop rule, the experiment fields, every family's
# simulator, and live runs through distopt-run with real workers.
distopt_add_qtest(test_core_run_budgets SOURCES core/test_run_budgets.cpp LIBS distopt::core Qt6::Core LABELS core)
add_dependencies(test_core_run_budgets distopt-run distopt-worker)
# Registry-driven conformance: every registered algorithm's metadata, defaults and a short seeded run.
distopt_add_qtest(test_core_algorithm_conformance SOURCES core/test_algorithm_conformance.cpp LIBS distopt::core LABELS core)
# The virtual network every family's simulator runs its roles on: event order, links, bytes, losses, the end.
distopt_add_qtest(test_core_virtual_network SOURCES core/test_virtual_network.cpp LIBS distopt::core LABELS core)
# The parameter-server family's roles on the virtual network equal its fast path (SimEngine) bit for bit.
distopt_add_qtest(test_core_parameter_server_roles SOURCES core/test_parameter_server_roles.cpp LIBS distopt::core LABELS core)
