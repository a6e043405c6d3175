// `mlc export` of a hand-written nn module, checked by importing the ONNX
// file again: graph input and output names kept (`input_<i>` and
// `output_<i>` for unnamed ones), every `?` dim given a dim_param (its own
// if it has one, else `<name>_d<i>`), node names from the ops' locations,
// constants as initializers (inline or from resource blobs, identical ones
// written once), and Identity nodes where an output must have a name of its
// own (an output that is a graph input, a constant, or another output).
//
// RUN: mlc export %s -o %t.onnx
// RUN: mlc import %t.onnx -o - | mlc-opt | FileCheck %s
// RUN: mlc import %t.onnx -o %t.mlir
// RUN: mlc-opt %t.mlir -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// RUN: mlc inspect %t.onnx | FileCheck %s --check-prefix=INSPECT

// CHECK-LABEL: module attributes
// CHECK-SAME: nn.graph_name = "hand_written"
// CHECK-SAME: nn.opset_imports = {ai.onnx = 13 : i64}
// CHECK-SAME: nn.producer_name = "mlc"
// CHECK: func.func @main(%[[IMG:arg0]]: tensor<?x5x8x8xf32> {nn.dim_params = ["batch", "", "", ""], nn.name = "image"},
// CHECK-SAME: %[[IN1:arg1]]: tensor<?x?xf32> {nn.dim_params = ["input_1_d0", "input_1_d1"], nn.name = "input_1"})
// CHECK-SAME: -> (tensor<?x4x8x8xf32> {nn.dim_params = ["batch", "", "", ""], nn.name = "features"},
// CHECK-SAME: tensor<?x4x8x8xf32> {nn.dim_params = ["output_1_d0", "", "", ""], nn.name = "output_1"},
// CHECK-SAME: tensor<?x?xf32> {nn.dim_params = ["passthrough_d0", "passthrough_d1"], nn.name = "passthrough"},
// CHECK-SAME: tensor<4xf32> {nn.name = "bias_out"},
// CHECK-SAME: tensor<?x4x8x8xf32> {nn.dim_params = ["batch", "", "", ""], nn.name = "again"})
// The two weights hold the same bytes: written twice (they are different
// blobs), imported again as one.
// CHECK-NEXT: %[[W:.*]] = nn.constant dense_resource<conv.weight> : tensor<4x5x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = nn.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %[[W2:.*]] = nn.constant dense_resource<conv.weight> : tensor<4x5x1x1xf32>
// CHECK-NEXT: %[[C1:.*]] = nn.conv %[[IMG]], %[[W]], %[[B]] {pads = array<i64: 0, 0, 0, 0>} : (tensor<?x5x8x8xf32>, tensor<4x5x1x1xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[R:.*]] = nn.unary relu %[[C1]]
// CHECK-NEXT: %[[C2:.*]] = nn.conv %[[IMG]], %[[W2]] : (tensor<?x5x8x8xf32>, tensor<4x5x1x1xf32>) -> tensor<?x4x8x8xf32>
// The Identity nodes import as their inputs.
// CHECK-NEXT: return %[[R]], %[[C2]], %[[IN1]], %[[B]], %[[R]] :
// CHECK: dialect_resources
// CHECK-NEXT: builtin: {
// CHECK-NEXT: conv.weight: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A041"
// CHECK-NEXT: }

// Node names come from the ops' locations; an op without one goes by its
// kind ("conv"), made unique.
// LOC: nn.constant dense_resource<conv.weight> {{.*}} loc("conv.weight"(
// LOC: nn.constant dense<{{.*}} loc("conv.bias"(
// LOC: nn.constant dense_resource<conv.weight> {{.*}} loc("conv.weight.copy"(
// LOC: nn.conv {{.*}} loc("stem"(
// LOC: nn.unary relu {{.*}} loc("stem_relu"(
// LOC: nn.conv {{.*}} loc("conv"(

// INSPECT: inputs:
// INSPECT-NEXT: image: f32 batchx5x8x8
// INSPECT-NEXT: input_1: f32 input_1_d0xinput_1_d1
// INSPECT-NEXT: outputs:
// INSPECT-NEXT: features: f32 batchx4x8x8
// INSPECT-NEXT: output_1: f32 output_1_d0x4x8x8
// INSPECT-NEXT: passthrough: f32 passthrough_d0xpassthrough_d1
// INSPECT-NEXT: bias_out: f32 4
// INSPECT-NEXT: again: f32 batchx4x8x8
// INSPECT-NEXT: ops: 3 (nn.conv 2, nn.unary 1)
// INSPECT-NEXT: weights: 3 constants, 176 bytes (96 stored: identical ones are kept once)

module attributes {nn.graph_name = "hand_written", nn.opset_imports = {ai.onnx = 13 : i64}} {
  func.func @main(%image: tensor<?x5x8x8xf32> {nn.name = "image", nn.dim_params = ["batch", "", "", ""]},
                  %other: tensor<?x?xf32>)
      -> (tensor<?x4x8x8xf32> {nn.name = "features", nn.dim_params = ["batch", "", "", ""]},
          tensor<?x4x8x8xf32>,
          tensor<?x?xf32> {nn.name = "passthrough"},
          tensor<4xf32> {nn.name = "bias_out"},
          tensor<?x4x8x8xf32> {nn.name = "again", nn.dim_params = ["batch", "", "", ""]}) {
    %w = nn.constant dense_resource<weights_a> : tensor<4x5x1x1xf32> loc("conv.weight")
    %w2 = nn.constant dense_resource<weights_b> : tensor<4x5x1x1xf32> loc("conv.weight.copy")
    %b = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> loc("conv.bias")
    %c = nn.conv %image, %w, %b {pads = array<i64: 0, 0, 0, 0>}
        : (tensor<?x5x8x8xf32>, tensor<4x5x1x1xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32> loc("stem")
    %r = nn.unary relu %c : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> loc("stem_relu")
    %c2 = nn.conv %image, %w2 : (tensor<?x5x8x8xf32>, tensor<4x5x1x1xf32>) -> tensor<?x4x8x8xf32>
    return %r, %c2, %other, %b, %r : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x?xf32>, tensor<4xf32>, tensor<?x4x8x8xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      weights_a: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A041",
      weights_b: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A041"
    }
  }
#-}
