#include "ui/client/remote_attach.hpp"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "net/security/curve_keys.hpp"

namespace distopt::ui {

QString defaultDashboardKeyPath() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
      .filePath(QStringLiteral("distopt-workbench/dashboard-key.json"));
}

std::optional<DashboardIdentity> loadDashboardIdentity(QString* why, const QString& path) {
  const QString file = path.isEmpty() ? defaultDashboardKeyPath() : path;
  std::string reason;
  std::optional<net::CurveKeyPair> keys;
  if (QFileInfo::exists(file)) {
    keys = net::readKeyFile(file.toStdString(), &reason);
  } else if (QDir().mkpath(QFileInfo(file).absolutePath())) {
    keys = net::makeCurveKeyPair();
    if (!net::writeKeyFile(file.toStdString(), *keys, &reason)) keys.reset();
  } else {
    reason = "cannot create the folder of " + file.toStdString();
  }
  if (!keys) {
    if (why) *why = QString::fromStdString(reason);
    return std::nullopt;
  }
  return DashboardIdentity{QString::fromStdString(keys->publicKey), QString::fromStdString(keys->secretKey),
                           file};
}

namespace {

/// Words of a command line as a POSIX shell splits them: '...' literally, "..." with \-escapes, \x
/// outside quotes. (QProcess::splitCommand knows double quotes only, and the attach command single-quotes
/// its keys: Z85 has shell metacharacters.) Nullopt for an unterminated quote.
std::optional<QStringList> shellWords(const QString& text) {
  QStringList words;
  QString word;
  bool inWord = false;
  for (qsizetype i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (c.isSpace()) {
      if (inWord) words << word;
      word.clear();
      inWord = false;
    } else if (c == '\'') {
      const qsizetype end = text.indexOf('\'', i + 1);
      if (end < 0) return std::nullopt;
      word += text.mid(i + 1, end - i - 1);
      i = end;
      inWord = true;
    } else if (c == '"') {
      qsizetype j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) ++j;
        word += text[j];
      }
      if (j >= text.size()) return std::nullopt;
      i = j;
      inWord = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words << word;
  return words;
}

}  // namespace

bool parseAttachCommand(const QString& command, const DashboardIdentity* identity, RunEndpoints* endpoints,
                        QString* why) {
  const auto split = shellWords(command.trimmed());
  if (!split) {
    if (why) *why = QStringLiteral("attach command: a quote is not closed");
    return false;
  }
  QStringList words = *split;
  if (!words.isEmpty() && !words.front().startsWith(QLatin1String("--"))) words.removeFirst();  // the program
  return parseAttachArguments(words, identity, endpoints, why);
}

bool parseAttachArguments(const QStringList& words, const DashboardIdentity* identity,
                          RunEndpoints* endpoints, QString* why) {
  auto fail = [why](const QString& text) {
    if (why) *why = text;
    return false;
  };
  RunEndpoints parsed;
  for (qsizetype i = 0; i < words.size(); ++i) {
    const QString& word = words[i];
    if (i + 1 >= words.size()) return fail(QStringLiteral("attach command: %1 needs a value").arg(word));
    const QString value = words[++i];
    if (word == QLatin1String("--attach"))
      parsed.telemetry = value;
    else if (word == QLatin1String("--server-key"))
      parsed.serverKey = value;
    else if (word == QLatin1String("--dashboard-token"))
      parsed.clientSecretKey = value;
    else
      return fail(QStringLiteral("attach command: unknown option '%1'").arg(word));
  }
  if (parsed.telemetry.isEmpty()) return fail(QStringLiteral("attach command: no --attach ENDPOINT"));
  if (!parsed.telemetry.contains(QLatin1String("://")))
    return fail(QStringLiteral("attach command: '%1' is not an endpoint such as tcp://HOST:PORT")
                    .arg(parsed.telemetry));
  if (!parsed.serverKey.isEmpty() && !net::isCurveKey(parsed.serverKey.toStdString()))
    return fail(QStringLiteral("attach command: --server-key is not a 40-character Z85 CURVE key"));
  if (!parsed.clientSecretKey.isEmpty() && !net::keyPairFromSecret(parsed.clientSecretKey.toStdString()))
    return fail(QStringLiteral("attach command: --dashboard-token is not a 40-character Z85 CURVE key"));
  if (!parsed.serverKey.isEmpty() && parsed.clientSecretKey.isEmpty()) {
    if (!identity)
      return fail(
          QStringLiteral("attach command: a secured run needs a dashboard token or your dashboard key"));
    parsed.clientSecretKey = identity->secretKey;
  }
  *endpoints = parsed;
  return true;
}

}  // namespace distopt::ui
