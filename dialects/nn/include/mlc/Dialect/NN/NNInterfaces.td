//===- NNInterfaces.td - Interfaces of nn ops --------------*- tablegen -*-===//

#ifndef MLC_DIALECT_NN_NNINTERFACES_TD
#define MLC_DIALECT_NN_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::mlc::nn";
  let description = [{
    An op that computes its result types from its operands' types and, for
    shape operands (Reshape targets, Resize sizes, Slice bounds...), from
    their values when they are constants. Unknown dims come out as `?`.

    The same function verifies the op: invalid operands (a kernel larger
    than the padded input, channel counts that do not match, ranks that do
    not agree) make it fail with an error at the op, and the verifier
    rejects a declared result type that contradicts the inferred one. A
    declared type may be more precise than the inferred one (an importer
    may know more), never different.
  }];
  let methods = [
    InterfaceMethod<[{
        Computes the result types into `types` (one per result). Returns
        failure, after emitting an error at the op, when the operands are
        invalid for the op.
      }],
      "::mlir::LogicalResult", "inferResultTypes",
      (ins "::llvm::SmallVectorImpl<::mlir::Type> &":$types)>,
  ];
  let verify = [{ return ::mlc::nn::verifyInferredResultTypes($_op); }];
}

#endif // MLC_DIALECT_NN_NNINTERFACES_TD
