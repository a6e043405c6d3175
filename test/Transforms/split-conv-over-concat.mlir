// RUN: mlc-opt %s --nn-split-conv-over-concat --split-input-file | FileCheck %s

// Every user of a channel concatenation is a conv: each convolves the parts
// with its weight's channels of each (w = [[1, 2, 3], [4, 5, 6]]: [1, 4] for
// the first part's one channel, [[2, 3], [5, 6]] for the second's two), the
// bias with the first, each part adding the ones before; the concat goes.
// The 3x3 conv keeps its window, padding and bias the same way.
// CHECK-LABEL: func.func @all_users_convs
// CHECK-NOT: nn.concat
// CHECK-DAG: %[[W0:.*]] = nn.constant dense_resource<squeeze/part0.weight> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[W1:.*]] = nn.constant dense_resource<squeeze/part1.weight> : tensor<2x2x1x1xf32>
// CHECK: %[[P0:.*]] = nn.conv %arg0, %[[W0]], %{{.*}} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %[[P1:.*]] = nn.conv %arg1, %[[W1]] : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %[[S:.*]] = nn.binary add %[[P1]], %[[P0]]
// CHECK: %[[Q0:.*]] = nn.conv %arg0, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK: %[[Q1:.*]] = nn.conv %arg1, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x2x3x3xf32>) -> tensor<1x1x4x4xf32>
// CHECK: %[[T:.*]] = nn.binary add %[[Q1]], %[[Q0]]
// CHECK: return %[[S]], %[[T]]
// CHECK-DAG: squeeze/part0.weight: "0x400000000000803F00008040"
// CHECK-DAG: squeeze/part1.weight: "0x4000000000000040000040400000A0400000C040"
func.func @all_users_convs(%a: tensor<1x1x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = nn.constant dense<[[[[1.0]], [[2.0]], [[3.0]]], [[[4.0]], [[5.0]], [[6.0]]]]> : tensor<2x3x1x1xf32>
  %bias = nn.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %w3 = nn.constant dense<0.25> : tensor<1x3x3x3xf32>
  %bias3 = nn.constant dense<1.0> : tensor<1xf32>
  %x = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = nn.conv %x, %w, %bias : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("squeeze")
  %z = nn.conv %x, %w3, %bias3 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x4x4xf32>, tensor<1x3x3x3xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32> loc("other")
  return %y, %z : tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Concats that stay, with their convs: another user (a max pool), a grouped
// conv, a concat along H, a weight that is not a constant.
// CHECK-LABEL: func.func @concats_that_stay
// CHECK-COUNT-4: nn.concat
// CHECK-NOT: part
func.func @concats_that_stay(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>, %wv: tensor<1x4x1x1xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<1x4x1x1xf32>
  %wg = nn.constant dense<1.0> : tensor<2x2x1x1xf32>
  %wh = nn.constant dense<1.0> : tensor<1x2x1x1xf32>
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = nn.conv %0, %w : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32>
  %2 = nn.pool max %0 {kernel_shape = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %3 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %4 = nn.conv %3, %wg {group = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = nn.concat %a, %b {axis = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x8x4xf32>
  %6 = nn.conv %5, %wh : (tensor<1x2x8x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x8x4xf32>
  %7 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %8 = nn.conv %7, %wv : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %1, %2, %4, %6, %8 : tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// A pool of a concat that nothing else reads pools each part; the concat of
// the pooled parts then goes too where only convs read it. A concat read by
// a pool and something else stays.
// CHECK-LABEL: func.func @pool_before_concat
// CHECK: %[[A:.*]] = nn.pool max %arg0 {{.*}} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
// CHECK: %[[B:.*]] = nn.pool max %arg1 {{.*}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
// CHECK: %[[P0:.*]] = nn.conv %[[A]]
// CHECK: %[[P1:.*]] = nn.conv %[[B]]
// CHECK: nn.binary add %[[P1]], %[[P0]]
// CHECK: %[[C:.*]] = nn.concat %arg0, %arg1
// CHECK: nn.pool max %[[C]]
func.func @pool_before_concat(%a: tensor<1x1x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x3x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x3x1x1xf32>
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  %2 = nn.conv %1, %w : (tensor<1x3x2x2xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x2x2xf32>
  %3 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32>
  %4 = nn.pool max %3 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %2, %4, %3 : tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x3x4x4xf32>
}
