//===- NNOps.td - Operations of the nn dialect -------------*- tablegen -*-===//
//
// One op per ONNX operator, or per family of alike operators under a `kind`.
// Attribute names follow ONNX (in snake_case); an empty array attribute
// means ONNX's default (strides and dilations of 1, pads of 0). The meaning
// of each op is written down in dialects/nn/spec.md.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_NNOPS_TD
#define MLC_DIALECT_NN_NNOPS_TD

include "mlc/Dialect/NN/NNDialect.td"
include "mlc/Dialect/NN/NNAttributes.td"
include "mlc/Dialect/NN/NNInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Every nn op but nn.custom is pure and infers its result types.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<NN_ShapeInferenceOpInterface>])>;

def I64Array : DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">;

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

def NN_ConvOp : NN_Op<"conv"> {
  let summary = "N-d convolution (ONNX Conv)";
  let description = [{
    Input `N x C x D1 x ... x Dn`, weight `M x C/group x k1 x ... x kn`,
    optional bias `M`; the result is `N x M x O1 x ... x On` with
    `Oi = floor((Di + pad_begin + pad_end - dilation * (ki - 1) - 1) / stride) + 1`,
    or `ceil(Di / stride)` under `auto_pad` same_upper / same_lower.

    ```mlir
    %y = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>}
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$weight,
      Optional<AnyTensor>:$bias, I64Array:$strides, I64Array:$pads,
      I64Array:$dilations, I64Array:$kernel_shape,
      DefaultValuedAttr<I64Attr, "1">:$group,
      DefaultValuedAttr<NN_AutoPadAttr, "AutoPad::notset">:$auto_pad);
  // A zero Pad before it becomes its own padding.
  let hasCanonicalizer = 1;
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ConvTransposeOp : NN_Op<"conv_transpose"> {
  let summary = "N-d transposed convolution (ONNX ConvTranspose)";
  let description = [{
    Input `N x C x D1 x ... x Dn`, weight `C x M/group x k1 x ... x kn`,
    optional bias `M`. Each output dim is
    `stride * (Di - 1) + output_padding + (ki - 1) * dilation + 1 - pad_begin - pad_end`,
    or `output_shape` when given (the pads then follow from it).

    ```mlir
    %y = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>}
        : (tensor<1x8x16x16xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x32x32xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$weight,
      Optional<AnyTensor>:$bias, I64Array:$strides, I64Array:$pads,
      I64Array:$dilations, I64Array:$kernel_shape, I64Array:$output_padding,
      I64Array:$output_shape, DefaultValuedAttr<I64Attr, "1">:$group,
      DefaultValuedAttr<NN_AutoPadAttr, "AutoPad::notset">:$auto_pad);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def NN_PoolOp : NN_Op<"pool"> {
  let summary = "Windowed max or average pooling (ONNX MaxPool, AveragePool)";
  let description = [{
    Output dims as for `nn.conv` with the kernel `kernel_shape`; with
    `ceil_mode` the division rounds up, but a window may not start in the
    end padding. Average pooling divides by the window's size inside the
    input, or by the whole window with `count_include_pad`. Dilations widen
    the window of both kinds (AveragePool has them since opset 19).

    ```mlir
    %y = nn.pool max %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_PoolKindAttr:$kind, AnyTensor:$input,
      DenseI64ArrayAttr:$kernel_shape, I64Array:$strides, I64Array:$pads,
      I64Array:$dilations, DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
      DefaultValuedAttr<NN_AutoPadAttr, "AutoPad::notset">:$auto_pad);
  // A zero Pad before an average pool becomes its padding, counted.
  let hasCanonicalizer = 1;
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` functional-type(operands, results)
  }];
}

def NN_GlobalPoolOp : NN_Op<"global_pool"> {
  let summary = "Max or average over all spatial dims (ONNX GlobalMaxPool, GlobalAveragePool)";
  let description = [{
    `N x C x D1 x ... x Dn` to `N x C x 1 x ... x 1`.

    ```mlir
    %y = nn.global_pool average %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins NN_PoolKindAttr:$kind, AnyTensor:$input);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_Op<"batch_norm"> {
  let summary = "Batch normalization at inference (ONNX BatchNormalization)";
  let description = [{
    `y = scale * (x - mean) / sqrt(variance + epsilon) + bias`, per channel
    (dim 1). Only the inference form: a training-mode node imports as
    `nn.custom`.

    ```mlir
    %y = nn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale, AnyTensor:$bias,
      AnyTensor:$mean, AnyTensor:$variance,
      DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
}

def NN_InstanceNormOp : NN_Op<"instance_norm"> {
  let summary = "Instance normalization (ONNX InstanceNormalization)";
  let description = [{
    Normalizes each (sample, channel) over its spatial dims, then applies
    the per-channel `scale` and `bias`.

    ```mlir
    %y = nn.instance_norm %x, %scale, %bias {epsilon = 1.0e-05 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale, AnyTensor:$bias,
      DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def NN_UnaryOp : NN_Op<"unary"> {
  let summary = "Elementwise function of one tensor (ONNX Relu, Sigmoid, Tanh, LeakyRelu, HardSigmoid, HardSwish, ...)";
  let description = [{
    The kinds with parameters carry them, and only they: `leaky_relu`
    (`alpha`), `elu` (`alpha`), `hard_sigmoid` (`alpha`, `beta`).

    ```mlir
    %y = nn.unary leaky_relu %x {alpha = 1.0e-01 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins NN_UnaryKindAttr:$kind, AnyTensor:$input,
      OptionalAttr<F32Attr>:$alpha, OptionalAttr<F32Attr>:$beta);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// Whether `kind` takes the `alpha` and the `beta` parameter.
    static bool takesAlpha(UnaryKind kind);
    static bool takesBeta(UnaryKind kind);
  }];
}

def NN_BinaryOp : NN_Op<"binary"> {
  let summary = "Elementwise function of two tensors, broadcast (ONNX Add, Sub, Mul, Div, Pow, Max, Min, Mod)";
  let description = [{
    Multidirectional (numpy) broadcasting. Integer division truncates, as
    in ONNX; shape computations use it. `mod` takes the divisor's sign
    (ONNX Mod, fmod = 0), `fmod` the dividend's (fmod = 1).

    ```mlir
    %y = nn.binary add %a, %b : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_BinaryKindAttr:$kind, AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_CompareOp : NN_Op<"compare"> {
  let summary = "Elementwise comparison of two tensors, broadcast (ONNX Equal, Less, LessOrEqual, Greater, GreaterOrEqual)";
  let description = [{
    Multidirectional (numpy) broadcasting; both operands have one element
    type, the result is `i1`. Shape computations use it (torch's
    `expand(n, -1)` compares the sizes with -1).

    ```mlir
    %m = nn.compare equal %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
    ```
  }];
  let arguments = (ins NN_CompareKindAttr:$kind, AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_NotOp : NN_Op<"not"> {
  let summary = "Elementwise logical negation of an i1 tensor (ONNX Not)";
  let description = [{
    ```mlir
    %n = nn.not %m : (tensor<3xi1>) -> tensor<3xi1>
    ```
  }];
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_WhereOp : NN_Op<"where"> {
  let summary = "Elementwise choice between two tensors by an i1 tensor, broadcast (ONNX Where)";
  let description = [{
    `y = condition ? x : other`, the three broadcast together (numpy);
    `x` and `other` have one element type, the result's.

    ```mlir
    %y = nn.where %m, %a, %b : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$condition, AnyTensor:$x, AnyTensor:$other);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $condition `,` $x `,` $other attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ClipOp : NN_Op<"clip", [AttrSizedOperandSegments]> {
  let summary = "Clamp to [min, max] (ONNX Clip)";
  let description = [{
    `min` and `max` are optional scalars; a missing one does not bound.

    ```mlir
    %y = nn.clip %x min(%zero) max(%six)
        : (tensor<1x32x112x112xf32>, tensor<f32>, tensor<f32>) -> tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$min,
      Optional<AnyTensor>:$max);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input (`min` `(` $min^ `)`)? (`max` `(` $max^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_PReluOp : NN_Op<"prelu"> {
  let summary = "Leaky ReLU with a learned slope (ONNX PRelu)";
  let description = [{
    `y = x < 0 ? slope * x : x`, with `slope` broadcast to `x`.

    ```mlir
    %y = nn.prelu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$slope);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $slope attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SoftmaxOp : NN_Op<"softmax"> {
  let summary = "Softmax along one axis (ONNX Softmax, opset 13 meaning)";
  let description = [{
    The importer rewrites the 2-D-coerced Softmax of opsets before 13.

    ```mlir
    %y = nn.softmax %x {axis = 1 : i64} : (tensor<1x1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Linear algebra and reduction
//===----------------------------------------------------------------------===//

def NN_GemmOp : NN_Op<"gemm"> {
  let summary = "General matrix multiply (ONNX Gemm)";
  let description = [{
    `y = alpha * op(a) * op(b) + beta * c` where `op` transposes when asked
    and `c` broadcasts to `M x N`.

    ```mlir
    %y = nn.gemm %x, %w, %b {trans_b = true}
        : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$a, AnyTensor:$b, Optional<AnyTensor>:$c,
      DefaultValuedAttr<F32Attr, "1.0">:$alpha,
      DefaultValuedAttr<F32Attr, "1.0">:$beta,
      DefaultValuedAttr<BoolAttr, "false">:$trans_a,
      DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_MatMulOp : NN_Op<"matmul"> {
  let summary = "Matrix product with numpy semantics (ONNX MatMul)";
  let description = [{
    ```mlir
    %y = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ReduceOp : NN_Op<"reduce"> {
  let summary = "Reduction over axes (ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd)";
  let description = [{
    Without `axes` every axis is reduced, unless `noop_with_empty_axes`.

    ```mlir
    %y = nn.reduce mean %x axes(%axes) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins NN_ReduceKindAttr:$kind, AnyTensor:$input,
      Optional<AnyTensor>:$axes,
      DefaultValuedAttr<BoolAttr, "true">:$keepdims,
      DefaultValuedAttr<BoolAttr, "false">:$noop_with_empty_axes);
  // A mean or max over every spatial dim becomes a global pool.
  let hasCanonicalizer = 1;
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $kind $input (`axes` `(` $axes^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Resampling and layout
//===----------------------------------------------------------------------===//

def NN_ResizeOp : NN_Op<"resize", [AttrSizedOperandSegments]> {
  let summary = "Resize by scales or to sizes (ONNX Resize, Upsample)";
  let description = [{
    Exactly one of `scales` (float, one per dim, or per `axes`) and `sizes`
    (int64) is given; `roi` only matters for `tf_crop_and_resize`. Output dim
    `i` is `floor(D_i * scale_i)` or `sizes_i` (adjusted by
    `keep_aspect_ratio_policy`). Upsample imports as Resize with
    `asymmetric` coordinates and `floor` rounding, which is what it meant.

    ```mlir
    %y = nn.resize %x scales(%s) {mode = #nn<resize_mode linear>}
        : (tensor<1x21x28x28xf32>, tensor<4xf32>) -> tensor<1x21x224x224xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$roi,
      Optional<AnyTensor>:$scales, Optional<AnyTensor>:$sizes,
      DefaultValuedAttr<NN_ResizeModeAttr, "ResizeMode::nearest">:$mode,
      DefaultValuedAttr<NN_CoordinateTransformAttr,
          "CoordinateTransform::half_pixel">:$coordinate_transformation_mode,
      DefaultValuedAttr<NN_NearestModeAttr,
          "NearestMode::round_prefer_floor">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
      DefaultValuedAttr<BoolAttr, "false">:$antialias, I64Array:$axes,
      DefaultValuedAttr<NN_AspectRatioPolicyAttr,
          "AspectRatioPolicy::stretch">:$keep_aspect_ratio_policy);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input (`roi` `(` $roi^ `)`)? (`scales` `(` $scales^ `)`)? (`sizes` `(` $sizes^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_DepthToSpaceOp : NN_Op<"depth_to_space"> {
  let summary = "Move channels into spatial blocks (ONNX DepthToSpace)";
  let description = [{
    `N x C x H x W` to `N x C/b^2 x H*b x W*b`, in DCR or CRD order.

    ```mlir
    %y = nn.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x16x8x8xf32>) -> tensor<1x4x16x16xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$blocksize,
      DefaultValuedAttr<NN_DepthToSpaceModeAttr, "DepthToSpaceMode::dcr">:$mode);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SpaceToDepthOp : NN_Op<"space_to_depth"> {
  let summary = "Move spatial blocks into channels (ONNX SpaceToDepth)";
  let description = [{
    `N x C x H x W` to `N x C*b^2 x H/b x W/b`.

    ```mlir
    %y = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x4x16x16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$blocksize);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def NN_PadOp : NN_Op<"pad", [AttrSizedOperandSegments]> {
  let summary = "Pad with a constant or by reflecting, extending or wrapping the edge (ONNX Pad)";
  let description = [{
    `pads` is int64 `[begin_0, ..., begin_k, end_0, ..., end_k]` over all
    dims or over `axes`; negative amounts crop.

    ```mlir
    %y = nn.pad %x, %pads value(%zero) {mode = #nn<pad_mode reflect>}
        : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$pads,
      Optional<AnyTensor>:$constant_value, Optional<AnyTensor>:$axes,
      DefaultValuedAttr<NN_PadModeAttr, "PadMode::constant">:$mode);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $pads (`value` `(` $constant_value^ `)`)? (`axes` `(` $axes^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ReshapeOp : NN_Op<"reshape"> {
  let summary = "Reshape to a computed shape (ONNX Reshape)";
  let description = [{
    In `shape`, 0 copies the input's dim (unless `allowzero`) and -1 takes
    what is left.

    ```mlir
    %y = nn.reshape %x, %shape : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$shape,
      DefaultValuedAttr<BoolAttr, "false">:$allowzero);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_FlattenOp : NN_Op<"flatten"> {
  let summary = "Collapse to 2-D at an axis (ONNX Flatten)";
  let description = [{
    ```mlir
    %y = nn.flatten %x {axis = 1 : i64} : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def NN_TransposeOp : NN_Op<"transpose"> {
  let summary = "Permute dims (ONNX Transpose)";
  let description = [{
    Without `perm`, the dims are reversed.

    ```mlir
    %y = nn.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_SqueezeOp : NN_Op<"squeeze"> {
  let summary = "Remove dims of size 1 (ONNX Squeeze)";
  let description = [{
    Without `axes`, every dim of size 1 is removed.

    ```mlir
    %y = nn.squeeze %x axes(%axes) : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$axes);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input (`axes` `(` $axes^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_UnsqueezeOp : NN_Op<"unsqueeze"> {
  let summary = "Insert dims of size 1 (ONNX Unsqueeze)";
  let description = [{
    ```mlir
    %y = nn.unsqueeze %x, %axes : (tensor<2xi64>, tensor<1xi64>) -> tensor<1x2xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$axes);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ConcatOp : NN_Op<"concat"> {
  let summary = "Join tensors along an axis (ONNX Concat)";
  let description = [{
    ```mlir
    %y = nn.concat %a, %b {axis = 1 : i64}
        : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_SplitOp : NN_Op<"split"> {
  let summary = "Split a tensor along an axis (ONNX Split)";
  let description = [{
    Into the sizes given by `split`, or into as many equal parts as there
    are results (the last one smaller when the dim does not divide).

    ```mlir
    %a, %b = nn.split %x {axis = 1 : i64} : (tensor<1x64x8x8xf32>) -> (tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>)
    ```
  }];
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$split,
      DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let assemblyFormat = [{
    $input (`sizes` `(` $split^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Shape computations
//===----------------------------------------------------------------------===//

def NN_ShapeOp : NN_Op<"shape"> {
  let summary = "The shape of a tensor, as int64 (ONNX Shape)";
  let description = [{
    Dims `[start, end)` of the input's shape; negative bounds count from
    the end. Folds to a constant when those dims are known.

    ```mlir
    %s = nn.shape %x : (tensor<1x3x?x?xf32>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$input,
      DefaultValuedAttr<I64Attr, "0">:$start, OptionalAttr<I64Attr>:$end);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_GatherOp : NN_Op<"gather"> {
  let summary = "Take entries along an axis (ONNX Gather)";
  let description = [{
    ```mlir
    %d = nn.gather %shape, %idx {axis = 0 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices,
      DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_SliceOp : NN_Op<"slice", [AttrSizedOperandSegments]> {
  let summary = "Strided slice (ONNX Slice)";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are int64 vectors of one length;
    bounds clamp to the dim as in ONNX.

    ```mlir
    %y = nn.slice %x, %starts, %ends axes(%axes)
        : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$starts, AnyTensor:$ends,
      Optional<AnyTensor>:$axes, Optional<AnyTensor>:$steps);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends (`axes` `(` $axes^ `)`)? (`steps` `(` $steps^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_CastOp : NN_Op<"cast"> {
  let summary = "Convert the element type (ONNX Cast)";
  let description = [{
    The target type is the result's element type.

    ```mlir
    %y = nn.cast %x : (tensor<2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ConstantOp : NN_Op<"constant", [ConstantLike,
    AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor: a weight or a value (ONNX Constant, initializers)";
  let description = [{
    Weights hold their bytes in a resource blob (`dense_resource`), stored
    once however many constants share them; small values are `dense`.

    ```mlir
    %w = nn.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    %s = nn.constant dense<[1, 512]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def NN_ConstantOfShapeOp : NN_Op<"constant_of_shape"> {
  let summary = "A tensor of a computed shape filled with one value (ONNX ConstantOfShape)";
  let description = [{
    The fill value defaults to a float 0.

    ```mlir
    %z = nn.constant_of_shape %shape {value = dense<1> : tensor<1xi64>} : (tensor<1xi64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$shape, OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_RangeOp : NN_Op<"range"> {
  let summary = "The numbers from start up to limit by delta (ONNX Range)";
  let description = [{
    Three scalars of one element type; the result has
    `max(ceil((limit - start) / delta), 0)` entries `start + i * delta`.
    Its size must be known when the model is compiled (from constants or the
    input's size).

    ```mlir
    %r = nn.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<7xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$start, AnyTensor:$limit, AnyTensor:$delta);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ScatterNDOp : NN_Op<"scatter_nd"> {
  let summary = "A copy of data with slices replaced at computed indices (ONNX ScatterND, no reduction)";
  let description = [{
    `indices` (int64, shape `[.., k]`) names slices of `data` by their first
    `k` indices (negative ones count from the end); `updates` (shape
    `indices.shape[:-1] + data.shape[k:]`) holds them. Later updates of one
    slice win. torch exports an assignment to a slice of a tensor
    (`mask[h0:h1, w0:w1] = n`, Swin's attention masks) this way.

    ```mlir
    %y = nn.scatter_nd %data, %indices, %updates : (tensor<4x4xf32>, tensor<2x2x2xi64>, tensor<2x2xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$data, AnyTensor:$indices, AnyTensor:$updates);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ExpandOp : NN_Op<"expand"> {
  let summary = "Broadcast to a computed shape (ONNX Expand)";
  let description = [{
    ```mlir
    %y = nn.expand %x, %shape : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$shape);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def NN_QuantizeLinearOp : NN_Op<"quantize_linear"> {
  let summary = "Float to integer by scale and zero point (ONNX QuantizeLinear)";
  let description = [{
    `y = saturate(round(x / scale) + zero_point)`, per tensor or per slice
    along `axis` (or per block of `block_size`). The result's element type
    is the zero point's.

    ```mlir
    %q = nn.quantize_linear %x, %scale, %zp : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
      Optional<AnyTensor>:$zero_point, DefaultValuedAttr<I64Attr, "1">:$axis,
      DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_DequantizeLinearOp : NN_Op<"dequantize_linear"> {
  let summary = "Integer to float by scale and zero point (ONNX DequantizeLinear)";
  let description = [{
    `y = (x - zero_point) * scale`; the result's element type is the
    scale's.

    ```mlir
    %w = nn.dequantize_linear %q, %scale, %zp {axis = 0 : i64}
        : (tensor<64x3x3x3xi8>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x3x3x3xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
      Optional<AnyTensor>:$zero_point, DefaultValuedAttr<I64Attr, "1">:$axis,
      DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_QuantizedConstantOp : NN_Op<"quantized_constant"> {
  let summary = "A float weight stored in fewer bits: fp16, linear or palettized";
  let description = [{
    The float32 tensor that `data` (bytes, `tensor<Nxui8>`) encodes:

    - `fp16`: IEEE half floats.
    - `linear`: `value = (q - zero_points[c]) * scales[c]`, `c` the index
      along `axis` (one scale: per tensor), `q` integers of `bits` bits
      (1 to 8), two's complement when `signed_values`.
    - `palette`: `value = lut[g * 2^bits + index]`, `g` the group of
      `group_channels` channels along `axis` (0: one group), `index` of
      `bits` bits.

    Values are packed low bits first in row-major order. `mlc quantize`
    (the `nn-quantize-weights` pass) and `nn-fold-qdq` make them; the .mlc
    file stores them as they are and the runtime decodes them at load.

    ```mlir
    %w = nn.quantized_constant linear {bits = 8 : i64, signed_values = true,
        scales = array<f32: 0.01, 0.02>} dense_resource<conv1.weight> : tensor<2x3x3x3xf32>
    ```
  }];
  let arguments = (ins NN_WeightEncodingAttr:$encoding, ElementsAttr:$data,
      DefaultValuedAttr<I64Attr, "0">:$bits,
      DefaultValuedAttr<I64Attr, "0">:$axis,
      DefaultValuedAttr<BoolAttr, "false">:$signed_values,
      OptionalAttr<DenseF32ArrayAttr>:$scales,
      OptionalAttr<DenseI32ArrayAttr>:$zero_points,
      OptionalAttr<DenseF32ArrayAttr>:$lut,
      DefaultValuedAttr<I64Attr, "0">:$group_channels);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    `` $encoding attr-dict $data `:` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The float32 values it stands for; nullopt when its bytes are not
    /// readable (a resource blob missing).
    std::optional<std::vector<float>> decode();
  }];
}

//===----------------------------------------------------------------------===//
// Operators nn does not know
//===----------------------------------------------------------------------===//

def NN_CustomOp : Op<NN_Dialect, "custom",
    [DeclareOpInterfaceMethods<NN_ShapeInferenceOpInterface>]> {
  let summary = "An operator nn does not know, kept whole";
  let description = [{
    Keeps the ONNX node's domain, op type, attributes (in `node_attributes`,
    ONNX names and types: i64, f32, string, tensor, and arrays of them),
    operands and results. It is never removed as dead: it may have effects
    nn cannot see. Its shape behaviour is unknown to nn (its result types are
    what the model declared) unless the node declares a rule in its string
    attribute `mlc_shape_rule`:

    - `same`: every result has operand 0's shape;
    - `fixed`: the results keep their declared (static) shapes whatever the
      input's size (a classifier's scores);
    - `scale_spatial:K`: operand 0's shape with dims 2.. multiplied by K;
    - `divide_spatial:K`: operand 0's shape with dims 2.. divided by K,
      rounding down.

    The element types stay the declared ones.

    ```mlir
    %y = nn.custom "Swish"(%x) {domain = "com.example", node_attributes = {beta = 1.0 : f32}}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs, StrAttr:$op_type,
      DefaultValuedStrAttr<StrAttr, "">:$domain,
      DefaultValuedAttr<DictionaryAttr, "{}">:$node_attributes);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let assemblyFormat = [{
    $op_type `(` $inputs `)` attr-dict `:` functional-type($inputs, results)
  }];
}

#endif // MLC_DIALECT_NN_NNOPS_TD
