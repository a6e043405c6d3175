//===- Npy.cpp - Tensors in NumPy's .npy files ----------------------------===//

#include "mlc/Runtime/Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mlc::rt {
namespace {

struct TypeCode {
  const char *descr;
  ElementType type;
};
const TypeCode kTypes[] = {
    {"<f4", ElementType::f32}, {"<f2", ElementType::f16},
    {"<f8", ElementType::f64}, {"|i1", ElementType::i8},
    {"|u1", ElementType::u8},  {"<i2", ElementType::i16},
    {"<u2", ElementType::u16}, {"<i4", ElementType::i32},
    {"<u4", ElementType::u32}, {"<i8", ElementType::i64},
    {"<u8", ElementType::u64}, {"|b1", ElementType::boolean}};

// The value of `key` in the header's Python dict literal.
std::string field(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string::npos)
    return "";
  ++at;
  while (at < header.size() && header[at] == ' ')
    ++at;
  if (at >= header.size())
    return "";
  char open = header[at];
  char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  size_t end = header.find(close, at + 1);
  if (end == std::string::npos)
    return "";
  return header.substr(at + (open == '\'' ? 1 : 0),
                       end - at + (open == '(' ? 1 : 0) - (open == '\'' ? 1 : 0));
}

} // namespace

Tensor readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(path + ": cannot open");
  auto fail = [&](const std::string &why) -> Error {
    return Error(path + ": not a .npy file mlc reads: " + why);
  };
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw fail("no .npy magic");
  uint32_t headerSize = 0;
  unsigned char size[4] = {0, 0, 0, 0};
  if (magic[6] == 1) {
    if (!in.read(reinterpret_cast<char *>(size), 2))
      throw fail("truncated header");
    headerSize = size[0] | size[1] << 8;
  } else {
    if (!in.read(reinterpret_cast<char *>(size), 4))
      throw fail("truncated header");
    headerSize = size[0] | size[1] << 8 | size[2] << 16 | uint32_t(size[3]) << 24;
  }
  if (headerSize > (1u << 20))
    throw fail("header too large");
  std::string header(headerSize, '\0');
  if (!in.read(header.data(), headerSize))
    throw fail("truncated header");
  std::string descr = field(header, "descr");
  const TypeCode *code = nullptr;
  for (const TypeCode &t : kTypes)
    if (descr == t.descr || (descr.size() == 3 && descr[0] == '=' &&
                             descr.substr(1) == std::string(t.descr).substr(1)))
      code = &t;
  if (!code)
    throw fail("element type '" + descr + "'");
  if (field(header, "fortran_order").rfind("True", 0) == 0)
    throw fail("Fortran order");
  std::string shapeText = field(header, "shape");
  std::vector<int64_t> shape;
  for (size_t i = 0; i < shapeText.size();) {
    if (std::isdigit(static_cast<unsigned char>(shapeText[i]))) {
      size_t end = i;
      while (end < shapeText.size() &&
             std::isdigit(static_cast<unsigned char>(shapeText[end])))
        ++end;
      if (end - i > 12)
        throw fail("a dim too large");
      shape.push_back(std::stoll(shapeText.substr(i, end - i)));
      i = end;
    } else {
      ++i;
    }
  }
  Tensor tensor(code->type, shape);
  if (!in.read(static_cast<char *>(tensor.data()), tensor.byteSize()))
    throw Error(path + ": holds fewer values than its shape " +
                formatShape(shape) + " needs");
  return tensor;
}

void writeNpy(const std::string &path, const Tensor &tensor) {
  const char *descr = nullptr;
  for (const TypeCode &t : kTypes)
    if (t.type == tensor.type())
      descr = t.descr;
  if (!descr)
    throw Error(path + ": .npy has no " + elementTypeName(tensor.type()));
  std::ostringstream dict;
  dict << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : tensor.shape())
    dict << d << ", ";
  dict << "), }";
  std::string header = dict.str();
  // Magic, version, length, then the header padded with spaces to a
  // multiple of 64 bytes and ended by a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(path + ": cannot write");
    uint16_t length = header.size();
    out.write("\x93NUMPY\x01\x00", 8);
    char bytes[2] = {char(length & 0xff), char(length >> 8)};
    out.write(bytes, 2);
    out << header;
    out.write(static_cast<const char *>(tensor.data()), tensor.byteSize());
    if (!out.flush())
      throw Error(path + ": cannot write");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw Error(path + ": cannot write");
  }
}

} // namespace mlc::rt
