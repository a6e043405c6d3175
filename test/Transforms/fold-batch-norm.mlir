// RUN: mlc-opt %s --nn-fold-batch-norm --split-input-file | FileCheck %s

// A BatchNorm after a conv of one use becomes the conv's weight and bias:
// per channel s = scale / sqrt(var + eps), w' = w * s, b' = (b - mean) * s + bias.
// Channel 0: s = 2 / sqrt(3 + 1) = 1, so w' = w and b' = (1 - 1) * 1 + 0.5.
// Channel 1: s = 4 / sqrt(15 + 1) = 1, b' = (2 - 0) * 1 - 1 = 1.
// CHECK-LABEL: func.func @with_bias
// CHECK-NOT: nn.batch_norm
// CHECK: %[[W:.*]] = nn.constant dense_resource<conv1.weight> : tensor<2x1x1x1xf32>
// CHECK: %[[B:.*]] = nn.constant dense_resource<conv1.bias> : tensor<2xf32>
// CHECK: %[[Y:.*]] = nn.conv %arg0, %[[W]], %[[B]]
// CHECK: return %[[Y]]
// CHECK: conv1.weight: "0x400000000000803F00000040"
// CHECK: conv1.bias: "0x400000000000003F0000803F"
func.func @with_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = nn.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %c = nn.conv %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Without a bias the conv gets one.
// CHECK-LABEL: func.func @without_bias
// CHECK-NOT: nn.batch_norm
// CHECK: nn.conv %arg0, %{{.*}}, %{{.*}} :
func.func @without_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = nn.constant dense<2.0> : tensor<1x1x3x3xf32>
  %p = nn.constant dense<1.0> : tensor<1xf32>
  %c = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// A conv whose result is used elsewhere too keeps its BatchNorm, and so
// does a BatchNorm with parameters computed at run time.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-2: nn.batch_norm
func.func @not_folded(%x: tensor<1x1x4x4xf32>, %s: tensor<1xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = nn.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = nn.constant dense<1.0> : tensor<1xf32>
  %c = nn.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %c2 = nn.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %z = nn.batch_norm %c2, %s, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %y, %c, %z : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}
