#pragma once
// What a dashboard on another machine needs to attach to a run's dashboard feed: this workbench's own
// dashboard key (made once, kept in the user's configuration folder, readable by the user only) and
// the run's attach command line, pasted whole from the run's owner.

#include <QString>
#include <optional>

#include "ui/client/run_client.hpp"

namespace distopt::ui {

struct DashboardIdentity {
  QString publicKey;  ///< Z85; what the run's owner allows (--allow-dashboard-key, or the Remote window)
  QString secretKey;  ///< Z85; never leaves this machine
  QString path;       ///< the key file
};

/// The key file's default place: $XDG_CONFIG_HOME/distopt-workbench/dashboard-key.json.
QString defaultDashboardKeyPath();
/// This workbench's dashboard key pair from `path` (default place when empty), made and written there
/// on first use. nullopt with *why (naming the file) when it cannot be read or written.
std::optional<DashboardIdentity> loadDashboardIdentity(QString* why, const QString& path = QString());

/// Parses `distopt-workbench --attach ENDPOINT [--server-key KEY] [--dashboard-token TOKEN]` (quotes as
/// a shell takes them; the program name may be missing or a path) into read-only endpoints. Without a
/// token the dashboard presents `identity` (when given). False with *why naming the part that is wrong.
bool parseAttachCommand(const QString& command, const DashboardIdentity* identity, RunEndpoints* endpoints,
                        QString* why);
/// The same for the command's options, already split (`--attach ENDPOINT --server-key KEY ...`).
bool parseAttachArguments(const QStringList& arguments, const DashboardIdentity* identity,
                          RunEndpoints* endpoints, QString* why);

}  // namespace distopt::ui
