//===- CommandContext.h - What every mlc command that reads models has -*- C++ -*-===//

#ifndef MLC_TOOLS_COMMANDCONTEXT_H
#define MLC_TOOLS_COMMANDCONTEXT_H

#include "mlc/Driver/ModelIO.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

namespace mlc::cli {

/// A context with every dialect a model may use, whose errors print as one
/// line each on stderr.
struct CommandContext {
  mlir::MLIRContext context;
  ToolDiagnostics diagnostics{context, llvm::errs()};
  CommandContext() {
    context.disableMultithreading();
    registerModelDialects(context);
  }
};

} // namespace mlc::cli

#endif // MLC_TOOLS_COMMANDCONTEXT_H
