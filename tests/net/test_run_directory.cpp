// The private folder of a run's control socket (issue "Hostile input and faults", item 5): made 0700,
// refused when it is someone else's or open to others, locked while its run lives, removed at the end,
// and swept when its run died without removing it.
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/coordinator/run_directory.hpp"

using namespace distopt::net;

namespace {

int modeOf(const QString& path) {
  struct stat info {};
  if (lstat(path.toLocal8Bit().constData(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

}  // namespace

class TestRunDirectory : public QObject {
  Q_OBJECT

 private slots:
  void aRunFolderIsPrivateAndGoesWithItsRun() {
    QTemporaryDir parent;  // 0700
    QVERIFY(parent.isValid());
    const QString path = parent.filePath("run-1-abc");
    std::string why;
    {
      auto folder = RunDirectory::claim(path.toStdString(), &why);
      QVERIFY2(folder, why.c_str());
      QCOMPARE(modeOf(path), 0700);
      QVERIFY(isPrivateDirectory(path.toStdString()));
      // Held: a second run cannot take it.
      QVERIFY(!RunDirectory::claim(path.toStdString(), &why));
      QVERIFY2(why.find("in use") != std::string::npos, why.c_str());
      QFile socketLike(path + "/control");
      QVERIFY(socketLike.open(QIODevice::WriteOnly));
    }
    QVERIFY(!QFileInfo::exists(path));
  }

  void aFolderOthersCanEnterIsRefused() {
    QTemporaryDir parent;
    QVERIFY(parent.isValid());
    const QString open = parent.filePath("open");
    QVERIFY(QDir().mkdir(open));
    chmod(open.toLocal8Bit().constData(), 0755);
    std::string why;
    QVERIFY(!RunDirectory::claim(open.toStdString(), &why));
    QVERIFY2(why.find("0755") != std::string::npos, why.c_str());
    QCOMPARE(modeOf(open), 0755);  // refused, never "fixed"
    // Nor is a new folder made inside a parent that others may enter (it could be renamed away).
    QVERIFY(!RunDirectory::claim((open + "/run").toStdString(), &why));
    QVERIFY(!QFileInfo::exists(open + "/run"));
    // Nor a symlink to a private folder.
    QVERIFY(QFile::link(parent.path(), parent.filePath("link")));
    QVERIFY(!isPrivateDirectory(parent.filePath("link").toStdString(), &why));
    QVERIFY2(why.find("symbolic link") != std::string::npos, why.c_str());
  }

  void aUserFolderIsKeptOnlyWhatTheRunPutThereGoes() {
    QTemporaryDir mine;
    QVERIFY(mine.isValid());
    QFile keep(mine.filePath("notes.txt"));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.close();
    std::string why;
    { QVERIFY2(RunDirectory::claim(mine.path().toStdString(), &why), why.c_str()); }
    QVERIFY(QFileInfo::exists(mine.path()));
    QVERIFY(QFileInfo::exists(mine.filePath("notes.txt")));
    QVERIFY(!QFileInfo::exists(mine.filePath("lock")));
  }

  void staleRunFoldersAreSwept() {
    QTemporaryDir base;
    QVERIFY(base.isValid());
    // A run that died: its lock file is there, nobody holds it.
    const QString dead = base.filePath("run-99-dead");
    QVERIFY(QDir().mkdir(dead));
    QFile lock(dead + "/lock");
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.close();
    QFile socketLike(dead + "/control");
    QVERIFY(socketLike.open(QIODevice::WriteOnly));
    socketLike.close();
    // A live one: held.
    std::string why;
    auto live = RunDirectory::claim(base.filePath("run-1-live").toStdString(), &why);
    QVERIFY2(live, why.c_str());
    // Just made, not yet locked: left alone for a minute.
    QVERIFY(QDir().mkdir(base.filePath("run-2-young")));
    // Not a run folder.
    QVERIFY(QDir().mkdir(base.filePath("other")));
    QFile otherLock(base.filePath("other/lock"));
    QVERIFY(otherLock.open(QIODevice::WriteOnly));
    otherLock.close();

    QCOMPARE(sweepStaleRunDirectories(base.path().toStdString()), 1);
    QVERIFY(!QFileInfo::exists(dead));
    QVERIFY(QFileInfo::exists(base.filePath("run-1-live")));
    QVERIFY(QFileInfo::exists(base.filePath("run-2-young")));
    QVERIFY(QFileInfo::exists(base.filePath("other/lock")));
  }

  void theBaseIsPrivate() {
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());
    std::string why;
    const auto base = runDirectoryBase(&why);
    QVERIFY2(base, why.c_str());
    QCOMPARE(QString::fromStdString(*base), runtime.filePath("distopt"));
    QCOMPARE(modeOf(runtime.filePath("distopt")), 0700);
    const auto endpoint = newControlEndpoint(&why);
    QVERIFY(endpoint);
    QVERIFY2(endpoint->rfind("ipc://" + *base + "/run-", 0) == 0, endpoint->c_str());
    QCOMPARE(ipcSocketDirectory(*endpoint).value_or("").rfind(*base + "/run-", 0), std::size_t{0});
    // A base someone opened up is refused, not used.
    chmod(runtime.filePath("distopt").toLocal8Bit().constData(), 0777);
    QVERIFY(!runDirectoryBase(&why));
    QVERIFY2(why.find("0777") != std::string::npos, why.c_str());
    qunsetenv("XDG_RUNTIME_DIR");
  }
};

QTEST_GUILESS_MAIN(TestRunDirectory)
#include "test_run_directory.moc"
