#include "core/problems/data_file_recorder.hpp"

namespace distopt {
namespace {
thread_local DataFileRecorder* t_current = nullptr;
}  // namespace

DataFileRecorder::DataFileRecorder() : m_outer(t_current) { t_current = this; }

DataFileRecorder::~DataFileRecorder() { t_current = m_outer; }

void DataFileRecorder::record(const std::string& path) {
  if (t_current) t_current->m_files.push_back(path);
}

}  // namespace distopt
