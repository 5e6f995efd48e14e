// The coordinator's control socket protocol, shared by live and simulated runs: known commands are
// answered, anything else — unknown names, a non-string command, text that is not JSON — gets an error
// reply and never an exception.
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include "net/coordinator/control_socket.hpp"

using namespace distopt::net;

class TestControlSocket : public QObject {
  Q_OBJECT

 private slots:
  void answersKnownCommandsAndRefusesTheRest() {
    QTemporaryDir folder;  // mkdtemp: 0700, ours
    QVERIFY(folder.isValid());
    zmq::context_t context(1);
    std::string endpoint;
    std::string why;
    const std::string wanted = "ipc://" + folder.path().toStdString() + "/control";
    auto control = bindControlSocket(context, wanted, &endpoint, &why);
    QVERIFY2(control.has_value(), why.c_str());
    QCOMPARE(endpoint, wanted);

    zmq::socket_t client(context, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.set(zmq::sockopt::rcvtimeo, 5000);
    client.connect(endpoint);

    int stops = 0;
    auto ask = [&](const std::string& request) {
      client.send(zmq::buffer(request));
      // Poll the server side until the request has arrived and been answered.
      zmq::pollitem_t items[] = {{control->handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(5000));
      answerControlRequests(*control,
                            [&](const std::string& command, const nlohmann::json&) -> nlohmann::json {
                              if (command == "status") return {{"state", "running"}};
                              if (command == "stop") {
                                ++stops;
                                return {{"ok", true}};
                              }
                              return nullptr;
                            });
      zmq::message_t reply;
      if (!client.recv(reply)) return nlohmann::json();
      return nlohmann::json::parse(reply.to_string());
    };

    QCOMPARE(ask(R"({"command":"status"})")["state"].get<std::string>(), std::string("running"));
    QCOMPARE(ask(R"({"command":"stop"})")["ok"].get<bool>(), true);
    QCOMPARE(stops, 1);
    for (const char* bad : {R"({"command":"explode"})", R"({"command":1})", R"({"command":null})", "[1,2]",
                            "not json at all", ""}) {
      const auto reply = ask(bad);
      QVERIFY2(reply.contains("error"), bad);
      QVERIFY2(reply["error"].get<std::string>().find("status, stop") != std::string::npos, bad);
    }
    QCOMPARE(stops, 1);
  }

  void anEndpointThatCannotBeBoundIsNamed() {
    zmq::context_t context(1);
    std::string why;
    QVERIFY(!bindControlSocket(context, "tcp://256.1.1.1:1", nullptr, &why).has_value());
    QVERIFY2(why.find("tcp://256.1.1.1:1") != std::string::npos, why.c_str());
  }

  // Whoever reaches the control socket reads the join token and stops the run: only a socket in a folder
  // of this user's that nobody else may enter is bound (issue "Hostile input and faults", item 5).
  void controlIsRefusedWhereOtherUsersCouldReachIt() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const std::string open = folder.path().toStdString() + "/open";
    QVERIFY(QDir().mkdir(QString::fromStdString(open)));
    QVERIFY(QFile::setPermissions(QString::fromStdString(open),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                      QFileDevice::ReadOther | QFileDevice::ExeOther));
    QVERIFY(QFile::link(folder.path(), folder.filePath("link")));
    zmq::context_t context(1);
    for (const std::string& endpoint :
         {std::string("tcp://127.0.0.1:*"), "ipc://" + open + "/control",
          std::string("ipc://@distopt-control"), std::string("ipc://*"),
          std::string("ipc://relative/control"), std::string("ipc:///tmp/control"),
          "ipc://" + folder.filePath("link").toStdString() + "/control", std::string("inproc://control")}) {
      std::string why;
      QVERIFY2(!bindControlSocket(context, endpoint, nullptr, &why).has_value(), endpoint.c_str());
      QVERIFY2(why.find(endpoint) != std::string::npos, why.c_str());
    }
    QVERIFY(!QFileInfo::exists(QString::fromStdString(open + "/control")));
  }
};

QTEST_GUILESS_MAIN(TestControlSocket)
#include "test_control_socket.moc"
