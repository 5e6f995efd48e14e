#include "core/data/npy_reader.hpp"

#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/data/csv_reader.hpp"
#include "core/data/gz_file.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

struct NpyHeader {
  char kind = 0;  // 'f', 'i', 'u' or 'b'
  int size = 0;   // bytes per value
  bool fortranOrder = false;
  std::vector<std::int64_t> shape;
  std::size_t dataOffset = 0;
};

[[noreturn]] void failAt(const std::string& path, std::size_t offset, const std::string& message) {
  throw InputError(path, "at byte offset " + std::to_string(offset) + ": " + message);
}

// The value of `key` in the header dict, as the text up to the next top-level ',' or '}'.
std::string_view dictValue(const std::string& path, std::string_view dict, std::size_t dictOffset,
                           const char* key) {
  const std::string quotedKey = std::string("'") + key + "'";
  const std::size_t at = dict.find(quotedKey);
  if (at == std::string_view::npos) failAt(path, dictOffset, std::string("the header has no ") + quotedKey);
  std::size_t start = dict.find(':', at + quotedKey.size());
  if (start == std::string_view::npos)
    failAt(path, dictOffset + at, std::string("no ':' after ") + quotedKey);
  ++start;
  while (start < dict.size() && dict[start] == ' ') ++start;
  std::size_t end = start;
  int depth = 0;
  while (end < dict.size()) {
    const char c = dict[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    ++end;
  }
  return dict.substr(start, end - start);
}

NpyHeader parseHeader(const std::string& path, const std::string& bytes) {
  NpyHeader header;
  static constexpr char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    failAt(path, 0, "not a NumPy .npy file (no \\x93NUMPY magic)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t headerLength = 0;
  std::size_t dictOffset = 0;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    dictOffset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) failAt(path, 8, "truncated header length");
    for (int i = 3; i >= 0; --i)
      headerLength = (headerLength << 8) | static_cast<unsigned char>(bytes[8 + i]);
    dictOffset = 12;
  } else {
    failAt(path, 6, "unsupported format version " + std::to_string(major) + " (1, 2 and 3 are read)");
  }
  if (headerLength > bytes.size() - dictOffset)
    failAt(path, dictOffset,
           "header of " + std::to_string(headerLength) + " bytes runs past the end of the file");
  const std::string_view dict(bytes.data() + dictOffset, headerLength);
  header.dataOffset = dictOffset + headerLength;

  std::string_view descr = dictValue(path, dict, dictOffset, "descr");
  if (descr.size() < 5 || (descr.front() != '\'' && descr.front() != '"') || descr.back() != descr.front())
    failAt(path, dictOffset, "descr " + std::string(descr) + " is not a quoted type string");
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  header.kind = descr[1];
  const std::string_view sizeText = descr.substr(2);
  header.size = sizeText == "1" ? 1 : sizeText == "2" ? 2 : sizeText == "4" ? 4 : sizeText == "8" ? 8 : 0;
  const bool knownKind = header.kind == 'f'
                             ? (header.size == 4 || header.size == 8)
                             : (header.kind == 'i' || header.kind == 'u' || header.kind == 'b') &&
                                   header.size != 0 && (header.kind != 'b' || header.size == 1);
  if (!knownKind || order == '>' || (order != '<' && order != '|' && order != '=')) {
    failAt(path, dictOffset,
           "unsupported type '" + std::string(descr) +
               "' (little-endian float32/64, int/uint 8-64 bits and bool are read)");
  }

  const std::string_view fortran = dictValue(path, dict, dictOffset, "fortran_order");
  if (fortran != "False" && fortran != "True")
    failAt(path, dictOffset, "fortran_order " + std::string(fortran) + " is not True or False");
  header.fortranOrder = fortran == "True";

  std::string_view shape = dictValue(path, dict, dictOffset, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    failAt(path, dictOffset, "shape " + std::string(shape) + " is not a tuple");
  shape = shape.substr(1, shape.size() - 2);
  while (!shape.empty()) {
    while (!shape.empty() && (shape.front() == ' ' || shape.front() == ',')) shape.remove_prefix(1);
    if (shape.empty()) break;
    std::int64_t dimension = 0;
    std::size_t digits = 0;
    while (digits < shape.size() && shape[digits] >= '0' && shape[digits] <= '9') {
      if (dimension > (std::int64_t{1} << 40))
        failAt(path, dictOffset, "a dimension of the shape is too large");
      dimension = dimension * 10 + (shape[digits] - '0');
      ++digits;
    }
    if (digits == 0) failAt(path, dictOffset, "shape holds something other than non-negative integers");
    header.shape.push_back(dimension);
    shape.remove_prefix(digits);
  }
  return header;
}

double valueAt(const char* p, char kind, int size) {
  // .npy data are little-endian and this reader only runs on little-endian machines (Debian amd64/arm64).
  switch (kind) {
    case 'f': {
      if (size == 4) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      }
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case 'i': {
      std::int64_t v = 0;
      if (size == 1) v = static_cast<std::int8_t>(*p);
      if (size == 2) {
        std::int16_t t;
        std::memcpy(&t, p, 2);
        v = t;
      }
      if (size == 4) {
        std::int32_t t;
        std::memcpy(&t, p, 4);
        v = t;
      }
      if (size == 8) std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
    default: {  // 'u' and 'b'
      std::uint64_t v = 0;
      std::memcpy(&v, p, static_cast<std::size_t>(size));
      return static_cast<double>(v);
    }
  }
}

}  // namespace

bool NpyReadOptions::isValid(std::string* why) const {
  return CsvReadOptions{.labelColumn = labelColumn, .labels = labels}.isValid(why);
}

Dataset readNpy(const std::string& path, const NpyReadOptions& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  const std::string bytes = GzFile(path).readAll();
  const NpyHeader header = parseHeader(path, bytes);
  if (header.shape.size() != 2 || header.shape[1] < 2) {
    std::string shape;
    for (auto d : header.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    failAt(path, 0,
           "shape (" + shape + "): a data set is a 2-D array of samples by columns, one of them the label");
  }
  const std::int64_t rows = header.shape[0];
  const std::int64_t columns = header.shape[1];
  if (rows == 0) failAt(path, header.dataOffset, "no samples (shape has 0 rows)");
  const std::size_t available = bytes.size() - header.dataOffset;
  const auto rowBytes = static_cast<std::size_t>(columns) * static_cast<std::size_t>(header.size);
  // Compared by division first: a hostile shape must not overflow the product.
  if (static_cast<std::size_t>(columns) > available ||
      static_cast<std::size_t>(rows) > available / rowBytes ||
      static_cast<std::size_t>(rows) * rowBytes != available) {
    failAt(path, header.dataOffset,
           "the shape (" + std::to_string(rows) + ", " + std::to_string(columns) + ") of " +
               std::to_string(header.size) + "-byte values does not match the " + std::to_string(available) +
               " bytes of data in the file");
  }
  const std::int64_t labelIndex = labelColumnIndex(options.labelColumn, columns);
  if (labelIndex < 0) {
    failAt(path, 0,
           "label column " + std::to_string(options.labelColumn) + " is outside the " +
               std::to_string(columns) + " columns");
  }

  Dataset data;
  data.source = path;
  data.isSparse = false;
  data.dense.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(columns - 1));
  std::vector<double> labels(static_cast<std::size_t>(rows));
  std::vector<std::string> places(static_cast<std::size_t>(rows));
  const char* base = bytes.data() + header.dataOffset;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < columns; ++c) {
      const std::int64_t element = header.fortranOrder ? c * rows + r : r * columns + c;
      const std::size_t offset = static_cast<std::size_t>(element) * static_cast<std::size_t>(header.size);
      const double value = valueAt(base + offset, header.kind, header.size);
      if (!std::isfinite(value)) {
        failAt(path, header.dataOffset + offset,
               "row " + std::to_string(r) + ", column " + std::to_string(c) + " is not a finite number");
      }
      if (c == labelIndex) {
        labels[static_cast<std::size_t>(r)] = value;
      } else {
        data.dense(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c < labelIndex ? c : c - 1)) =
            static_cast<float>(value);
      }
    }
    const std::size_t labelOffset =
        header.dataOffset +
        static_cast<std::size_t>(header.fortranOrder ? labelIndex * rows + r : r * columns + labelIndex) *
            static_cast<std::size_t>(header.size);
    places[static_cast<std::size_t>(r)] =
        path + ": row " + std::to_string(r) + " (byte offset " + std::to_string(labelOffset) + ")";
  }
  assignLabels(data, labels, places, options.labels);
  return data;
}

}  // namespace distopt
