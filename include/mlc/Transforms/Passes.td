//===- Passes.td - mlc's passes on the nn dialect ----------*- tablegen -*-===//

#ifndef MLC_TRANSFORMS_PASSES_TD
#define MLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InferShapesPass : Pass<"nn-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Refine every tensor type from the graph's inputs, folding shape computations";
  let description = [{
    Walks each function's ops in order. An op whose operands are all
    constants folds (Shape of a known tensor, Gather, Slice, Concat,
    Unsqueeze, Cast and integer arithmetic on those), so the small shape
    computations that exporters emit become constants; every other op gets
    the most precise result type that its operands give (see the nn
    dialect's ShapeInferenceOpInterface). Function result types follow.
    Ops left without users by folding are erased.
  }];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

#endif // MLC_TRANSFORMS_PASSES_TD
