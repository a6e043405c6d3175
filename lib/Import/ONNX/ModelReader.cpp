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

LogicalResult mlc::onnx_import::readModel(StringRef path,
                                          ::onnx::ModelProto &model,
                                          Location fileLoc) {
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
    if (!model.ParseFromZeroCopyStream(&stream) || stream.GetErrno() != 0) {
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
