// Workers → Where → Slurm (issue 24): the choice and its fields become the experiment's
// "launcher": "slurm" and "slurm" object — the document distopt-run reads — and come back from it;
// a bad field is refused with its reason; without srun the choice is offered greyed out, with why.
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest>

#include "core/config/experiment.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/editor/worker_placement.hpp"

using distopt::ui::ExperimentEditor;
using distopt::ui::WorkerPlacement;
using json = nlohmann::json;

namespace {

QString presetsDir() { return QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments"); }

json liveExperiment() {
  return {{"name", "slurm-form"},
          {"engine", "live"},
          {"problem", {{"name", "quadratic"}, {"params", {{"d", 8}}}}},
          {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
          {"workers", {{"count", 16}, {"time_model", {{"name", "fixed"}, {"params", json::object()}}}}},
          {"stop", {{"updates", 100}}}};
}

bool slurmOffered(const WorkerPlacement& placement) {
  auto* model = qobject_cast<QStandardItemModel*>(placement.whereCombo()->model());
  return model && model->item(static_cast<int>(WorkerPlacement::Where::Slurm))->isEnabled();
}

}  // namespace

class TestSlurmPlacement : public QObject {
  Q_OBJECT

 private slots:
  void theChoiceRoundTripsThroughTheExperiment() {
    qputenv("DISTOPT_SRUN", "/bin/true");  // an srun that exists: the choice is offered
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.setDocument(liveExperiment()));
    WorkerPlacement* placement = editor.workerPlacement();
    QVERIFY(slurmOffered(*placement));
    placement->setWhere(WorkerPlacement::Where::Slurm);
    placement->partitionEdit()->setText("cpu");
    placement->nodesBox()->setValue(4);
    placement->tasksPerNodeBox()->setValue(4);
    placement->timeEdit()->setText("01:30:00");
    placement->srunArgsEdit()->setText("  --mem-per-cpu=1G   --exclusive ");
    QVERIFY2(editor.isValid(), qPrintable(editor.validationError()));
    const json document = editor.document();
    QVERIFY2(document.at("workers").contains("launcher") && document.at("workers").contains("slurm"),
             document.at("workers").dump().c_str());
    const json expected = {{"partition", "cpu"},
                           {"nodes", 4},
                           {"tasks_per_node", 4},
                           {"time", "01:30:00"},
                           {"srun_args", {"--mem-per-cpu=1G", "--exclusive"}},
                           {"program", ""}};
    QCOMPARE(document.at("workers").at("launcher"), json("slurm"));
    QCOMPARE(document.at("workers").at("slurm"), expected);
    // distopt-run reads the same thing.
    const distopt::Experiment parsed = distopt::parseExperiment(document, presetsDir().toStdString());
    QCOMPARE(parsed.launcher, std::string("slurm"));
    QCOMPARE(parsed.slurm.srunArgs, (std::vector<std::string>{"--mem-per-cpu=1G", "--exclusive"}));
    // Started from the window, the coordinator listens where the nodes can reach it, secured.
    QCOMPARE(editor.runArguments(),
             QStringList({"--bind", "tcp://0.0.0.0:*", "--secure", "--setup-timeout", "600"}));
    QCOMPARE(placement->localCount(16), 0);

    // Another editor shows the same choice from the document, and writes it back unchanged.
    ExperimentEditor again(presetsDir());
    QString why;
    QVERIFY2(again.setDocument(document, &why), qPrintable(why));
    QCOMPARE(again.workerPlacement()->where(), WorkerPlacement::Where::Slurm);
    QCOMPARE(again.workerPlacement()->partitionEdit()->text(), QString("cpu"));
    QCOMPARE(again.workerPlacement()->srunArgsEdit()->text(), QString("--mem-per-cpu=1G --exclusive"));
    QCOMPARE(again.document(), document);
    // An experiment without a launcher puts the workers back on this machine.
    QVERIFY(again.setDocument(liveExperiment()));
    QCOMPARE(again.workerPlacement()->where(), WorkerPlacement::Where::Local);
    QVERIFY(!again.document().at("workers").contains("launcher"));
  }

  void badValuesAreRefusedWithTheirReason() {
    qputenv("DISTOPT_SRUN", "/bin/true");
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.setDocument(liveExperiment()));
    WorkerPlacement* placement = editor.workerPlacement();
    placement->setWhere(WorkerPlacement::Where::Slurm);
    placement->timeEdit()->setText("an hour");
    QVERIFY(!editor.isValid());
    QVERIFY2(editor.validationError().contains("time: \"an hour\" is not a Slurm time limit"),
             qPrintable(editor.validationError()));
    placement->timeEdit()->setText("30");
    placement->srunArgsEdit()->setText("--exclusive --ntasks=1000");
    QVERIFY(!editor.isValid());
    QVERIFY2(editor.validationError().contains("srun_args[1]: --ntasks is set by the launcher"),
             qPrintable(editor.validationError()));
    placement->srunArgsEdit()->setText("--exclusive");
    placement->nodesBox()->setValue(3);
    placement->tasksPerNodeBox()->setValue(3);
    QVERIFY2(editor.validationError().contains("3 nodes x 3 tasks is not the 16 workers"),
             qPrintable(editor.validationError()));
    placement->tasksPerNodeBox()->setValue(0);
    QVERIFY2(editor.isValid(), qPrintable(editor.validationError()));
    // A file with a hostile launcher is refused as a whole, with the parser's reason.
    json hostile = liveExperiment();
    hostile["workers"]["launcher"] = "slurm";
    hostile["workers"]["slurm"] = {{"srun_args", {"--export=NONE"}}};
    QString why;
    QVERIFY(!editor.setDocument(hostile, &why));
    QVERIFY2(why.startsWith("workers.slurm.srun_args[0]: --export is set by the launcher"), qPrintable(why));
    hostile["workers"]["slurm"] = {{"srun_args", {"--comment=two words"}}};
    QVERIFY(!editor.setDocument(hostile, &why));
    QVERIFY2(why.startsWith("workers.slurm.srun_args[0]: has white space"), qPrintable(why));
    hostile["workers"]["launcher"] = "pbs";
    QVERIFY(!editor.setDocument(hostile, &why));
    QVERIFY2(why.startsWith("workers.launcher: must be"), qPrintable(why));
    // The editor kept what it showed.
    QCOMPARE(placement->where(), WorkerPlacement::Where::Slurm);
  }

  void withoutSrunTheChoiceIsGreyedOutWithTheReason() {
    qputenv("DISTOPT_SRUN", "/nonexistent/srun");
    ExperimentEditor editor(presetsDir());
    QVERIFY(editor.setDocument(liveExperiment()));
    WorkerPlacement* placement = editor.workerPlacement();
    QVERIFY(!slurmOffered(*placement));
    const QString tip = placement->whereCombo()
                            ->itemData(static_cast<int>(WorkerPlacement::Where::Slurm), Qt::ToolTipRole)
                            .toString();
    QVERIFY2(tip.contains("/nonexistent/srun is not found"), qPrintable(tip));
    // A document that says Slurm still shows, and says why it cannot start here.
    json slurm = liveExperiment();
    slurm["workers"]["launcher"] = "slurm";
    QVERIFY(editor.setDocument(slurm));
    QVERIFY(!editor.isValid());
    QVERIFY2(editor.validationError().contains("/nonexistent/srun is not found"),
             qPrintable(editor.validationError()));
  }
};

QTEST_MAIN(TestSlurmPlacement)
#include "test_slurm_placement.moc"
