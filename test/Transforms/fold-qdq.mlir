// RUN: mlc-opt %s --nn-fold-qdq | FileCheck %s --check-prefix=KEEP
// RUN: mlc-opt %s --nn-fold-qdq="drop-activation-qdq=true" | FileCheck %s --check-prefix=DROP

// A QDQ graph: the int8 weight's DequantizeLinear becomes the 8-bit weight it
// describes (per output channel here); the activation's QuantizeLinear /
// DequantizeLinear pair stays, or goes with drop-activation-qdq.
// KEEP: %[[W:.*]] = nn.quantized_constant linear {bits = 8 : i64, scales = array<f32: 5.000000e-01, 2.500000e-01>, signed_values = true} dense<[2, 252, 8, 127]> : tensor<4xui8> : tensor<2x2x1x1xf32>
// KEEP: %[[Q:.*]] = nn.quantize_linear %arg0
// KEEP: %[[D:.*]] = nn.dequantize_linear %[[Q]]
// KEEP: nn.conv %[[D]], %[[W]]
// DROP-NOT: nn.quantize_linear
// DROP-NOT: nn.dequantize_linear
// DROP: nn.conv %arg0, %{{.*}}
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %wq = nn.constant dense<[[[[2]], [[-4]]], [[[8]], [[127]]]]> : tensor<2x2x1x1xi8>
  %ws = nn.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %wz = nn.constant dense<0> : tensor<2xi8>
  %w = nn.dequantize_linear %wq, %ws, %wz {axis = 0 : i64} : (tensor<2x2x1x1xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2x1x1xf32>
  %s = nn.constant dense<0.1> : tensor<f32>
  %z = nn.constant dense<0> : tensor<i8>
  %q = nn.quantize_linear %x, %s, %z : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %d = nn.dequantize_linear %q, %s, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %y = nn.conv %d, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// A negative axis counts from the end: -4 is the output channel here too.
// KEEP-LABEL: func.func @negative_axis
// KEEP: nn.quantized_constant linear {bits = 8 : i64, scales = array<f32: 5.000000e-01, 2.500000e-01>, signed_values = true}
func.func @negative_axis(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %wq = nn.constant dense<[[[[2]], [[-4]]], [[[8]], [[127]]]]> : tensor<2x2x1x1xi8>
  %ws = nn.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %wz = nn.constant dense<0> : tensor<2xi8>
  %w = nn.dequantize_linear %wq, %ws, %wz {axis = -4 : i64} : (tensor<2x2x1x1xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2x1x1xf32>
  %y = nn.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
