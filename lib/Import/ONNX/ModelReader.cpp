//===- ModelReader.cpp - Read a ModelProto, binary, text or JSON ----------===//

#include "Importer.h"
#include "mlc/Import/ONNX.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace mlir;
namespace pb = google::protobuf;

namespace {

// Collects the first error of the text format parser.
struct FirstError : pb::io::ErrorCollector {
  std::string message;
  void AddError(int line, pb::io::ColumnNumber column,
                const std::string &text) override {
    if (!message.empty())
      return;
    message = "line " + std::to_string(line + 1) + ", column " +
              std::to_string(column + 1) + ": " + text;
    // Protobuf names the token it found; at the end of the file, none.
    if (StringRef(message).ends_with("got: "))
      message += "the end of the file";
  }
};

enum class Format { Binary, Text, Json };

// Text (protobuf text format or JSON) when the first bytes are printable; a
// binary ModelProto starts with a field tag (0x08 for ir_version), never
// with a printable character.
Format detectFormat(StringRef header) {
  for (unsigned char c : header)
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
      return Format::Binary;
  if (header.empty() || header[0] == 0x08)
    return Format::Binary;
  StringRef trimmed = header.ltrim();
  return trimmed.starts_with("{") ? Format::Json : Format::Text;
}

} // namespace

// An MLIR alias definition, `#name = ...` or `!name = ...`; a line that
// starts with `#` otherwise is a comment of protobuf's text format.
static bool isAliasDefinition(StringRef text) {
  if (!text.consume_front("#") && !text.consume_front("!"))
    return false;
  StringRef name = text.take_while([](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.' || c == '-';
  });
  return !name.empty() && !llvm::isDigit(name[0]) &&
         text.drop_front(name.size()).ltrim(" \t").starts_with("=");
}

bool mlc::looksLikeMLIR(StringRef header) {
  if (header.starts_with("ML\xefR"))
    return true; // MLIR bytecode
  if (detectFormat(header) == Format::Binary)
    return false;
  StringRef text = header.ltrim();
  // Skip line comments: MLIR's `//`, protobuf text's `#`.
  while (text.starts_with("//") ||
         (text.starts_with("#") && !isAliasDefinition(text)))
    text = text.drop_until([](char c) { return c == '\n'; }).ltrim();
  return text.starts_with("module") || text.starts_with("func.func") ||
         isAliasDefinition(text) || text.starts_with("\"builtin.module\"") ||
         text.starts_with("{-#");
}

namespace {

// Copies a ModelProto from a stream to a string field by field, leaving out
// the raw_data of initializers that equal a known weight (compared as the
// bytes stream past, a chunk at a time): what a second export of a network
// holds again is never in memory. ModelProto.graph is field 7,
// GraphProto.initializer field 5, TensorProto.name field 8 and raw_data 9.
class KnownWeightStripper {
public:
  KnownWeightStripper(pb::io::CodedInputStream &in,
                      const mlc::onnx_import::KnownWeights &known,
                      llvm::StringSet<> &reused)
      : in(in), known(known), reused(reused) {}

  bool model(std::string &out) {
    while (uint32_t tag = in.ReadTag()) {
      bool ok = tag == makeTag(7, 2)
                    ? submessage(tag, out, [&](uint32_t t, std::string &o) {
                        return graphField(t, o);
                      })
                    : copyField(tag, out);
      if (!ok)
        return false;
    }
    return true;
  }

private:
  static uint32_t makeTag(uint32_t field, uint32_t wire) {
    return field << 3 | wire;
  }
  static void appendVarint(std::string &out, uint64_t value) {
    do {
      char byte = value & 0x7f;
      value >>= 7;
      out.push_back(value ? byte | 0x80 : byte);
    } while (value);
  }

  bool copyField(uint32_t tag, std::string &out) {
    appendVarint(out, tag);
    switch (tag & 7) {
    case 0: {
      uint64_t v;
      if (!in.ReadVarint64(&v))
        return false;
      appendVarint(out, v);
      return true;
    }
    case 1: {
      uint64_t v;
      if (!in.ReadLittleEndian64(&v))
        return false;
      out.append(reinterpret_cast<const char *>(&v), 8);
      return true;
    }
    case 5: {
      uint32_t v;
      if (!in.ReadLittleEndian32(&v))
        return false;
      out.append(reinterpret_cast<const char *>(&v), 4);
      return true;
    }
    case 2: {
      uint32_t n;
      if (!in.ReadVarint32(&n))
        return false;
      appendVarint(out, n);
      size_t at = out.size();
      out.resize(at + n);
      return in.ReadRaw(out.data() + at, n);
    }
    default:
      return false; // groups are not in onnx.proto
    }
  }

  // A length-delimited submessage, its fields through `field`.
  bool submessage(uint32_t tag, std::string &out,
                  llvm::function_ref<bool(uint32_t, std::string &)> field) {
    uint32_t length;
    if (!in.ReadVarint32(&length))
      return false;
    auto limit = in.PushLimit(length);
    std::string body;
    while (uint32_t inner = in.ReadTag())
      if (!field(inner, body))
        return false;
    if (!in.ConsumedEntireMessage())
      return false;
    in.PopLimit(limit);
    appendVarint(out, tag);
    appendVarint(out, body.size());
    out += body;
    return true;
  }

  bool graphField(uint32_t tag, std::string &out) {
    if (tag != makeTag(5, 2))
      return copyField(tag, out);
    std::string name;
    return submessage(tag, out, [&](uint32_t t, std::string &o) {
      return tensorField(t, o, name);
    });
  }

  bool tensorField(uint32_t tag, std::string &out, std::string &name) {
    if (tag == makeTag(8, 2)) {
      uint32_t n;
      if (!in.ReadVarint32(&n) || !in.ReadString(&name, n))
        return false;
      appendVarint(out, tag);
      appendVarint(out, n);
      out += name;
      return true;
    }
    if (tag != makeTag(9, 2))
      return copyField(tag, out);
    uint32_t n;
    if (!in.ReadVarint32(&n))
      return false;
    ArrayRef<char> weight;
    if (auto attr = known.lookup(name))
      if (mlir::AsmResourceBlob *blob = attr.getRawHandle().getBlob())
        weight = blob->getData();
    // Compare a chunk at a time; at the first difference, copy instead (the
    // prefix read so far equals the weight's).
    constexpr uint32_t kChunk = 1 << 20;
    std::vector<char> chunk(std::min(n, kChunk));
    uint32_t done = 0;
    bool same = n >= 1024 && weight.size() == n;
    while (same && done < n) {
      uint32_t size = std::min(kChunk, n - done);
      if (!in.ReadRaw(chunk.data(), size))
        return false;
      same = std::memcmp(chunk.data(), weight.data() + done, size) == 0;
      done += size;
    }
    if (same) {
      reused.insert(name);
      return true;
    }
    appendVarint(out, tag);
    appendVarint(out, n);
    size_t at = out.size();
    out.resize(at + n);
    if (done > 0) {
      // The chunks before the last matched the weight; the last is in hand.
      uint32_t last = done - std::min(done, uint32_t(chunk.size()));
      uint32_t lastSize = done - last;
      std::memcpy(out.data() + at, weight.data(), last);
      std::memcpy(out.data() + at + last, chunk.data(), lastSize);
    }
    return in.ReadRaw(out.data() + at + done, n - done);
  }

  pb::io::CodedInputStream &in;
  const mlc::onnx_import::KnownWeights &known;
  llvm::StringSet<> &reused;
};

} // namespace

LogicalResult mlc::onnx_import::readModel(StringRef path,
                                          ::onnx::ModelProto &model,
                                          Location fileLoc,
                                          const KnownWeights *known,
                                          llvm::StringSet<> *reused) {
  int fd = ::open(path.str().c_str(), O_RDONLY);
  if (fd < 0)
    return emitError(fileLoc) << "cannot open the file: "
                              << std::strerror(errno);
  auto closeFd = llvm::make_scope_exit([fd] { ::close(fd); });
  char header[512];
  ssize_t headerSize = ::pread(fd, header, sizeof(header), 0);
  if (headerSize < 0)
    return emitError(fileLoc) << "cannot read the file: "
                              << std::strerror(errno);
  if (headerSize == 0)
    return emitError(fileLoc) << "the file is empty";
  Format format = detectFormat(StringRef(header, headerSize));

  if (format == Format::Binary) {
    // Parse straight from the file: the model is never held twice.
    pb::io::FileInputStream stream(fd);
    bool parsed;
    if (known && reused && !known->empty()) {
      std::string stripped;
      {
        pb::io::CodedInputStream in(&stream);
        in.SetTotalBytesLimit(INT_MAX);
        parsed = KnownWeightStripper(in, *known, *reused).model(stripped);
      }
      parsed = parsed && model.ParseFromString(stripped);
    } else {
      parsed = model.ParseFromZeroCopyStream(&stream);
    }
    if (!parsed || stream.GetErrno() != 0) {
      if (stream.GetErrno() != 0)
        return emitError(fileLoc) << "cannot read the file: "
                                  << std::strerror(stream.GetErrno());
      // A model starts with its ir_version field (tag 0x08).
      if (header[0] == 0x08)
        return emitError(fileLoc)
               << "the ONNX model is truncated or corrupt: protobuf cannot "
                  "parse it";
      return emitError(fileLoc)
             << "not an ONNX model: the file is neither a binary protobuf "
                "nor protobuf text or JSON";
    }
  } else {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer)
      return emitError(fileLoc) << "cannot read the file: "
                                << buffer.getError().message();
    std::string text = (*buffer)->getBuffer().str();
    if (format == Format::Json) {
      pb::util::JsonParseOptions options;
      pb::util::Status status = pb::util::JsonStringToMessage(text, &model, options);
      if (!status.ok())
        return emitError(fileLoc) << "not an ONNX model in JSON: "
                                  << std::string(status.message());
    } else {
      pb::TextFormat::Parser parser;
      FirstError errors;
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(text, &model))
        return emitError(fileLoc) << "not an ONNX model in protobuf text: "
                                  << errors.message;
    }
  }
  if (!model.has_graph()) {
    if (model.ir_version() == 0 && model.opset_import_size() == 0)
      return emitError(fileLoc)
             << "not an ONNX model: no ir_version, opset_import or graph";
    return emitError(fileLoc) << "the model has no graph";
  }
  return success();
}
