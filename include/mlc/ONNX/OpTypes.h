//===- OpTypes.h - The ONNX operator and node behind an nn op ---*- C++ -*-===//
//
// How mlc names nn ops to people and to ONNX: the ONNX op type ("Conv",
// "MaxPool", "Relu", a custom op's own type) and the ONNX node name (kept in
// the op's location by the importer).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_ONNX_OPTYPES_H
#define MLC_ONNX_OPTYPES_H

#include "mlir/IR/Operation.h"

#include <string>

namespace mlc::onnx_types {

/// The ONNX op type that `op` is written as ("Conv", "AveragePool",
/// "LeakyRelu"; a custom op's own type); its MLIR name for other ops.
std::string getONNXOpType(mlir::Operation *op);

/// The ONNX node name of `op`: the name its location carries, else "".
std::string getNodeName(mlir::Operation *op);

} // namespace mlc::onnx_types

#endif // MLC_ONNX_OPTYPES_H
