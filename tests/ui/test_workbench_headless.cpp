// distopt-workbench without a display: --help, --version and bad arguments need none, and the headless
// modes (--export-report, --screenshot) choose the offscreen platform by themselves (issue 18, item 10).
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "distopt_version.hpp"

namespace {

const QString kBin = QStringLiteral(DISTOPT_BIN_DIR);

}  // namespace

class TestWorkbenchHeadless : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  // The environment of a box with no display at all: no DISPLAY, no WAYLAND_DISPLAY, no platform chosen.
  QProcessEnvironment noDisplay() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(name);
    env.insert("XDG_DATA_HOME", m_dir.filePath("xdg"));
    env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));
    return env;
  }

  struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
  };
  Result run(const QString& program, const QStringList& arguments, int timeoutMs = 120000) const {
    QProcess process;
    process.setProcessEnvironment(noDisplay());
    process.start(program, arguments);
    Result result;
    if (!process.waitForFinished(timeoutMs)) {
      process.kill();
      process.waitForFinished();
      return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void helpAndVersionNeedNoDisplay() {
    const Result help = run(kBin + "/distopt-workbench", {"--help"});
    QVERIFY2(help.exitCode == 0, help.err.constData());
    QVERIFY(help.out.contains("--export-report"));
    QVERIFY(help.out.contains("--screenshot"));
    QVERIFY(help.out.contains("--present"));
    const Result version = run(kBin + "/distopt-workbench", {"--version"});
    QVERIFY2(version.exitCode == 0, version.err.constData());
    QVERIFY2(version.out.contains(distopt::kVersionString), version.out.constData());
  }

  void badArgumentsAreRefusedWithoutADisplay() {
    const Result unknown = run(kBin + "/distopt-workbench", {"--no-such-option"});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains("no-such-option"), unknown.err.constData());
    const Result after = run(kBin + "/distopt-workbench", {"--screenshot", "x.png", "--after", "-1"});
    QCOMPARE(after.exitCode, 2);
    QVERIFY(after.err.contains("--after"));
    // The --opt=value spelling is checked the same way.
    const Result afterEquals = run(kBin + "/distopt-workbench", {"--screenshot=x.png", "--after=nan"});
    QCOMPARE(afterEquals.exitCode, 2);
    QVERIFY2(afterEquals.err.contains("--after"), afterEquals.err.constData());
    const Result noFile = run(kBin + "/distopt-workbench", {"--screenshot="});
    QCOMPARE(noFile.exitCode, 2);
    QVERIFY2(noFile.err.contains("--screenshot: no file"), noFile.err.constData());
    // Presentation mode is a window: not with --export-figures, which opens none.
    const Result present = run(kBin + "/distopt-workbench", {"--export-figures", m_dir.path(), "--present"});
    QCOMPARE(present.exitCode, 2);
    QVERIFY2(present.err.contains("--export-figures goes alone"), present.err.constData());
    // A window wanted where none can open: said plainly, no abort in the platform plugin.
    const Result window = run(kBin + "/distopt-workbench", {});
    QCOMPARE(window.exitCode, 2);
    QVERIFY2(window.err.contains("no display"), window.err.constData());
  }

  void exportReportPicksTheOffscreenPlatform() {
    const Result recorded =
        run(kBin + "/distopt-run",
            {QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/async-e3-quadratic-32.json"),
             "--engine", "sim", "--set", "stop.time=100", "--quiet", "--out", m_dir.filePath("run")});
    QVERIFY2(recorded.exitCode == 0, recorded.err.constData());
    const QString report = m_dir.filePath("report");
    const Result exported = run(kBin + "/distopt-workbench", {"--export-report", report});
    QVERIFY2(exported.exitCode == 0, exported.err.constData());
    QVERIFY(QFile::exists(report + "/report.pdf"));
    QVERIFY(QFile::exists(report + "/convergence.png"));
    const QString png = m_dir.filePath("window.png");
    // --opt=value as well as --opt value.
    const Result shot = run(kBin + "/distopt-workbench", {"--screenshot=" + png, "--after=0"});
    QVERIFY2(shot.exitCode == 0, shot.err.constData());
    QVERIFY(QFile::exists(png));
  }
};

QTEST_GUILESS_MAIN(TestWorkbenchHeadless)
#include "test_workbench_headless.moc"
