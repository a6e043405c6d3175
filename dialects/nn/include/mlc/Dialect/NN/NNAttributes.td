//===- NNAttributes.td - Enums and attributes of nn --------*- tablegen -*-===//

#ifndef MLC_DIALECT_NN_NNATTRIBUTES_TD
#define MLC_DIALECT_NN_NNATTRIBUTES_TD

include "mlc/Dialect/NN/NNDialect.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/AttrTypeBase.td"

class NN_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlc::nn";
  let genSpecializedAttr = 0;
}

class NN_EnumAttr<EnumAttrInfo enumInfo, string mnemonic>
    : EnumAttr<NN_Dialect, enumInfo, mnemonic> {
  // A bare keyword in op syntax (`nn.unary relu %x`); `#nn<auto_pad valid>`
  // in an attribute dictionary.
  let assemblyFormat = "$value";
}

def NN_UnaryKind : NN_Enum<"UnaryKind", "elementwise function of one tensor", [
  I32EnumAttrCase<"relu", 0>, I32EnumAttrCase<"leaky_relu", 1>,
  I32EnumAttrCase<"sigmoid", 2>, I32EnumAttrCase<"tanh", 3>,
  I32EnumAttrCase<"hard_sigmoid", 4>, I32EnumAttrCase<"hard_swish", 5>,
  I32EnumAttrCase<"elu", 6>, I32EnumAttrCase<"softplus", 7>,
  I32EnumAttrCase<"exp", 8>, I32EnumAttrCase<"log", 9>,
  I32EnumAttrCase<"sqrt", 10>, I32EnumAttrCase<"erf", 11>,
  I32EnumAttrCase<"abs", 12>, I32EnumAttrCase<"neg", 13>,
  I32EnumAttrCase<"floor", 14>, I32EnumAttrCase<"ceil", 15>,
  I32EnumAttrCase<"reciprocal", 16>]>;
def NN_UnaryKindAttr : NN_EnumAttr<NN_UnaryKind, "unary">;

def NN_BinaryKind : NN_Enum<"BinaryKind", "elementwise function of two tensors", [
  I32EnumAttrCase<"add", 0>, I32EnumAttrCase<"sub", 1>,
  I32EnumAttrCase<"mul", 2>, I32EnumAttrCase<"div", 3>,
  I32EnumAttrCase<"pow", 4>, I32EnumAttrCase<"max", 5>,
  I32EnumAttrCase<"min", 6>, I32EnumAttrCase<"mod", 7>,
  I32EnumAttrCase<"fmod", 8>]>;
def NN_BinaryKindAttr : NN_EnumAttr<NN_BinaryKind, "binary">;

def NN_CompareKind : NN_Enum<"CompareKind", "comparison of two tensors", [
  I32EnumAttrCase<"equal", 0>, I32EnumAttrCase<"less", 1>,
  I32EnumAttrCase<"less_or_equal", 2>, I32EnumAttrCase<"greater", 3>,
  I32EnumAttrCase<"greater_or_equal", 4>]>;
def NN_CompareKindAttr : NN_EnumAttr<NN_CompareKind, "compare">;

def NN_PoolKind : NN_Enum<"PoolKind", "pooling function", [
  I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"average", 1>]>;
def NN_PoolKindAttr : NN_EnumAttr<NN_PoolKind, "pool">;

def NN_ReduceKind : NN_Enum<"ReduceKind", "reduction function", [
  I32EnumAttrCase<"mean", 0>, I32EnumAttrCase<"sum", 1>,
  I32EnumAttrCase<"max", 2>, I32EnumAttrCase<"min", 3>,
  I32EnumAttrCase<"prod", 4>]>;
def NN_ReduceKindAttr : NN_EnumAttr<NN_ReduceKind, "reduce">;

def NN_AutoPad : NN_Enum<"AutoPad", "how a window op pads its input", [
  I32EnumAttrCase<"notset", 0>, I32EnumAttrCase<"same_upper", 1>,
  I32EnumAttrCase<"same_lower", 2>, I32EnumAttrCase<"valid", 3>]>;
def NN_AutoPadAttr : NN_EnumAttr<NN_AutoPad, "auto_pad">;

def NN_PadMode : NN_Enum<"PadMode", "how Pad fills the border", [
  I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
  I32EnumAttrCase<"edge", 2>, I32EnumAttrCase<"wrap", 3>]>;
def NN_PadModeAttr : NN_EnumAttr<NN_PadMode, "pad_mode">;

def NN_ResizeMode : NN_Enum<"ResizeMode", "interpolation of Resize", [
  I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>,
  I32EnumAttrCase<"cubic", 2>]>;
def NN_ResizeModeAttr : NN_EnumAttr<NN_ResizeMode, "resize_mode">;

def NN_CoordinateTransform : NN_Enum<"CoordinateTransform",
    "how Resize maps output coordinates to input coordinates", [
  I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"pytorch_half_pixel", 1>,
  I32EnumAttrCase<"align_corners", 2>, I32EnumAttrCase<"asymmetric", 3>,
  I32EnumAttrCase<"tf_crop_and_resize", 4>,
  I32EnumAttrCase<"half_pixel_symmetric", 5>]>;
def NN_CoordinateTransformAttr
    : NN_EnumAttr<NN_CoordinateTransform, "coordinate_transform">;

def NN_NearestMode : NN_Enum<"NearestMode", "rounding of nearest Resize", [
  I32EnumAttrCase<"round_prefer_floor", 0>,
  I32EnumAttrCase<"round_prefer_ceil", 1>, I32EnumAttrCase<"floor", 2>,
  I32EnumAttrCase<"ceil", 3>]>;
def NN_NearestModeAttr : NN_EnumAttr<NN_NearestMode, "nearest_mode">;

def NN_AspectRatioPolicy : NN_Enum<"AspectRatioPolicy",
    "how Resize treats sizes that change the aspect ratio", [
  I32EnumAttrCase<"stretch", 0>, I32EnumAttrCase<"not_larger", 1>,
  I32EnumAttrCase<"not_smaller", 2>]>;
def NN_AspectRatioPolicyAttr
    : NN_EnumAttr<NN_AspectRatioPolicy, "aspect_ratio_policy">;

def NN_DepthToSpaceMode : NN_Enum<"DepthToSpaceMode",
    "channel order of DepthToSpace", [
  I32EnumAttrCase<"dcr", 0>, I32EnumAttrCase<"crd", 1>]>;
def NN_DepthToSpaceModeAttr
    : NN_EnumAttr<NN_DepthToSpaceMode, "depth_to_space_mode">;

def NN_WeightEncoding : NN_Enum<"WeightEncoding",
    "how a quantized constant stores its values", [
  I32EnumAttrCase<"fp16", 1>, I32EnumAttrCase<"linear", 2>,
  I32EnumAttrCase<"palette", 3>]>;
def NN_WeightEncodingAttr : NN_EnumAttr<NN_WeightEncoding, "weight_encoding">;

//===----------------------------------------------------------------------===//
// The shapes a graph input accepts
//===----------------------------------------------------------------------===//

def NN_ShapeSetAttr : AttrDef<NN_Dialect, "ShapeSet"> {
  let mnemonic = "shapes";
  let summary = "The shapes a graph input accepts: an enumeration, or a range per dim";
  let description = [{
    Carried by a graph input (a function argument, as `nn.shapes`): the
    shapes it accepts, part of the model. Its type has `?` where they vary.

    Enumerated, the first shape the default:

    ```mlir
    #nn.shapes<[1, 3, 224, 224], [1, 3, 448, 448]>
    ```

    Ranged: each dim a size, or `min to max` with an optional `step s` (the
    sizes min, min + s, ... up to max):

    ```mlir
    #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448 step 32]>
    ```

    A range may name shapes in it that a compiled model plans ahead (a merge
    names its exports' sizes): a session makes them ready when it is made,
    as it does an enumeration's, and other sizes take their choices.

    ```mlir
    #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448 step 32]
               planned [1, 3, 224, 224], [1, 3, 448, 448]>
    ```

    Dim 0 may take any size, `?` in every shape (or at both ends of its
    range): the batch of a model whose exports left it dynamic.

    ```mlir
    #nn.shapes<[?, 3, 224, 224], [?, 3, 448, 448]>
    ```

    In ONNX it is the model's metadata entry `mlc.shapes`, e.g.
    `image: 1x3x224x224, 1x3x448x448`, `image: ?x3x224x224, ?x3x448x448` or
    `image: 1x3x(224..448:32)x(224..448:32)` (with planned shapes,
    `image: 1x3x(224..448:32)x(224..448:32) planned 1x3x224x224, 1x3x448x448`).
  }];
  let parameters = (ins
    "bool":$range,
    // Enumerated: the shapes, in order. Ranged: the shapes planned ahead.
    ArrayRefParameter<"::mlir::DenseI64ArrayAttr">:$shapes,
    // Ranged: per dim, min, max and step (a fixed dim has min = max).
    OptionalArrayRefParameter<"int64_t">:$mins,
    OptionalArrayRefParameter<"int64_t">:$maxs,
    OptionalArrayRefParameter<"int64_t">:$steps
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<::llvm::SmallVector<int64_t>>":$shapes)>,
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$mins,
                     "::llvm::ArrayRef<int64_t>":$maxs,
                     "::llvm::ArrayRef<int64_t>":$steps,
                     CArg<"::llvm::ArrayRef<::llvm::SmallVector<int64_t>>",
                          "{}">:$planned)>,
  ];
  let extraClassDeclaration = [{
    int64_t getRank() const;
    /// Whether the input accepts `shape`.
    bool contains(::llvm::ArrayRef<int64_t> shape) const;
    /// The first enumerated shape, or each range's minimum; 1 where any
    /// size is taken.
    ::llvm::SmallVector<int64_t> getDefaultShape() const;
    /// The dims that vary, as `?` (the input's type).
    ::llvm::SmallVector<int64_t> getTypeShape() const;
    /// "1x3x224x224, 1x3x448x448" or "?x3x(224..448:32)x(224..448:32)".
    std::string toText() const;
    /// The inverse of toText; null (after `error`) when malformed.
    static ShapeSetAttr parseText(::mlir::MLIRContext *context,
                                  ::llvm::StringRef text,
                                  std::string &error);
  }];
}

#endif // MLC_DIALECT_NN_NNATTRIBUTES_TD
