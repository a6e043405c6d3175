//===- NNOps.h - Operations of the nn dialect -------------------*- C++ -*-===//

#ifndef MLC_DIALECT_NN_NNOPS_H
#define MLC_DIALECT_NN_NNOPS_H

#include "mlc/Dialect/NN/NNDialect.h"
#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlc/Dialect/NN/NNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mlc/Dialect/NN/NNAttributes.h.inc"

namespace mlc::nn {
/// The verifier of ShapeInferenceOpInterface: the op's operands are valid and
/// its declared result types agree with the inferred ones where both are known.
mlir::LogicalResult verifyInferredResultTypes(mlir::Operation *op);
} // namespace mlc::nn

#include "mlc/Dialect/NN/NNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "mlc/Dialect/NN/NNOps.h.inc"

#endif // MLC_DIALECT_NN_NNOPS_H
