//===- ModelIO.cpp - Reading and writing models in any of mlc's formats ---===//

#include "mlc/Driver/ModelIO.h"
#include "mlc/Dialect/NN/NNDialect.h"
#include "mlc/Export/ONNX.h"
#include "mlc/Import/ONNX.h"
#include "mlc/Support/FileIO.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

void mlc::registerModelDialects(MLIRContext &context) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
}

bool mlc::isMLIRFile(StringRef path) {
  StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".mlir" || ext == ".mlirbc")
    return true;
  // Anything else is told apart by content. (A slice past the end of the
  // file would be padded with zeros, which look like binary protobuf.)
  uint64_t size = 0;
  llvm::sys::fs::file_size(path, size);
  auto header = llvm::MemoryBuffer::getFileSlice(
      path, std::min<uint64_t>(size, 512), 0);
  return size > 0 && header && looksLikeMLIR((*header)->getBuffer());
}

OwningOpRef<ModuleOp> mlc::loadModel(StringRef path, MLIRContext *context) {
  registerModelDialects(*context);
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (!llvm::sys::fs::exists(path)) {
    emitError(fileLoc) << "no such file";
    return nullptr;
  }
  if (llvm::sys::fs::is_directory(path)) {
    emitError(fileLoc) << "is a folder, not a model";
    return nullptr;
  }
  if (!isMLIRFile(path))
    return importONNXFile(path, context);
  ParserConfig config(context);
  OwningOpRef<ModuleOp> module;
  {
    // A syntax error is one line: the parser's first error, not its
    // follow-ups ("failed to parse ... parameter").
    bool parseFailed = false;
    ScopedDiagnosticHandler firstErrorOnly(context, [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error)
        return failure(); // not handled here: printed as usual
      if (parseFailed)
        return success(); // dropped
      parseFailed = true;
      return failure();
    });
    module = parseSourceFile<ModuleOp>(path, config);
  }
  if (module && failed(verify(*module)))
    return nullptr;
  // A node named in the text (loc("conv1")) has no position of its own:
  // give it the file's, so that its errors name the file as an ONNX node's do.
  if (module)
    module->walk([&](Operation *op) {
      auto name = dyn_cast<NameLoc>(op->getLoc());
      if (name && isa<UnknownLoc>(name.getChildLoc()))
        op->setLoc(NameLoc::get(name.getName(), fileLoc));
    });
  return module;
}

LogicalResult mlc::saveModel(ModuleOp module, StringRef path,
                             const SaveOptions &options) {
  Location fileLoc = FileLineColLoc::get(module.getContext(), path, 0, 0);
  StringRef ext = llvm::sys::path::extension(path);
  auto reportWriteError = [&](llvm::Error error) -> LogicalResult {
    if (!error)
      return success();
    std::string message = llvm::toString(std::move(error));
    // The message leads with the path, which the location names already.
    StringRef reason = message;
    reason.consume_front(("'" + path + "': ").str());
    // A write that reported its own error says "nothing written".
    if (message != "nothing written")
      emitError(fileLoc) << "cannot write the file: " << reason;
    return failure();
  };
  // A device without an extension (/dev/null, /dev/stdout) gets text.
  llvm::sys::fs::file_status status;
  bool exists = path != "-" && !llvm::sys::fs::status(path, status) &&
                llvm::sys::fs::exists(status);
  bool isDevice = exists && ext.empty() &&
                  !llvm::sys::fs::is_regular_file(status) &&
                  !llvm::sys::fs::is_directory(status);
  if (exists && llvm::sys::fs::is_directory(status))
    return emitError(fileLoc) << "is a folder: name the file to write";
  if (path == "-" || ext == ".mlir" || isDevice) {
    return reportWriteError(
        writeFileAtomically(path, [&](llvm::raw_ostream &os) {
          module.print(os, OpPrintingFlags().enableDebugInfo(
                               /*enable=*/true, /*prettyForm=*/false));
          os << "\n";
          return true;
        }));
  }
  if (ext == ".mlirbc") {
    return reportWriteError(
        writeFileAtomically(path, [&](llvm::raw_ostream &os) {
          BytecodeWriterConfig config("mlc");
          return succeeded(writeBytecodeToFile(module, os, config));
        }));
  }
  if (ext == ".mlc") {
    return reportWriteError(
        writeFileAtomically(path, [&](llvm::raw_ostream &os) {
          return succeeded(lowerToMLC(module, os, options.loweringReport));
        }));
  }
  if (ext == ".onnx" || ext == ".pb") {
    ONNXExportOptions exportOptions;
    exportOptions.opset = options.opset;
    // Protobuf cannot hold a message over 2 GB.
    constexpr uint64_t kProtobufLimit = uint64_t(1) << 31;
    bool external = options.externalData.value_or(
        getConstantBytes(module) > kProtobufLimit - (uint64_t(64) << 20));
    if (!external)
      return reportWriteError(
          writeFileAtomically(path, [&](llvm::raw_ostream &os) {
            return succeeded(exportONNX(module, os, exportOptions));
          }));
    std::string dataPath = (path + ".data").str();
    exportOptions.externalDataName = llvm::sys::path::filename(dataPath).str();
    return reportWriteError(
        writeFileAtomically(dataPath, [&](llvm::raw_ostream &data) {
          exportOptions.externalData = &data;
          return succeeded(reportWriteError(
              writeFileAtomically(path, [&](llvm::raw_ostream &os) {
                return succeeded(exportONNX(module, os, exportOptions));
              })));
        }));
  }
  return emitError(fileLoc) << "cannot tell the format to write from the "
                               "extension: use .mlir, .mlirbc, .onnx or .mlc";
}

std::string mlc::formatLocation(Location loc) {
  std::string file, node;
  std::function<void(Location)> visit = [&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l)) {
      if (node.empty())
        node = name.getName().str();
      visit(name.getChildLoc());
    } else if (auto fileLine = dyn_cast<FileLineColLoc>(l)) {
      if (file.empty()) {
        file = fileLine.getFilename().str();
        if (fileLine.getLine() > 0)
          file += ":" + std::to_string(fileLine.getLine()) + ":" +
                  std::to_string(fileLine.getColumn());
      }
    } else if (auto fused = dyn_cast<FusedLoc>(l)) {
      for (Location inner : fused.getLocations())
        visit(inner);
    } else if (auto callSite = dyn_cast<CallSiteLoc>(l)) {
      visit(callSite.getCallee());
    }
  };
  visit(loc);
  std::string prefix;
  if (!file.empty())
    prefix = file + ": ";
  return prefix + (node.empty() ? "" : "node '" + node + "': ");
}

mlc::ToolDiagnostics::ToolDiagnostics(MLIRContext &context,
                                      llvm::raw_ostream &os)
    : context(context) {
  id = context.getDiagEngine().registerHandler([this, &os](Diagnostic &diag) {
    StringRef severity;
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      ++errors;
      severity = "error";
      break;
    case DiagnosticSeverity::Warning:
      severity = "warning";
      break;
    case DiagnosticSeverity::Remark:
      severity = "remark";
      break;
    case DiagnosticSeverity::Note:
      return success(); // notes ("see current operation") add no lines
    }
    std::string where = formatLocation(diag.getLocation());
    // "file: error: node 'x': message", as compilers print.
    StringRef node;
    size_t nodeStart = where.find("node '");
    std::string file = where.substr(0, nodeStart);
    if (file.empty() && !defaultFile.empty())
      file = defaultFile + ": ";
    if (nodeStart != std::string::npos)
      node = StringRef(where).drop_front(nodeStart);
    std::string message = diag.str();
    std::replace(message.begin(), message.end(), '\n', ' ');
    os << file << severity << ": " << node << message << "\n";
    os.flush();
    return success();
  });
}

mlc::ToolDiagnostics::~ToolDiagnostics() {
  context.getDiagEngine().eraseHandler(id);
}
