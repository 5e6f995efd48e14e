// The live drivers' bookkeeping: an algorithm that claims to run live has a driver for its family
// and every driver serves some algorithm (so `"engine": "live"` is never accepted and then fails in a
// worker); family message kinds sit in their family's range (PROTOCOL.md §3) with unique names.
#include <QtTest>
#include <set>

#include "core/registry/registry.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/message.hpp"

using namespace distopt;
using namespace distopt::net;

class TestLiveFamilies : public QObject {
  Q_OBJECT

 private slots:
  void everyLiveAlgorithmHasItsFamilyDriver() {
    for (const auto& entry : algorithmEntries()) {
      if (entry.make) {
        QVERIFY2(!entry.liveDriver,
                 qPrintable(QString::fromStdString(entry.name) +
                            ": a parameter-server method runs on the LiveEngine, not a family driver"));
        continue;
      }
      const bool hasDriver = findLiveDriver(entry.family) != nullptr;
      QVERIFY2(entry.liveDriver == hasDriver,
               qPrintable(QString::fromStdString(entry.name + " (" + entry.family + "): liveDriver=") +
                          (entry.liveDriver ? "true" : "false") + " but the driver is " +
                          (hasDriver ? "there" : "missing")));
    }
  }

  void everyDriverServesAnAlgorithmAndBuildsBothRoles() {
    for (const auto& driver : liveFamilyDrivers()) {
      bool served = false;
      for (const auto& entry : algorithmEntries())
        served = served || (entry.family == driver.family && entry.liveDriver);
      QVERIFY2(served, driver.family.c_str());
      QVERIFY(static_cast<bool>(driver.makeCoordinator));
      QVERIFY(static_cast<bool>(driver.makeWorker));
    }
  }

  void messageKindsAreUniqueAndInTheirRanges() {
    std::set<std::uint16_t> kinds;
    std::set<std::string> names;
    for (const auto& info : messageKinds()) {
      const auto kind = static_cast<std::uint16_t>(info.kind);
      QVERIFY2(kinds.insert(kind).second, info.name);
      QVERIFY2(names.insert(info.name).second, info.name);
      QVERIFY2(kind < kKindSlots, info.name);
      QCOMPARE(std::string(messageKindName(info.kind)), std::string(info.name));
    }
    QCOMPARE(std::string(messageKindName(static_cast<MessageKind>(0))),
             std::string("UNKNOWN"));  // never assigned
  }
};

QTEST_GUILESS_MAIN(TestLiveFamilies)
#include "test_live_families.moc"
