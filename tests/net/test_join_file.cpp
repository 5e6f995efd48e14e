// Join files and the coordinator's fixed identity (issue 24, item 1): written atomically and 0600; read
// back only when nobody else can read or change them; every malformed field refused with a reason.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "net/security/curve_keys.hpp"
#include "net/security/join_file.hpp"
#include "net/security/private_file.hpp"

using namespace distopt::net;

namespace {

// ZeroMQ's published example pair: fixed text, so a test reads the same file every time.
const std::string kPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const std::string kSecret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

void writeWithMode(const QString& path, const std::string& text, mode_t mode) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
  file.write(text.data(), static_cast<qint64>(text.size()));
  file.close();
  QCOMPARE(::chmod(path.toLocal8Bit().constData(), mode), 0);
}

mode_t modeOf(const QString& path) {
  struct stat info {};
  if (::stat(path.toLocal8Bit().constData(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

}  // namespace

class TestJoinFile : public QObject {
  Q_OBJECT

 private slots:
  void writesAtomicallyOwnerOnlyAndReadsBack() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("join.json");
    ::umask(0);  // whatever the umask, the file is never readable by others, not even for a moment
    const JoinInfo info{.endpoint = "tcp://node01:5555", .serverKey = kPublic, .joinToken = kSecret};
    std::string why;
    QVERIFY2(writeJoinFile(path.toStdString(), info, &why), why.c_str());
    ::umask(022);
    QCOMPARE(modeOf(path), mode_t{0600});
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"join.json"});  // no temporary left
    const auto read = readJoinFile(path.toStdString(), &why);
    QVERIFY2(read.has_value(), why.c_str());
    QCOMPARE(read->endpoint, info.endpoint);
    QCOMPARE(read->serverKey, info.serverKey);
    QCOMPARE(read->joinToken, info.joinToken);
    // Written again (a new run): replaced whole.
    const JoinInfo plain{.endpoint = "tcp://127.0.0.1:6000", .serverKey = {}, .joinToken = {}};
    QVERIFY2(writeJoinFile(path.toStdString(), plain, &why), why.c_str());
    const auto second = readJoinFile(path.toStdString(), &why);
    QVERIFY2(second.has_value(), why.c_str());
    QCOMPARE(second->endpoint, plain.endpoint);
    QVERIFY(second->serverKey.empty() && second->joinToken.empty());
    // Nothing is written for a join file a worker could not use.
    QVERIFY(
        !writeJoinFile(dir.filePath("bad.json").toStdString(), JoinInfo{.endpoint = "tcp://*:5555"}, &why));
    QVERIFY(!QFile::exists(dir.filePath("bad.json")));
  }

  void malformedContentIsRefusedWithAReason_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    const QString key = QString::fromStdString(kPublic);
    const QString token = QString::fromStdString(kSecret);
    QTest::newRow("not json") << "endpoint=tcp://a:1"
                              << "not a join file";
    QTest::newRow("array") << "[1]"
                           << "not a join file";
    QTest::newRow("no version") << "{\"endpoint\": \"tcp://a:1\"}"
                                << "no \"distopt_join\"";
    QTest::newRow("other version") << "{\"distopt_join\": 2, \"endpoint\": \"tcp://a:1\"}"
                                   << "version 2";
    QTest::newRow("version string") << "{\"distopt_join\": \"1\", \"endpoint\": \"tcp://a:1\"}"
                                    << "version \"1\"";
    QTest::newRow("no endpoint") << "{\"distopt_join\": 1}"
                                 << "no \"endpoint\"";
    QTest::newRow("endpoint number") << "{\"distopt_join\": 1, \"endpoint\": 5555}"
                                     << "must be a string";
    QTest::newRow("bad endpoint") << "{\"distopt_join\": 1, \"endpoint\": \"tcp://a\"}"
                                  << "\"endpoint\"";
    QTest::newRow("wildcard host") << "{\"distopt_join\": 1, \"endpoint\": \"tcp://*:5555\"}"
                                   << "wildcard";
    QTest::newRow("wildcard port") << "{\"distopt_join\": 1, \"endpoint\": \"tcp://a:*\"}"
                                   << "wildcard";
    QTest::newRow("unknown field") << "{\"distopt_join\": 1, \"endpoint\": \"tcp://a:1\", \"x\": 1}"
                                   << "unknown field \"x\"";
    QTest::newRow("short key")
        << "{\"distopt_join\": 1, \"endpoint\": \"tcp://a:1\", \"server_key\": \"abc\"}"
        << "\"server_key\"";
    QTest::newRow("token without key")
        << QString("{\"distopt_join\": 1, \"endpoint\": \"tcp://a:1\", \"join_token\": \"%1\"}").arg(token)
        << "without \"server_key\"";
    QTest::newRow("bad token") << QString(
                                      "{\"distopt_join\": 1, \"endpoint\": \"tcp://a:1\", \"server_key\": "
                                      "\"%1\", \"join_token\": \"%2\"}")
                                      .arg(key, QString(40, QChar(' ')))
                               << "\"join_token\"";
    QTest::newRow("too large") << QString(
                                      "{\"distopt_join\": 1, \"endpoint\": \"tcp://a:1\", \"pad\": \"%1\"}")
                                      .arg(QString(20000, QChar('x')))
                               << "too large";
  }

  void malformedContentIsRefusedWithAReason() {
    QFETCH(QString, text);
    QFETCH(QString, reason);
    std::string why;
    QVERIFY(!parseJoinFile(text.toStdString(), &why).has_value());
    QVERIFY2(why.find(reason.toStdString()) != std::string::npos, why.c_str());
  }

  void secretFilesOthersCanReachAreRefused() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string join =
        formatJoinFile({.endpoint = "tcp://a:1", .serverKey = kPublic, .joinToken = kSecret});
    const QString path = dir.filePath("join.json");
    std::string why;
    for (const mode_t mode : {0644, 0604, 0660, 0602}) {
      writeWithMode(path, join, mode);
      QVERIFY(!readJoinFile(path.toStdString(), &why).has_value());
      QVERIFY2(why.find("others may read or change it") != std::string::npos, why.c_str());
      QVERIFY2(why.find(path.toStdString()) != std::string::npos, why.c_str());
    }
    // Owner only, or group-readable (a Kubernetes secret mounted for an fsGroup): accepted.
    for (const mode_t mode : {0600, 0400, 0640}) {
      writeWithMode(path, join, mode);
      QVERIFY2(readJoinFile(path.toStdString(), &why).has_value(), why.c_str());
    }
    QVERIFY(!readJoinFile(dir.filePath("missing.json").toStdString(), &why).has_value());
    QVERIFY2(why.find("cannot be read") != std::string::npos, why.c_str());
    QVERIFY(!readPrivateFile(dir.path().toStdString(), 100, &why).has_value());
    QVERIFY2(why.find("not a regular file") != std::string::npos, why.c_str());
    const QString fifo = dir.filePath("fifo");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    QVERIFY(!readPrivateFile(fifo.toStdString(), 100, &why).has_value());  // refused, not waited on
    QVERIFY2(why.find("not a regular file") != std::string::npos, why.c_str());
    writeWithMode(path, std::string(101, 'x'), 0600);
    QVERIFY(!readPrivateFile(path.toStdString(), 100, &why).has_value());
    QVERIFY2(why.find("too large") != std::string::npos, why.c_str());
  }

  void aWorkerWaitsForAJoinFileThatIsNotThereYet() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("join.json").toStdString();
    std::string why;
    bool missing = false;
    QVERIFY(!waitForJoinFile(path, 0.2, &why, &missing).has_value());
    QVERIFY(missing);
    QVERIFY2(why.find("no join file after 0.2 s") != std::string::npos, why.c_str());
    // Written while the worker waits (a coordinator starting after its workers).
    std::thread writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      std::string ignored;
      writeJoinFile(path, {.endpoint = "tcp://a:1", .serverKey = kPublic, .joinToken = kSecret}, &ignored);
    });
    const auto info = waitForJoinFile(path, 30, &why, &missing);
    writer.join();
    QVERIFY2(info.has_value(), why.c_str());
    QVERIFY(!missing);
    QCOMPARE(info->joinToken, kSecret);
    // A file that is there but refused is not waited on.
    writeWithMode(dir.filePath("join.json"), "{}", 0600);
    QVERIFY(!waitForJoinFile(path, 30, &why, &missing).has_value());
    QVERIFY(!missing);
    QVERIFY2(why.find("not a join file") != std::string::npos, why.c_str());
  }

  void serverKeyFilesAreCheckedLikeSecrets() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("server.key");
    std::string why;
    QVERIFY2(writeKeyFile(path.toStdString(), {kPublic, kSecret}, &why), why.c_str());
    QCOMPARE(modeOf(path), mode_t{0600});
    auto keys = readServerKeyFile(path.toStdString(), &why);
    QVERIFY2(keys.has_value(), why.c_str());
    QCOMPARE(keys->publicKey, kPublic);
    QCOMPARE(keys->secretKey, kSecret);
    // ZeroMQ's certificate format, as zcert writes it.
    writeWithMode(path, "curve\n    public-key = \"" + kPublic + "\"\n    secret-key = \"" + kSecret + "\"\n",
                  0600);
    keys = readServerKeyFile(path.toStdString(), &why);
    QVERIFY2(keys.has_value() && keys->publicKey == kPublic, why.c_str());
    QCOMPARE(::chmod(path.toLocal8Bit().constData(), 0644), 0);
    QVERIFY(!readServerKeyFile(path.toStdString(), &why).has_value());
    QVERIFY2(why.find("others may read") != std::string::npos, why.c_str());
    writeWithMode(path, "{\"public\": \"" + kPublic + "\"}", 0600);
    QVERIFY(!readServerKeyFile(path.toStdString(), &why).has_value());
    QVERIFY2(why.find("no secret key") != std::string::npos, why.c_str());
    const auto other = makeCurveKeyPair();
    writeWithMode(path, "{\"public\": \"" + other.publicKey + "\", \"secret\": \"" + kSecret + "\"}", 0600);
    QVERIFY(!readServerKeyFile(path.toStdString(), &why).has_value());
    QVERIFY2(why.find("does not belong") != std::string::npos, why.c_str());
  }
};

QTEST_GUILESS_MAIN(TestJoinFile)
#include "test_join_file.moc"
