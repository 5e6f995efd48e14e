# Experiment editor (ui/editor): option forms generated from the registry, the experiment document,
# presets, open/save and validation.
distopt_add_qtest(test_ui_experiment_editor SOURCES ui/test_experiment_editor.cpp
                  LIBS distopt::ui LABELS ui)
# Workers → Where → Slurm: the choice and the experiment's "launcher": "slurm" fields, both ways.
distopt_add_qtest(test_ui_slurm_placement SOURCES ui/test_slurm_placement.cpp LIBS distopt::ui LABELS ui)
