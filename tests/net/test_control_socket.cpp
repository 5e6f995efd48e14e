// The coordinator's control socket protocol, shared by live and simulated runs: known commands are
// answered, anything else — unknown names, a non-string command, text that is not JSON — gets an error
// reply and never an exception.
#include <QtTest>

#include <zmq.hpp>

#include "net/coordinator/control_socket.hpp"

using namespace distopt::net;

class TestControlSocket : public QObject {
  Q_OBJECT

 private slots:
  void answersKnownCommandsAndRefusesTheRest() {
    zmq::context_t context(1);
    std::string endpoint;
    std::string why;
    auto control = bindControlSocket(context, "tcp://127.0.0.1:*", &endpoint, &why);
    QVERIFY2(control.has_value(), why.c_str());
    QVERIFY(endpoint.rfind("tcp://127.0.0.1:", 0) == 0);

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
      answerControlRequests(*control, [&](const std::string& command, const nlohmann::json&) -> nlohmann::json {
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
};

QTEST_GUILESS_MAIN(TestControlSocket)
#include "test_control_socket.moc"
