//===- CheckFlexible.cpp - The flexibility analysis as a pass -------------===//

#include "mlc/Analysis/Flexibility.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlc {
#define GEN_PASS_DEF_CHECKFLEXIBLEPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

struct CheckFlexiblePass
    : mlc::impl::CheckFlexiblePassBase<CheckFlexiblePass> {
  using CheckFlexiblePassBase::CheckFlexiblePassBase;

  void runOnOperation() override {
    FlexibilityOptions options;
    options.input = input;
    if (!dims.empty())
      options.dims.assign(dims.begin(), dims.end());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      FailureOr<FlexibilityReport> report = analyzeFlexibility(func, options);
      if (failed(report))
        return signalPassFailure();
      emitDiagnostics(func, *report);
    }
    markAllAnalysesPreserved();
  }

  static void emitDiagnostics(func::FuncOp func,
                              const FlexibilityReport &report) {
    for (const auto &blocker : report.blockers)
      blocker.op->emitWarning()
          << "blocks other input sizes: " << blocker.reason
          << ". Fix: " << blocker.fix;
    Operation *last = nullptr;
    for (const auto &baked : report.baked) {
      if (baked.op == last)
        continue;
      last = baked.op;
      baked.op->emitWarning() << "baked in at export: " << baked.text;
    }
    InFlightDiagnostic remark = func.emitRemark()
                                << stringifyVerdict(report.verdict)
                                << "; outputs:";
    for (const auto &output : report.outputs)
      remark << " " << output.name << " " << output.text;
    remark << "; sizes that work:";
    if (report.constraints.empty())
      remark << " any";
    for (const auto &[i, constraint] : llvm::enumerate(report.constraints))
      remark << (i ? "," : "") << " " << constraint.text;
    for (const auto &joint : report.jointConstraints)
      remark << ", " << joint;
  }
};

} // namespace
