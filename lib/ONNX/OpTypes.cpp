//===- OpTypes.cpp - The ONNX operator and node behind an nn op -----------===//

#include "mlc/ONNX/OpTypes.h"
#include "mlc/Dialect/NN/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlc::nn;

std::string mlc::onnx_types::getONNXOpType(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case([](ConvOp) { return "Conv"; })
      .Case([](ConvTransposeOp) { return "ConvTranspose"; })
      .Case([](PoolOp p) {
        return p.getKind() == PoolKind::max ? "MaxPool" : "AveragePool";
      })
      .Case([](GlobalPoolOp p) {
        return p.getKind() == PoolKind::max ? "GlobalMaxPool"
                                            : "GlobalAveragePool";
      })
      .Case([](BatchNormOp) { return "BatchNormalization"; })
      .Case([](InstanceNormOp) { return "InstanceNormalization"; })
      .Case([](UnaryOp u) {
        static const char *names[] = {
            "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
            "HardSwish", "Elu", "Softplus", "Exp", "Log", "Sqrt", "Erf",
            "Abs", "Neg", "Floor", "Ceil", "Reciprocal"};
        return names[static_cast<int>(u.getKind())];
      })
      .Case([](BinaryOp b) {
        static const char *names[] = {"Add", "Sub", "Mul", "Div", "Pow",
                                      "Max", "Min", "Mod", "Mod"};
        return names[static_cast<int>(b.getKind())];
      })
      .Case([](CompareOp c) {
        static const char *names[] = {"Equal", "Less", "LessOrEqual",
                                      "Greater", "GreaterOrEqual"};
        return names[static_cast<int>(c.getKind())];
      })
      .Case([](NotOp) { return "Not"; })
      .Case([](WhereOp) { return "Where"; })
      .Case([](ClipOp) { return "Clip"; })
      .Case([](PReluOp) { return "PRelu"; })
      .Case([](SoftmaxOp) { return "Softmax"; })
      .Case([](GemmOp) { return "Gemm"; })
      .Case([](MatMulOp) { return "MatMul"; })
      .Case([](ReduceOp r) {
        static const char *names[] = {"ReduceMean", "ReduceSum", "ReduceMax",
                                      "ReduceMin", "ReduceProd"};
        return names[static_cast<int>(r.getKind())];
      })
      .Case([](ResizeOp) { return "Resize"; })
      .Case([](DepthToSpaceOp) { return "DepthToSpace"; })
      .Case([](SpaceToDepthOp) { return "SpaceToDepth"; })
      .Case([](PadOp) { return "Pad"; })
      .Case([](ReshapeOp) { return "Reshape"; })
      .Case([](FlattenOp) { return "Flatten"; })
      .Case([](TransposeOp) { return "Transpose"; })
      .Case([](SqueezeOp) { return "Squeeze"; })
      .Case([](UnsqueezeOp) { return "Unsqueeze"; })
      .Case([](ConcatOp) { return "Concat"; })
      .Case([](SplitOp) { return "Split"; })
      .Case([](ExpandOp) { return "Expand"; })
      .Case([](RangeOp) { return "Range"; })
      .Case([](ScatterNDOp) { return "ScatterND"; })
      .Case([](ShapeOp) { return "Shape"; })
      .Case([](GatherOp) { return "Gather"; })
      .Case([](SliceOp) { return "Slice"; })
      .Case([](CastOp) { return "Cast"; })
      .Case([](ConstantOp) { return "Constant"; })
      .Case([](ConstantOfShapeOp) { return "ConstantOfShape"; })
      .Case([](QuantizeLinearOp) { return "QuantizeLinear"; })
      .Case([](DequantizeLinearOp) { return "DequantizeLinear"; })
      .Case([](CustomOp c) { return c.getOpType().str(); })
      .Default([](Operation *other) {
        return other->getName().getStringRef().str();
      });
}

std::string mlc::onnx_types::getNodeName(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "";
}
