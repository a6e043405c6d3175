//===- Passes.h - mlc's passes on the nn dialect ----------------*- C++ -*-===//

#ifndef MLC_TRANSFORMS_PASSES_H
#define MLC_TRANSFORMS_PASSES_H

#include "mlc/Dialect/NN/NNDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "mlc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mlc/Transforms/Passes.h.inc"

} // namespace mlc

#endif // MLC_TRANSFORMS_PASSES_H
