// RUN: mlc-opt %s --nn-quantize-weights="mode=linear bits=8 min-size=0" | FileCheck %s --check-prefix=LINEAR
// RUN: mlc-opt %s --nn-quantize-weights="mode=linear bits=4 granularity=per-tensor symmetric=false min-size=0" | FileCheck %s --check-prefix=ASYM
// RUN: mlc-opt %s --nn-quantize-weights="mode=kmeans bits=1 min-size=0" | FileCheck %s --check-prefix=KMEANS
// RUN: mlc-opt %s --nn-quantize-weights="mode=kmeans bits=2 group-channels=2 min-size=0" | FileCheck %s --check-prefix=GROUPS
// RUN: mlc-opt %s --nn-quantize-weights="mode=fp16 min-size=0" | FileCheck %s --check-prefix=FP16
// RUN: mlc-opt %s --nn-quantize-weights="mode=linear skip=conv min-size=0" | FileCheck %s --check-prefix=SKIP
// RUN: mlc-opt %s --nn-quantize-weights="mode=linear" | FileCheck %s --check-prefix=SMALL

// A 1x1 conv whose weight's channels are [1, -2], [0.5, 0.25], [3, -3] and
// zeros; the bias (a vector) always stays float.

// Per channel, symmetric: scale = max |w| / 127; the zero channel gets 1.
// The bytes are the int8 values: 63 -127 | 127 64 | 127 -127 | 0 0.
// LINEAR: %[[W:.*]] = nn.quantized_constant linear {bits = 8 : i64, scales = array<f32: 0.0157480314, 0.00393700786, 0.0236220472, 1.000000e+00>, signed_values = true} dense_resource<conv.weight.q> : tensor<8xui8> : tensor<4x2x1x1xf32>
// LINEAR: %[[B:.*]] = nn.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01, 4.000000e-01]> : tensor<4xf32>
// LINEAR: nn.conv %arg0, %[[W]], %[[B]]
// LINEAR: conv.weight.q: "0x400000003F817F407F810000"

// One scale and a zero point over [-3, 3], 4 bits packed two to a byte.
// ASYM: nn.quantized_constant linear {bits = 4 : i64, scales = array<f32: 4.000000e-01>, zero_points = array<i32: 7>} dense_resource<conv.weight.q> : tensor<4xui8>

// Two values: 1-bit indices into a table of two centroids.
// KMEANS: nn.quantized_constant palette {bits = 1 : i64, lut = array<f32: -2.500000e+00, 0.791666686>} dense_resource<conv.weight.q> : tensor<1xui8>

// A table of 4 values per group of 2 output channels.
// GROUPS: nn.quantized_constant palette {bits = 2 : i64, group_channels = 2 : i64, lut = array<f32: {{.*}}>} dense_resource<conv.weight.q> : tensor<2xui8>

// FP16: nn.quantized_constant fp16 {bits = 16 : i64} dense_resource<conv.weight.q> : tensor<16xui8>
// FP16: conv.weight.q: "0x40000000003C00C000380034004200C200000000"

// SKIP-NOT: nn.quantized_constant
// SMALL-NOT: nn.quantized_constant

func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]], [[-2.0]]], [[[0.5]], [[0.25]]], [[[3.0]], [[-3.0]]], [[[0.0]], [[0.0]]]]> : tensor<4x2x1x1xf32>
  %b = nn.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %y = nn.conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("conv")
  return %y : tensor<1x4x4x4xf32>
}
