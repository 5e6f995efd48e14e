// The endpoint parser and the loopback guard (issue "Hostile input and faults", item 4): what the guard
// checks is what libzmq binds — the part after the last ';' of a TCP endpoint, not its first characters.
#include <QtTest>

#include "net/protocol/endpoint.hpp"

using namespace distopt::net;

class TestEndpoint : public QObject {
  Q_OBJECT

 private slots:
  void parsesTheFormsLibzmqReads() {
    auto tcp = parseEndpoint("tcp://127.0.0.1:5555");
    QVERIFY(tcp);
    QCOMPARE(tcp->transport, std::string("tcp"));
    QCOMPARE(tcp->address.host, std::string("127.0.0.1"));
    QCOMPARE(tcp->address.port, std::string("5555"));
    QVERIFY(!tcp->source);

    auto wildcard = parseEndpoint("tcp://*:*");
    QVERIFY(wildcard);
    QCOMPARE(wildcard->address.host, std::string("*"));
    QCOMPARE(wildcard->address.port, std::string("*"));

    auto v6 = parseEndpoint("tcp://[fe80::1%eth0]:7");
    QVERIFY(v6);
    QVERIFY(v6->address.bracketed);
    QCOMPARE(v6->address.host, std::string("fe80::1%eth0"));

    auto sourced = parseEndpoint("tcp://127.0.0.1:0;0.0.0.0:5591");
    QVERIFY(sourced);
    QVERIFY(sourced->source);
    QCOMPARE(sourced->source->host, std::string("127.0.0.1"));
    QCOMPARE(sourced->address.host, std::string("0.0.0.0"));
    QCOMPARE(sourced->address.port, std::string("5591"));
    // libzmq splits at the last ';'.
    QVERIFY(!parseEndpoint("tcp://a:1;b:2;c:3"));  // "a:1;b:2" is not one address

    auto ipc = parseEndpoint("ipc:///run/user/1000/distopt/x/control");
    QVERIFY(ipc);
    QCOMPARE(ipc->path, std::string("/run/user/1000/distopt/x/control"));
    QVERIFY(parseEndpoint("inproc://name"));

    for (const auto* text : {"tcp://127.0.0.1:5555", "tcp://[::1]:*", "tcp://127.0.0.1:0;0.0.0.0:5591",
                             "ipc://@x", "inproc://a"})
      QCOMPARE(formatEndpoint(*parseEndpoint(text)), std::string(text));
  }

  void refusesWhatIsNotAnEndpoint() {
    for (const auto* text : {"",
                             "127.0.0.1:5555",
                             "tcp://",
                             "tcp://127.0.0.1",
                             "tcp://127.0.0.1:",
                             "tcp://h:65536",
                             "tcp://h:-1",
                             "tcp://h:12a",
                             "tcp://h :1",
                             "tcp://h\n:1",
                             "tcp://[::1:5",
                             "tcp://[]:5",
                             "tcp://[zz::1]:5",
                             "tcp://::1:5",
                             "tcp://a/b:5",
                             "ipc://",
                             "inproc://",
                             "foo://x",
                             "://x",
                             "tcp://[::1%]:5"}) {
      std::string why;
      QVERIFY2(!parseEndpoint(text, &why), text);
      QVERIFY2(!why.empty(), text);
    }
  }

  void loopbackIsProvedOrRefused() {
    for (const auto* text : {"tcp://127.0.0.1:*", "tcp://127.1.2.3:5", "tcp://[::1]:5",
                             "tcp://[0:0:0:0:0:0:0:1]:5", "tcp://[::ffff:127.0.0.1]:5", "ipc:///tmp/x",
                             "ipc://@abstract", "inproc://x", "tcp://127.0.0.1:0;127.0.0.1:5"})
      QVERIFY2(isLoopbackEndpoint(text), text);
    for (const auto* text : {"tcp://127.0.0.1:0;0.0.0.0:5591",
                             "tcp://127.0.0.1:0;*:5591",
                             "tcp://127.0.0.1:1;[::]:5",
                             "tcp://0.0.0.0:5;127.0.0.1:5",
                             "tcp://0.0.0.0:*",
                             "tcp://*:*",
                             "tcp://[::]:5",
                             "tcp://127.0.0.1.nip.io:5",
                             "tcp://127.evil.com:5",
                             "tcp://127.000.0.1:5",
                             "tcp://0127.0.0.1:5",
                             "tcp://127.1:5",
                             "tcp://eth0:5",
                             "tcp://lo:5",
                             "tcp://[::1%lo]:5",
                             "tcp://10.0.0.1:5",
                             "tcp://[::ffff:10.0.0.1]:5",
                             "ws://127.0.0.1:5",
                             "udp://127.0.0.1:5",
                             "pgm://127.0.0.1;239.192.1.1:5555",
                             "tcp://127.0.0.1:5 ",
                             "not an endpoint"}) {
      std::string why;
      QVERIFY2(!isLoopbackEndpoint(text, &why), text);
      QVERIFY2(!why.empty(), text);
    }
  }

  void loopbackAddresses() {
    QVERIFY(isLoopbackAddress("127.0.0.1"));
    QVERIFY(isLoopbackAddress("127.255.255.255"));
    QVERIFY(isLoopbackAddress("::1"));
    QVERIFY(!isLoopbackAddress("128.0.0.1"));
    QVERIFY(!isLoopbackAddress("127.0.0.256"));
    QVERIFY(!isLoopbackAddress("127.0.0.1.2"));
    QVERIFY(!isLoopbackAddress("localhost"));  // a name, not an address
    QVERIFY(!isLoopbackAddress("::"));
  }
};

QTEST_GUILESS_MAIN(TestEndpoint)
#include "test_endpoint.moc"
