//===- Pipelines.h - mlc's jobs as named pass pipelines ---------*- C++ -*-===//
//
// The pass pipelines behind mlc's commands, registered in mlc-opt so that a
// build can run a job's passes step by step:
//
//   mlc-opt exports.mlir --mlc-merge-pipeline="shapes=224,448"  (mlc merge)
//   mlc-opt net.mlir --mlc-check-flexible-pipeline     (mlc check-flexible)
//   mlc-opt net.mlir --mlc-compile-pipeline            (mlc compile's IR steps)
//   mlc-opt net.mlir --mlc-quantize-pipeline="mode=kmeans bits=4"
//
// A command and its pipeline are built by the same function.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TRANSFORMS_PIPELINES_H
#define MLC_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mlc {

/// What `mlc compile` runs on the IR before it lowers to .mlc: BatchNorm
/// folded into the conv before it, a QDQ model's weights into quantized
/// weights, then canonicalization (constants folded, dead ops gone).
void buildCompilePipeline(mlir::OpPassManager &pm);

/// `mlc check-flexible` as passes: shapes refined, then the proof reported as
/// diagnostics (dims and input as in nn-check-flexible; empty: defaults).
void buildCheckFlexiblePipeline(mlir::OpPassManager &pm,
                                llvm::ArrayRef<int64_t> dims = {},
                                llvm::StringRef input = "");

/// Registers mlc-merge-pipeline, mlc-check-flexible-pipeline,
/// mlc-compile-pipeline and mlc-quantize-pipeline.
void registerMLCPipelines();

} // namespace mlc

#endif // MLC_TRANSFORMS_PIPELINES_H
