//===- Pipelines.cpp - mlc's jobs as named pass pipelines -----------------===//

#include "mlc/Transforms/Pipelines.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace mlc {

void buildCompilePipeline(OpPassManager &pm) {
  pm.addPass(createFoldBatchNormPass());
  pm.addPass(createSplitConvOverConcatPass());
  // A QDQ model's int8 weights are stored as they are (8-bit linear).
  pm.addPass(createFoldQDQPass());
  pm.addPass(createCanonicalizerPass());
}

void buildCheckFlexiblePipeline(OpPassManager &pm, ArrayRef<int64_t> dims,
                                StringRef input) {
  pm.addPass(createInferShapesPass());
  CheckFlexiblePassOptions options;
  options.dims = dims; // copied into the pass
  options.input = input.str();
  pm.addPass(createCheckFlexiblePass(options));
}

namespace {

struct CheckFlexiblePipelineOptions
    : PassPipelineOptions<CheckFlexiblePipelineOptions> {
  ListOption<int64_t> dims{
      *this, "dims",
      llvm::cl::desc(
          "Input dims to treat as free (default: the spatial ones)")};
  Option<std::string> input{*this, "input",
                            llvm::cl::desc("The input whose dims are free")};
};

struct MergePipelineOptions : PassPipelineOptions<MergePipelineOptions> {
  Option<std::string> shapes{
      *this, "shapes",
      llvm::cl::desc("The sizes to take, as mlc merge --shapes (default: the "
                     "exports' own)")};
  Option<std::string> input{*this, "input",
                            llvm::cl::desc("The input the sizes are for")};
};

// The options of `mlc quantize` that choose the encoding (the pass's own,
// under the same names).
struct QuantizePipelineOptions : PassPipelineOptions<QuantizePipelineOptions> {
  Option<std::string> mode{*this, "mode", llvm::cl::desc("fp16, linear or kmeans"),
                           llvm::cl::init("linear")};
  Option<int> bits{*this, "bits", llvm::cl::desc("Bits per value"),
                   llvm::cl::init(8)};
  Option<std::string> granularity{
      *this, "granularity",
      llvm::cl::desc("Linear: per-channel or per-tensor scales"),
      llvm::cl::init("per-channel")};
  Option<int64_t> groupChannels{
      *this, "group-channels",
      llvm::cl::desc("k-means: output channels per lookup table (0: one per tensor)"),
      llvm::cl::init(0)};
  Option<int64_t> minSize{*this, "min-size",
                          llvm::cl::desc("Weights under this many bytes stay float"),
                          llvm::cl::init(4096)};
};

} // namespace

void registerMLCPipelines() {
  PassPipelineRegistration<MergePipelineOptions>(
      "mlc-merge-pipeline",
      "`mlc merge` on the module's functions (one export each): "
      "nn-merge-exports",
      [](OpPassManager &pm, const MergePipelineOptions &options) {
        MergeExportsPassOptions merge;
        merge.shapes = options.shapes;
        merge.input = options.input;
        pm.addPass(createMergeExportsPass(merge));
      });
  PassPipelineRegistration<>(
      "mlc-compile-pipeline",
      "What `mlc compile` runs on the IR before lowering to .mlc: "
      "nn-fold-batch-norm, nn-split-conv-over-concat, nn-fold-qdq, "
      "canonicalize",
      buildCompilePipeline);
  PassPipelineRegistration<CheckFlexiblePipelineOptions>(
      "mlc-check-flexible-pipeline",
      "`mlc check-flexible` as passes: nn-infer-shapes, nn-check-flexible",
      [](OpPassManager &pm, const CheckFlexiblePipelineOptions &options) {
        buildCheckFlexiblePipeline(pm, options.dims, options.input);
      });
  PassPipelineRegistration<QuantizePipelineOptions>(
      "mlc-quantize-pipeline",
      "`mlc quantize`'s IR steps: nn-fold-batch-norm, nn-fold-qdq, "
      "nn-quantize-weights",
      [](OpPassManager &pm, const QuantizePipelineOptions &options) {
        pm.addPass(createFoldBatchNormPass());
        pm.addPass(createFoldQDQPass());
        QuantizeWeightsPassOptions quantize;
        quantize.mode = options.mode;
        quantize.bits = options.bits;
        quantize.granularity = options.granularity;
        quantize.groupChannels = options.groupChannels;
        quantize.minSize = options.minSize;
        pm.addPass(createQuantizeWeightsPass(quantize));
      });
}

} // namespace mlc
