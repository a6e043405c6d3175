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

def CheckFlexiblePass : Pass<"nn-check-flexible", "::mlir::ModuleOp"> {
  let summary = "Prove that the network accepts other input sizes, or name what stops it";
  let description = [{
    Makes the chosen input dims free (by default the spatial dims of the
    inputs of the largest rank: H and W of NCHW or NHWC, D, H and W of
    NCDHW) and propagates them through the graph as symbols.
    Emits a warning at each op that blocks other sizes (the reason and a
    fix) and at each op whose shape operand holds a size baked in at
    export, and a remark at the function with the verdict, each output's
    shape as a formula of the free dims, and the sizes that work. The IR is
    left unchanged. The same analysis backs `mlc check-flexible`.
  }];
  let options = [
    ListOption<"dims", "dims", "int64_t",
               "Input dims to treat as free (default: the spatial ones)">,
    Option<"input", "input", "std::string", /*default=*/"",
           "The input whose dims are free (default: every input of high "
           "enough rank)">,
  ];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

def MergeExportsPass : Pass<"nn-merge-exports", "::mlir::ModuleOp"> {
  let summary = "Merge the module's functions, exports of one network at several sizes, into one @main";
  let description = [{
    What `mlc merge` does to files, done to functions: each function of the
    module is one export of the network at one input size (`mlc import
    a.onnx b.onnx -o exports.mlirbc` writes one per file, weights stored
    once), and they become one `@main` whose input takes every size (or the
    range `shapes` gives), with the constants that were derived from the size
    turned into computations on shapes. Fails, naming the functions and the
    ops, when they are not one network or a size is one the network cannot
    take. See docs/merge.md.
  }];
  let options = [
    Option<"shapes", "shapes", "std::string", /*default=*/"",
           "The sizes to take, as mlc merge --shapes (default: the exports' own)">,
    Option<"input", "input", "std::string", /*default=*/"",
           "The input the sizes are for (default: the one whose size varies)">,
  ];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

def FoldBatchNormPass : Pass<"nn-fold-batch-norm", "::mlir::ModuleOp"> {
  let summary = "Fold an inference BatchNormalization into the convolution before it";
  let description = [{
    `batch_norm(conv(x, w, b))` with constant float32 weights becomes
    `conv(x, w', b')` where, per output channel m,
    `s = scale[m] / sqrt(variance[m] + epsilon)`, `w'[m] = w[m] * s` and
    `b'[m] = (b[m] - mean[m]) * s + bias[m]`. The convolution's result must
    have no other user. The new weights are resource blobs; the old ones go
    when nothing else uses them.
  }];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

def SplitConvOverConcatPass : Pass<"nn-split-conv-over-concat", "::mlir::ModuleOp"> {
  let summary = "Convolve a channel concatenation's parts instead of copying them together";
  let description = [{
    A convolution is linear in its input channels: `conv(concat(a, b), w)`
    along the channels is `conv(a, w_a) + conv(b, w_b)`, where `w_a` and
    `w_b` are `w`'s input channels of each part (the bias goes with the
    first). Where every user of a `concat` along dim 1 is such a `conv`
    (group 1, constant float32 weights), each becomes one conv per part,
    each adding the convs before it (which the lowering fuses as a
    residual), and the concat goes: the parts are never copied into one
    tensor (SqueezeNet's fire modules, DeepLabV3's ASPP projection). Concats
    with any other user stay. A pool (per channel) of a concat that nothing
    else reads pools each part, and the concat joins the pooled parts (or
    goes, when convs read it).
  }];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

def QuantizeWeightsPass : Pass<"nn-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Store float weights in fewer bits: fp16, linear or k-means palettized";
  let description = [{
    Replaces each float32 weight (a constant of rank 2 or more and at least
    `min-size` bytes; vectors such as biases and norm parameters stay float)
    by an `nn.quantized_constant`: fp16; linear with a scale per output
    channel (or per tensor), symmetric or not, 2 to 8 bits; or a k-means
    lookup table of 2^bits values per tensor or per group of output
    channels, deterministic. The output channel axis follows the op that
    uses the weight (0 for convolutions, 1 for transposed ones and for
    Gemm's untransposed B). `mlc quantize` runs it and reports the cost.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"linear\"",
           "fp16, linear or kmeans">,
    Option<"bits", "bits", "int", /*default=*/"8", "Bits per value">,
    Option<"granularity", "granularity", "std::string",
           /*default=*/"\"per-channel\"", "Linear: per-channel or per-tensor">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Linear: zero points of 0">,
    Option<"groupChannels", "group-channels", "int64_t", /*default=*/"0",
           "k-means: output channels per lookup table (0: per tensor)">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"4096",
           "Weights under this many bytes stay float">,
    ListOption<"skip", "skip", "std::string", "Nodes whose weights stay float">,
  ];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

def FoldQDQPass : Pass<"nn-fold-qdq", "::mlir::ModuleOp"> {
  let summary = "Fold a QDQ model's dequantized integer weights into quantized weights";
  let description = [{
    A DequantizeLinear of a constant int8 or uint8 weight (with constant
    scales and zero points, per tensor or per axis) becomes the
    `nn.quantized_constant` linear 8-bit weight it describes, stored as the
    model gave it. QuantizeLinear/DequantizeLinear pairs on activations stay
    as exact quantize-dequantize steps, or are removed with
    `drop-activation-qdq` (the model then computes in float).
  }];
  let options = [
    Option<"dropActivationQDQ", "drop-activation-qdq", "bool",
           /*default=*/"false", "Remove the activations' Q/DQ pairs">,
  ];
  let dependentDialects = ["::mlc::nn::NNDialect"];
}

#endif // MLC_TRANSFORMS_PASSES_TD
