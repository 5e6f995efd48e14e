# Experiment files, option metadata and the registry (core/config, core/registry), and the
# distopt-run program that reads them (app/run).
distopt_add_qtest(test_core_experiment_config SOURCES core/test_experiment_config.cpp
                  LIBS distopt::core LABELS core)
distopt_add_qtest(test_app_run_cli SOURCES core/test_run_cli.cpp
                  LIBS distopt::core Qt6::Core LABELS app)
add_dependencies(test_app_run_cli distopt-run)
distopt_add_qtest(test_core_experiment_limits SOURCES core/test_experiment_limits.cpp
                  LIBS distopt::core LABELS core)
# distopt-run's `runs` command on a real store, interrupted runs, and runs whose disk fills up.
distopt_add_qtest(test_app_runs_command SOURCES core/test_runs_command.cpp
                  LIBS distopt::store Qt6::Core LABELS app)
add_dependencies(test_app_runs_command distopt-run)
# Sweeps: the spec (core/config/sweep_spec) and distopt-run --sweep on real processes and a real store.
distopt_add_qtest(test_core_sweep_spec SOURCES core/test_sweep_spec.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_app_sweep_command SOURCES core/test_sweep_command.cpp
                  LIBS distopt::store Qt6::Core LABELS app)
add_dependencies(test_app_sweep_command distopt-run)
# Mean and band over seeds on a common grid (core/analysis/seed_band), for comparisons and overlays.
distopt_add_qtest(test_core_seed_band SOURCES core/test_seed_band.cpp LIBS distopt::core LABELS core)
# Legend labels for overlaid runs: what differs between them (core/analysis/run_labels).
distopt_add_qtest(test_core_run_labels SOURCES core/test_run_labels.cpp LIBS distopt::core LABELS core)
# Typed enum options (core/registry/enum_option): one table gives the choices and the parser; every
# registered enum option refuses a typo naming the field, the value and the choices.
distopt_add_qtest(test_core_enum_options SOURCES core/test_enum_options.cpp LIBS distopt::core LABELS core)
