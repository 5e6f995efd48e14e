#include "ui/export/report_job.hpp"

#include <QMetaObject>
#include <QThread>
#include <memory>

namespace distopt::ui {

ReportExportJob::ReportExportJob(Dashboard* dashboard, ReportContent content, const QString& directory,
                                 QObject* parent, Options options)
    : QObject(parent), m_directory(directory) {
  m_pool.setMaxThreadCount(1);
  auto snapshot = std::make_shared<ReportSnapshot>(snapshotReport(dashboard, std::move(content)));
  m_pool.start([this, snapshot, options = std::move(options)] {
    if (options.beforeWriting) options.beforeWriting();
    QStringList written;
    QString why;
    const bool ok = writeReport(*snapshot, m_directory, &written, &why);
    m_writerThread = QThread::currentThread();
    // Queued: finished() is emitted on the GUI thread; the destructor waits for this lambda first.
    QMetaObject::invokeMethod(
        this,
        [this, ok, written, why] {
          m_running = false;
          emit finished(ok, written, why);
        },
        Qt::QueuedConnection);
  });
}

ReportExportJob::~ReportExportJob() { m_pool.waitForDone(); }

}  // namespace distopt::ui
