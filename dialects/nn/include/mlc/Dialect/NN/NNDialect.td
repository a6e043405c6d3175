//===- NNDialect.td - The nn dialect -----------------------*- tablegen -*-===//
//
// The nn dialect: the ONNX operators that convolutional networks use, with
// one meaning per op regardless of the ONNX opset the model came from.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_NNDIALECT_TD
#define MLC_DIALECT_NN_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlc::nn";
  let summary = "Neural network operators, as ONNX defines them for CNNs";
  let description = [{
    Each op is one ONNX operator (or a family of alike operators under a
    `kind`), normalized to a single form whatever opset the model used: where
    ONNX turned an attribute into an input across versions (Clip bounds,
    Squeeze and Unsqueeze axes, Pad amounts, Resize scales and sizes, Slice
    bounds, Split sizes, Reduce axes), the op takes the operand. Tensor types
    use `?` for dims that are not known; every op computes its result type
    from its operands (see `ShapeInferenceOpInterface`). Operators that nn does
    not know import as `nn.custom`, so nothing in a model is lost. The
    semantics are written down in dialects/nn/spec.md.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    // Attributes of a graph, as a func.func and its module. A function's
    // arguments and results carry their ONNX names, and the names of their
    // symbolic dims ("" where a dim has none).
    static constexpr ::llvm::StringLiteral kNameAttr = "nn.name";
    static constexpr ::llvm::StringLiteral kDimParamsAttr = "nn.dim_params";
    // The module keeps what the ONNX model said of itself: the opset of each
    // domain ("ai.onnx" for the default one), its producer and metadata.
    static constexpr ::llvm::StringLiteral kOpsetImportsAttr = "nn.opset_imports";
    static constexpr ::llvm::StringLiteral kProducerNameAttr = "nn.producer_name";
    static constexpr ::llvm::StringLiteral kProducerVersionAttr = "nn.producer_version";
    static constexpr ::llvm::StringLiteral kModelMetadataAttr = "nn.metadata";
    static constexpr ::llvm::StringLiteral kGraphNameAttr = "nn.graph_name";
    // The shapes a graph input accepts (a ShapeSetAttr), and the key of the
    // ONNX metadata entry that carries them.
    static constexpr ::llvm::StringLiteral kShapesAttr = "nn.shapes";
    static constexpr ::llvm::StringLiteral kShapesMetadataKey = "mlc.shapes";
  }];
}

#endif // MLC_DIALECT_NN_NNDIALECT_TD
