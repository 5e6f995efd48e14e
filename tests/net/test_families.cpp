// The family table (core/registry/family.hpp) against everything that depends on it: every FamilyId has
// its row, names are unique, the message-kind ranges are disjoint, inside the wire's kind space and hold
// exactly their family's kinds (net/protocol/message.hpp), PROTOCOL.md says the same ranges and peer
// links, every registry entry names a family that has entries of its kind, and every family has its live
// driver, both ways with AlgorithmEntry::liveDriver. The GUI views are checked in test_ui_family.
#include <QtTest>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/registry/family.hpp"
#include "core/registry/registry.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/message.hpp"

using namespace distopt;
using namespace distopt::net;

namespace {

QString nameOf(FamilyId family) {
  return QString::fromUtf8(familyName(family).data(), familyName(family).size());
}

std::string entryLabel(const AlgorithmEntry& entry) {
  return entry.name + " (" + std::string(familyName(entry.family)) + ")";
}

/// The families whose range holds `kind`.
std::vector<FamilyId> ownersOf(std::uint16_t kind) {
  std::vector<FamilyId> owners;
  for (const auto& family : kFamilyDescriptors)
    if (family.kinds.contains(kind)) owners.push_back(family.id);
  return owners;
}

QString readProtocol() {
  QFile file(QStringLiteral(DISTOPT_SOURCE_DIR "/net/PROTOCOL.md"));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  return QString::fromUtf8(file.readAll());
}

}  // namespace

class TestFamilies : public QObject {
  Q_OBJECT

 private slots:
  void everyFamilyHasOneRowUnderItsName() {
    QCOMPARE(kFamilyDescriptors.size(), kFamilyCount);
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      const auto id = static_cast<FamilyId>(i);
      const FamilyDescriptor& family = familyDescriptor(id);
      QVERIFY(family.id == id);
      QVERIFY2(!family.name.empty(), qPrintable(QString::number(i)));
      QVERIFY2(names.insert(family.name).second, qPrintable(nameOf(id) + ": two families of that name"));
      QVERIFY2(familyFromName(family.name) == id, qPrintable(nameOf(id)));
    }
    for (const char* other : {"", "Async", "kron", "compressed ", "parameter-server"})
      QVERIFY2(!familyFromName(other).has_value(), other);
  }

  void kindRangesAreDisjointAndInsideTheKindSpace() {
    for (const auto& family : kFamilyDescriptors) {
      const QString name = nameOf(family.id);
      QVERIFY2(family.kinds.first >= 1 && family.kinds.first <= family.kinds.last, qPrintable(name));
      QVERIFY2(family.kinds.last < kKindSlots, qPrintable(name));
      // From kFamilyKindsBegin on, the kinds of the families whose simulator is their roles (PROTOCOL.md
      // §9 on); below, the session's and the parameter server's (§4-§7).
      const bool roles = family.roles.driver == FamilyDriver::Roles;
      QVERIFY2(roles == (family.kinds.first >= kFamilyKindsBegin),
               qPrintable(name + ": its kinds sit on the wrong side of kFamilyKindsBegin for its driver"));
      for (const auto& other : kFamilyDescriptors)
        if (other.id != family.id)
          QVERIFY2(!family.kinds.overlaps(other.kinds),
                   qPrintable(name + " and " + nameOf(other.id) + ": their kind ranges overlap"));
    }
  }

  void everyKindIsItsFamilysOrTheSessions() {
    std::set<std::uint16_t> kinds;
    std::set<std::string> names;
    std::map<FamilyId, std::vector<std::uint16_t>> kindsOf;
    for (const auto& info : messageKinds()) {
      const auto kind = static_cast<std::uint16_t>(info.kind);
      QVERIFY2(kinds.insert(kind).second, info.name);
      QVERIFY2(names.insert(info.name).second, info.name);
      QVERIFY2(kind < kKindSlots, info.name);
      QCOMPARE(std::string(messageKindName(info.kind)), std::string(info.name));
      const std::vector<FamilyId> owners = ownersOf(kind);
      QVERIFY2(owners.size() <= 1, info.name);
      // The session's kinds (HELLO, ..., ERROR) are every family's and lie below the role families.
      QVERIFY2(!owners.empty() || kind < kFamilyKindsBegin,
               qPrintable(QStringLiteral("kind %1 %2 is in no family's range").arg(kind).arg(info.name)));
      if (!owners.empty()) kindsOf[owners.front()].push_back(kind);
    }
    QCOMPARE(std::string(messageKindName(static_cast<MessageKind>(0))),
             std::string("UNKNOWN"));  // never assigned
    // A range starts at its family's first kind (the rest of it may be reserved).
    for (const auto& family : kFamilyDescriptors) {
      const auto& own = kindsOf[family.id];
      QVERIFY2(!own.empty() && own.front() == family.kinds.first,
               qPrintable(nameOf(family.id) + QStringLiteral(": no kind at the start of its range %1-%2")
                                                  .arg(family.kinds.first)
                                                  .arg(family.kinds.last)));
    }
    const std::vector<std::uint16_t> jobLoop = {static_cast<std::uint16_t>(MessageKind::Job),
                                                static_cast<std::uint16_t>(MessageKind::Cancel),
                                                static_cast<std::uint16_t>(MessageKind::Grad)};
    QVERIFY(kindsOf[FamilyId::Async] == jobLoop);
  }

  void everyEntryIsOfAFamilyThatRunsIt() {
    std::map<FamilyId, int> entries;
    for (const auto& entry : algorithmEntries()) {
      const auto index = static_cast<std::size_t>(entry.family);
      QVERIFY2(index < kFamilyCount, entry.name.c_str());
      ++entries[entry.family];
      const FamilyDescriptor& family = familyDescriptor(entry.family);
      // A parameter-server method builds an AsyncServer; every other family builds its own run.
      const bool server = family.roles.driver == FamilyDriver::ParameterServer;
      QVERIFY2(static_cast<bool>(entry.make) == server && static_cast<bool>(entry.makeSimRun) == !server,
               entryLabel(entry).c_str());
      // The family's needs reach every entry, unconditional (the parser refuses on them).
      for (const ProblemCapability capability : family.problemNeeds) {
        bool declared = false;
        for (const auto& need : entry.problemNeeds)
          declared = declared || (need.capability == capability && need.option.empty());
        QVERIFY2(
            declared,
            (entryLabel(entry) + ": lacks its family's need " + problemCapabilityText(capability)).c_str());
      }
    }
    for (const auto& family : kFamilyDescriptors)
      QVERIFY2(entries[family.id] > 0, qPrintable(nameOf(family.id) + ": no algorithm in the registry"));
  }

  void everyFamilyHasItsLiveDriver() {
    std::size_t withRoles = 0;
    for (const auto& family : kFamilyDescriptors) {
      const LiveFamilyDriver* driver = findLiveDriver(family.id);
      QVERIFY2(driver, qPrintable(nameOf(family.id) + ": no live driver"));
      QVERIFY2(driver->family == family.id,
               qPrintable(nameOf(family.id) + ": found another family's driver"));
      QVERIFY(static_cast<bool>(driver->makeCoordinator));
      QVERIFY(static_cast<bool>(driver->makeWorker));
      ++withRoles;
    }
    QCOMPARE(liveFamilyDrivers().size(), withRoles);
  }

  // So that `"engine": "live"` is never accepted and then fails in a worker, and no driver is dead code.
  void liveAlgorithmsAndDriversAgreeBothWays() {
    for (const auto& entry : algorithmEntries()) {
      if (entry.make) {
        // Every parameter-server method runs live, on its family's driver.
        QVERIFY2(!entry.liveDriver && findLiveDriver(entry.family),
                 (entryLabel(entry) + ": a parameter-server method runs live by its server (make), "
                                      "on the family's driver")
                     .c_str());
        continue;
      }
      const bool hasDriver = findLiveDriver(entry.family) != nullptr;
      QVERIFY2(entry.liveDriver == hasDriver,
               (entryLabel(entry) + ": liveDriver=" + (entry.liveDriver ? "true" : "false") +
                " but the driver is " + (hasDriver ? "there" : "missing"))
                   .c_str());
    }
    for (const auto& driver : liveFamilyDrivers()) {
      bool served = false;
      for (const auto& entry : algorithmEntries())
        served = served || (entry.family == driver.family && entry.runsLive());
      QVERIFY2(served, qPrintable(nameOf(driver.family)));
    }
  }

  // PROTOCOL.md, from which a worker in another language is written, gives each role family's section
  // its range, and worker → worker rows exactly in the families with peer links.
  void protocolHasTheSameRangesAndPeerLinks() {
    const QString text = readProtocol();
    QVERIFY2(!text.isEmpty(), "net/PROTOCOL.md not readable");
    for (const auto& family : kFamilyDescriptors) {
      if (family.roles.driver != FamilyDriver::Roles) continue;
      const QString heading =
          QStringLiteral(" family (kinds %1–%2)\n").arg(family.kinds.first).arg(family.kinds.last);
      QVERIFY2(text.contains(heading),
               qPrintable(nameOf(family.id) + ": no section heading ending in" + heading));
    }
    static const QRegularExpression peerRow(
        QStringLiteral(R"(^\| (\d+) \| `[A-Z0-9_]+` \| worker → worker \|)"),
        QRegularExpression::MultilineOption);
    std::set<FamilyId> withPeerRows;
    for (auto it = peerRow.globalMatch(text); it.hasNext();) {
      const int kind = it.next().captured(1).toInt();
      const std::vector<FamilyId> owners = ownersOf(static_cast<std::uint16_t>(kind));
      QVERIFY2(owners.size() == 1,
               qPrintable(QStringLiteral("worker → worker kind %1 in no family").arg(kind)));
      withPeerRows.insert(owners.front());
    }
    for (const auto& family : kFamilyDescriptors)
      QVERIFY2(
          family.roles.peerLinks == withPeerRows.contains(family.id),
          qPrintable(nameOf(family.id) + ": peerLinks disagrees with PROTOCOL.md §3's worker → worker rows"));
  }
};

QTEST_GUILESS_MAIN(TestFamilies)
#include "test_families.moc"
