//===- InferShapes.cpp - Refine tensor types through a graph --------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_INFERSHAPESPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

struct InferShapesPass : mlc::impl::InferShapesPassBase<InferShapesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(inferFunction(func)))
        return signalPassFailure();
  }

  // One forward walk over the graph (a block in dependency order) sees every
  // operand's final type before its users. The analysis carries the entries
  // of shape computations along, so a Reshape whose target is computed from
  // a Shape gets its dims without folding first.
  LogicalResult inferTypes(func::FuncOp func) {
    ShapeAnalysis analysis(&getContext());
    addDynamicInputDims(analysis, func);
    Block &body = func.getBody().front();
    for (Operation &op : body) {
      SmallVector<Type> inferred;
      if (failed(analysis.infer(&op, &inferred)))
        return failure();
      for (auto [result, type] : llvm::zip(op.getResults(), inferred)) {
        if (!areCompatible(result.getType(), type))
          return op.emitOpError() << "result is declared " << result.getType()
                                  << " but its operands give " << type;
        result.setType(refineType(result.getType(), type));
      }
    }
    return success();
  }

  LogicalResult inferFunction(func::FuncOp func) {
    if (func.isExternal())
      return success();
    if (!func.getBody().hasOneBlock())
      return func.emitOpError()
             << "has several blocks; a graph of nn ops is one block";
    // Shape computations in floating point (Upsample scales computed from
    // Cast(Shape)) become known only once folded: infer, fold, and infer
    // again while folding finds something.
    Block &body = func.getBody().front();
    constexpr int kMaxRounds = 8;
    for (int round = 0; round < kMaxRounds; ++round) {
      if (failed(inferTypes(func)))
        return failure();
      bool changed = false;
      if (failed(applyPatternsAndFoldGreedily(
              func, RewritePatternSet(&getContext()), GreedyRewriteConfig(),
              &changed)))
        return func.emitOpError() << "folding did not converge";
      if (!changed)
        break;
    }
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());
    func.setFunctionType(FunctionType::get(
        &getContext(), func.getArgumentTypes(), returnOp.getOperandTypes()));
    return success();
  }
};

} // namespace
