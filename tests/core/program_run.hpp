#pragma once
// Running one of the project's programs from a test as a person would (a real process, its exit status
// and both output streams), with a bound on how long it may take so a hang fails the test instead of
// stalling the suite.

#include <QProcess>
#include <QString>
#include <QStringList>
#include <string>

struct ProgramResult {
  int exitCode = -1;      ///< -1: it crashed, did not start or did not finish in time
  bool finished = false;  ///< ended within the time allowed
  QString out;
  QString err;

  std::string describe() const {
    return "exit " + std::to_string(exitCode) + "\nstdout:\n" + out.toStdString() + "\nstderr:\n" +
           err.toStdString();
  }
};

inline ProgramResult runProgram(const QString& program, const QStringList& arguments, int timeoutMs = 120'000,
                                const QString& workingDirectory = QString()) {
  QProcess process;
  if (!workingDirectory.isEmpty()) process.setWorkingDirectory(workingDirectory);
  process.start(program, arguments);
  ProgramResult result;
  if (!process.waitForStarted(10'000)) return result;
  result.finished = process.waitForFinished(timeoutMs);
  if (!result.finished) {
    process.kill();
    process.waitForFinished(5'000);
  }
  result.exitCode = result.finished && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.out = QString::fromUtf8(process.readAllStandardOutput());
  result.err = QString::fromUtf8(process.readAllStandardError());
  return result;
}
