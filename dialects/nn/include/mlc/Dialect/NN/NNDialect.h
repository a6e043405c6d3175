//===- NNDialect.h - The nn dialect -----------------------------*- C++ -*-===//

#ifndef MLC_DIALECT_NN_NNDIALECT_H
#define MLC_DIALECT_NN_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "mlc/Dialect/NN/NNDialect.h.inc"

#endif // MLC_DIALECT_NN_NNDIALECT_H
