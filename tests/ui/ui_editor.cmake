# Experiment editor (ui/editor): option forms generated from the registry, the experiment document,
# presets, open/save and validation.
distopt_add_qtest(test_ui_experiment_editor SOURCES ui/test_experiment_editor.cpp
                  LIBS distopt::ui LABELS ui)
