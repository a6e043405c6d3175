//===- InferShapes.cpp - Refine tensor types through a graph --------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/FoldUtils.h"

namespace mlc {
#define GEN_PASS_DEF_INFERSHAPESPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

// Gives each result of `op` the most precise type that the declared and the
// inferred type both allow. Fails (the op has emitted why) on invalid operands.
LogicalResult refineResultTypes(ShapeInferenceOpInterface op) {
  SmallVector<Type> inferred;
  if (failed(op.inferResultTypes(inferred)))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
    if (!areCompatible(result.getType(), type))
      return op->emitOpError() << "result is declared " << result.getType()
                               << " but its operands give " << type;
    result.setType(refineType(result.getType(), type));
  }
  return success();
}

struct InferShapesPass : mlc::impl::InferShapesPassBase<InferShapesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(inferFunction(func)))
        return signalPassFailure();
  }

  LogicalResult inferFunction(func::FuncOp func) {
    if (func.isExternal())
      return success();
    if (!func.getBody().hasOneBlock())
      return func.emitOpError()
             << "has several blocks; a graph of nn ops is one block";
    OperationFolder folder(&getContext());
    // The graph is one block in dependency order: one forward walk sees
    // every operand's final type before its users.
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (auto inferable = dyn_cast<ShapeInferenceOpInterface>(op))
        if (failed(refineResultTypes(inferable)))
          return failure();
      if (!isa<ConstantOp>(op))
        (void)folder.tryToFold(&op);
    }
    eraseDeadOps(func);
    auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    func.setFunctionType(FunctionType::get(
        &getContext(), func.getArgumentTypes(), returnOp.getOperandTypes()));
    return success();
  }

  // Erases the shape computations that folding left unused.
  static void eraseDeadOps(func::FuncOp func) {
    Block &body = func.getBody().front();
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (isOpTriviallyDead(&op))
        op.erase();
  }
};

} // namespace
