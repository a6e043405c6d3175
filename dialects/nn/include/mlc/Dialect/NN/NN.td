//===- NN.td - The nn dialect, all of it -------------------*- tablegen -*-===//

#ifndef MLC_DIALECT_NN_NN_TD
#define MLC_DIALECT_NN_NN_TD

include "mlc/Dialect/NN/NNDialect.td"
include "mlc/Dialect/NN/NNAttributes.td"
include "mlc/Dialect/NN/NNInterfaces.td"
include "mlc/Dialect/NN/NNOps.td"

#endif // MLC_DIALECT_NN_NN_TD
