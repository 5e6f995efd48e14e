#pragma once
// "Export report" without blocking the GUI: the charts are recorded on the GUI thread (drawing commands,
// milliseconds), then a worker thread loads the stored run and writes the images, data and PDF; the
// result arrives as finished() on the GUI thread. Thread: created and used on the GUI thread.

#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <atomic>
#include <functional>

#include "ui/export/report_export.hpp"

class QThread;

namespace distopt::ui {

class ReportExportJob : public QObject {
  Q_OBJECT

 public:
  struct Options {
    /// Runs on the worker thread before anything is written (a test holds the writer there to see the
    /// GUI thread go on); none by default.
    std::function<void()> beforeWriting;
  };

  /// Records what `dashboard` shows now and starts writing it into `directory`.
  ReportExportJob(Dashboard* dashboard, ReportContent content, const QString& directory,
                  QObject* parent = nullptr, Options options = {});
  /// Waits for the writer (the report is finished, not cut off).
  ~ReportExportJob() override;

  bool isRunning() const { return m_running; }
  const QString& directory() const { return m_directory; }
  /// The thread the report was written on; null until finished().
  QThread* writerThread() const { return m_writerThread.load(); }

 signals:
  /// On this object's thread: whether the report is whole, the files written, or why not.
  void finished(bool ok, const QStringList& written, const QString& why);

 private:
  QString m_directory;
  bool m_running = true;
  std::atomic<QThread*> m_writerThread{nullptr};
  QThreadPool m_pool;  // last: its destructor waits for the writer, which uses the members above
};

}  // namespace distopt::ui
