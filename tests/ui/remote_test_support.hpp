#pragma once
// What the "Connect remote workers" window tests share: a small secured live run written to a file,
// the window wired to the client as the main window wires it, and waiting on the event loop.

#include <QElapsedTimer>
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <functional>

#include <nlohmann/json.hpp>

#include "ui/client/run_client.hpp"
#include "ui/remote/remote_workers_panel.hpp"

namespace remote_test {

/// Runs the event loop until `condition` holds; false after `timeoutMs`.
inline bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!condition()) {
    if (timer.elapsed() > timeoutMs) return false;
    QTest::qWait(50);
  }
  return true;
}

/// A 20-coordinate quadratic under ASGD with `workers` fixed-speed live workers (20 ms units).
inline nlohmann::json remoteExperiment(const std::string& name, int workers, double stopTime,
                                       double evalInterval) {
  return {
      {"name", name},
      {"seed", 1},
      {"engine", "live"},
      {"problem", {{"name", "quadratic"}, {"params", {{"d", 20}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
      {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.05}}}}},
      {"workers",
       {{"count", workers},
        {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}},
        {"unit_ms", 20}}},
      {"stop", {{"time", stopTime}}},
      {"eval", {{"interval", evalInterval}}}};
}

/// remoteExperiment() written to DIR/remote.json; returns its path (empty if it could not be written).
inline QString writeRemoteExperiment(const QTemporaryDir& dir, const std::string& name, int workers,
                                     double stopTime, double evalInterval) {
  const nlohmann::json document = remoteExperiment(name, workers, stopTime, evalInterval);
  const QString path = dir.filePath("remote.json");
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write(QByteArray::fromStdString(document.dump()));
  return path;
}

/// The text of a table cell, empty when the cell has no item.
inline QString cell(const QTableWidget* table, int row, int column) {
  const auto* item = table->item(row, column);
  return item ? item->text() : QString();
}

/// The window shows the client's status and control replies and sends its control requests through it.
inline void wirePanel(distopt::ui::RunClient& client, distopt::ui::RemoteWorkersPanel& panel) {
  using distopt::ui::RemoteWorkersPanel;
  using distopt::ui::RunClient;
  QObject::connect(&client, &RunClient::statusReceived, &panel, &RemoteWorkersPanel::showStatus);
  QObject::connect(&client, &RunClient::controlReplied, &panel, &RemoteWorkersPanel::showReply);
  QObject::connect(&panel, &RemoteWorkersPanel::controlRequested, &client, &RunClient::sendControl);
}

}  // namespace remote_test
