#pragma once
// RunClient: the GUI's one boundary to a run (docs/architecture.md, rule 6). It starts `distopt-run` for an
// experiment (detached, so closing the GUI does not lose the run), or attaches to a coordinator that is
// already running, receives its telemetry on its own thread and hands it to the GUI thread as queued signals
// in batches. Widgets connect to this object and to the run store, never to a socket.
//
// Thread affinity: create and call from the GUI thread; signals are delivered there.

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/telemetry/telemetry.hpp"

namespace distopt::ui {

/// Where a run's coordinator can be reached; written by start() to RUN_DIR/endpoints.json so a later
/// session can reattach. A dashboard on another machine has only `telemetry` (the run's dashboard feed),
/// the run's `serverKey` and its own `clientSecretKey` (its dashboard key, or the run's dashboard token);
/// no control endpoint, so it is read-only.
struct RunEndpoints {
  QString telemetry;
  QString control;
  qint64 pid = 0;
  QString outDirectory;
  QString serverKey;        ///< Z85 CURVE public key of the coordinator; empty for an unsecured feed
  QString clientSecretKey;  ///< Z85 CURVE secret key this dashboard presents (never written to disk here)

  bool readOnly() const { return control.isEmpty(); }

  QJsonObject toJson() const;
  static bool fromJson(const QJsonObject& json, RunEndpoints* endpoints);
};

class RunClient : public QObject {
  Q_OBJECT

 public:
  enum class State { Idle, Starting, Running, Finished, Failed };
  Q_ENUM(State)

  explicit RunClient(QObject* parent = nullptr);
  ~RunClient() override;

  /// Starts `runProgram` (distopt-run) on `experimentPath` with `extraArguments` (e.g. --engine sim),
  /// writing results to `outDirectory`. Returns false with *why if the program cannot be started.
  bool start(const QString& runProgram, const QString& experimentPath, const QString& outDirectory,
             const QStringList& extraArguments, QString* why);
  /// Attaches to a running coordinator: its local telemetry and control sockets, or (no control
  /// endpoint) read-only to its dashboard feed, which brings the charts up to date with a history
  /// first. Checks the keys before anything is started; false with *why naming what is wrong.
  bool attach(const RunEndpoints& endpoints, QString* why);
  /// Reads OUT_DIR/endpoints.json written by start().
  static bool readEndpoints(const QString& outDirectory, RunEndpoints* endpoints, QString* why);
  /// Asks the coordinator to stop the run (through its control socket).
  void requestStop();
  /// Sends any control request, e.g. {"command": "exclude", "worker": 3}; the reply comes back as
  /// controlReplied (status replies as statusReceived).
  void sendControl(const QJsonObject& request);
  /// Stops listening; the run itself goes on.
  void detach();

  State state() const { return m_state; }
  const RunEndpoints& endpoints() const { return m_endpoints; }
  /// Default distopt-run: next to this program.
  static QString defaultRunProgram();

 signals:
  void stateChanged(distopt::ui::RunClient::State state);
  void updatesReceived(const std::vector<distopt::UpdateEvent>& events);
  void evaluationsReceived(const std::vector<distopt::EvaluationPoint>& points);
  void workersReceived(const std::vector<distopt::WorkerStatus>& workers);
  void bandwidthReceived(const std::vector<distopt::BandwidthSample>& samples);
  /// The coordinator's status (time, updates, time_limit, workers alive...), about once a second: the
  /// control socket's reply, or the dashboard feed's "status" topic.
  void statusReceived(const QJsonObject& status);
  /// The run's experiment document, from a dashboard feed's history (before the history's records).
  void experimentReceived(const QJsonObject& experiment);
  /// The reply to a request made with sendControl.
  void controlReplied(const QJsonObject& reply);
  /// summary.json's content when the run ends.
  void finished(const QJsonObject& summary);
  /// Something the user should read (start failure, lost coordinator).
  void message(const QString& text);

 private:
  void setState(State state);
  void onReceiverFinished(bool gotSummary);

  class Receiver;
  std::unique_ptr<Receiver> m_receiver;
  /// Bumped whenever the client leaves a run: deliveries queued for an older one are dropped.
  std::uint64_t m_generation = 0;
  RunEndpoints m_endpoints;
  State m_state = State::Idle;
};

}  // namespace distopt::ui

// Qt 6 declares std::vector<T> as a sequential-container meta type itself; the queued signals above
// need nothing more (a Q_DECLARE_METATYPE here would clash with that once any moc file used the type).
