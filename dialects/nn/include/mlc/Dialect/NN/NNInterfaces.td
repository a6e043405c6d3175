//===- NNInterfaces.td - Interfaces of nn ops --------------*- tablegen -*-===//

#ifndef MLC_DIALECT_NN_NNINTERFACES_TD
#define MLC_DIALECT_NN_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::mlc::nn";
  let description = [{
    An op that computes its result shapes from its operands' shapes and,
    for shape operands (Reshape targets, Resize sizes, Slice bounds...),
    from their entries as far as they are known. Dims are symbolic: a known
    size, an expression of the graph's free input dims, or unknown (`?` in
    a type), so one shape function serves type inference, verification and
    the proof that a network takes any input size.

    The same function verifies the op: invalid operands (a kernel larger
    than the padded input, channel counts that do not match, ranks that do
    not agree) make it fail with an error at the op, and the verifier
    rejects a declared result type that contradicts the inferred one. A
    declared type may be more precise than the inferred one (an importer
    may know more), never different.
  }];
  let methods = [
    InterfaceMethod<[{
        Computes the result shapes (and, for shape computations, the result
        entries) from the operands' through `context`, which also checks
        what the op needs of the operands' sizes. Returns failure, after
        emitting an error at the op, when the operands are invalid for the
        op. See mlc/Dialect/NN/ShapeInference.h.
      }],
      "::mlir::LogicalResult", "inferShapes",
      (ins "::mlc::nn::ShapeContext &":$context)>,
  ];
  let verify = [{ return ::mlc::nn::verifyInferredResultTypes($_op); }];
}

#endif // MLC_DIALECT_NN_NNINTERFACES_TD
