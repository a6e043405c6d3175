//===- MergeExports.cpp - The module's exports into one @main -------------===//
//
// nn-merge-exports: mlc merge's diff (lib/Merge) over functions of one module
// instead of files. Each function goes into a module of its own as @main,
// the merger merges them into the first, and that @main replaces them all.
//
//===----------------------------------------------------------------------===//

#include "mlc/Merge/Merge.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlc {
#define GEN_PASS_DEF_MERGEEXPORTSPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

struct MergeExportsPass
    : public mlc::impl::MergeExportsPassBase<MergeExportsPass> {
  using MergeExportsPassBase::MergeExportsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> graphs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        graphs.push_back(func);
    MergeOptions options;
    options.input = input;
    if (!shapes.empty()) {
      std::string error;
      options.spec = ShapeSpec::parse(shapes, error);
      if (!options.spec) {
        module.emitError() << "shapes '" << shapes << "': " << error;
        return signalPassFailure();
      }
    }
    if (graphs.empty() || (graphs.size() == 1 && !options.spec)) {
      module.emitError() << (graphs.empty() ? "no function" : "one function")
                         << " and no shapes: nothing to merge (put each "
                            "export in a function of its own)";
      return signalPassFailure();
    }

    // Each export as @main of a module of its own, with the module's
    // attributes (opsets, producer): the form the merger takes.
    SmallVector<OwningOpRef<ModuleOp>> parts;
    SmallVector<ModuleOp> exports;
    std::vector<std::string> names;
    for (func::FuncOp graph : graphs) {
      parts.push_back(ModuleOp::create(graph.getLoc()));
      ModuleOp part = *parts.back();
      part->setAttrs(module->getAttrDictionary());
      auto copy = cast<func::FuncOp>(graph->clone());
      copy.setSymName("main");
      part.push_back(copy);
      exports.push_back(part);
      // The file it was imported from, as mlc merge names exports.
      auto file = graph.getLoc()->findInstanceOf<FileLineColLoc>();
      names.push_back(file ? file.getFilename().str()
                           : "@" + graph.getSymName().str());
    }
    MergeReport report;
    if (mergeExports(exports, names, options, report) != MergeStatus::Merged)
      return signalPassFailure();

    auto merged = exports.front().lookupSymbol<func::FuncOp>("main");
    merged->remove();
    for (func::FuncOp graph : graphs)
      graph.erase();
    module.push_back(merged);
  }
};

} // namespace
