// RUN: mlc-opt %s --canonicalize --split-input-file | FileCheck %s

// A Pad by zeros on the spatial dims before a Conv becomes the Conv's own
// padding, added to what it had.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NOT: nn.pad
// CHECK: nn.conv %arg0, %{{.*}} {{{.*}}pads = array<i64: 2, 2, 2, 3>
func.func @pad_into_conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x10x11xf32> {
  %p = nn.constant dense<[0, 0, 1, 2, 0, 0, 1, 3]> : tensor<8xi64>
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %0 = nn.pad %x, %p : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x13xf32>
  %1 = nn.conv %0, %w {pads = array<i64: 1, 0, 1, 0>} : (tensor<1x3x10x13xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x10x11xf32>
  return %1 : tensor<1x4x10x11xf32>
}

// -----

// Before an average pool, the zeros count: count_include_pad.
// CHECK-LABEL: func.func @pad_into_average_pool
// CHECK-NOT: nn.pad
// CHECK: nn.pool average %arg0 {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>
func.func @pad_into_average_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %p = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %zero = nn.constant dense<0.0> : tensor<f32>
  %0 = nn.pad %x, %p value(%zero) : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
  %1 = nn.pool average %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>} : (tensor<1x3x10x10xf32>) -> tensor<1x3x8x8xf32>
  return %1 : tensor<1x3x8x8xf32>
}

// -----

// Pads that are not the op's padding stay: a max pool (its padding is
// -inf, not 0), a value other than 0, the channels padded, a crop, an
// average pool with ceil_mode.
// CHECK-LABEL: func.func @pads_that_stay
// CHECK-COUNT-5: nn.pad
func.func @pads_that_stay(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>, tensor<1x3x5x5xf32>) {
  %p = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %pc = nn.constant dense<[0, 1, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %crop = nn.constant dense<[0, 0, -1, -1, 0, 0, 1, 1]> : tensor<8xi64>
  %one = nn.constant dense<1.0> : tensor<f32>
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %w4 = nn.constant dense<1.0> : tensor<4x4x3x3xf32>
  %0 = nn.pad %x, %p : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 3, 3>} : (tensor<1x3x10x10xf32>) -> tensor<1x3x8x8xf32>
  %2 = nn.pad %x, %p value(%one) : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
  %3 = nn.conv %2, %w : (tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %4 = nn.pad %x, %pc : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x4x10x10xf32>
  %5 = nn.conv %4, %w4 : (tensor<1x4x10x10xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %6 = nn.pad %x, %crop : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x8x8xf32>
  %7 = nn.conv %6, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %8 = nn.pad %x, %p : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  %9 = nn.pool average %8 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x3x10x10xf32>) -> tensor<1x3x5x5xf32>
  return %1, %3, %5, %7, %9 : tensor<1x3x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>, tensor<1x3x5x5xf32>
}

// -----

// An average pool after a pointwise conv (DenseNet's transition) pools
// first, on the conv's input channels; the conv, bias and all, then runs on
// the pooled positions. Dims the pool does not know stay unknown.
// CHECK-LABEL: func.func @pool_before_pointwise_conv
// CHECK: %[[P:.*]] = nn.pool average %arg0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
// CHECK: nn.conv %[[P]], %{{.*}}, %{{.*}} : (tensor<1x8x3x3xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
// CHECK: %[[Q:.*]] = nn.pool average %arg1 {{.*}} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
// CHECK: nn.conv %[[Q]], %{{.*}}, %{{.*}} : (tensor<?x8x?x?xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32>
func.func @pool_before_pointwise_conv(%x: tensor<1x8x6x6xf32>, %d: tensor<?x8x?x?xf32>) -> (tensor<1x4x3x3xf32>, tensor<?x4x?x?xf32>) {
  %w = nn.constant dense<0.5> : tensor<4x8x1x1xf32>
  %b = nn.constant dense<0.25> : tensor<4xf32>
  %0 = nn.conv %x, %w, %b : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %1 = nn.pool average %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %2 = nn.conv %d, %w, %b : (tensor<?x8x?x?xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32>
  %3 = nn.pool average %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  return %1, %3 : tensor<1x4x3x3xf32>, tensor<?x4x?x?xf32>
}

// -----

// Pools that stay after their conv: a max pool, after a 3x3 conv, after a
// strided conv, a padded pool (its windows at the edges are not all
// positions), a ceil_mode pool, after a conv something else reads too.
// CHECK-LABEL: func.func @pools_that_stay_after
// CHECK-COUNT-6: nn.conv %arg0,
// CHECK-NOT: nn.conv
func.func @pools_that_stay_after(%x: tensor<1x8x6x6xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x6x6xf32>) {
  %w = nn.constant dense<0.5> : tensor<4x8x1x1xf32>
  %w3 = nn.constant dense<0.5> : tensor<4x8x3x3xf32>
  %0 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %2 = nn.conv %x, %w3 : (tensor<1x8x6x6xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x4x4xf32>
  %3 = nn.pool average %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  %4 = nn.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x3x3xf32>
  %5 = nn.pool average %4 {kernel_shape = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x2x2xf32>
  %6 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %7 = nn.pool average %6 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %8 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %9 = nn.pool average %8 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %10 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %11 = nn.pool average %10 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  return %1, %3, %5, %7, %9, %11, %10 : tensor<1x4x3x3xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x6x6xf32>
}

// -----

// A mean or max over every spatial dim is a global pool, flattened to
// [N, C] without keepdims (torch's x.mean([2, 3]), mnasnet's head; axes in
// any order, negative or not).
// CHECK-LABEL: func.func @reduce_to_global_pool
// CHECK: %[[M:.*]] = nn.global_pool average %arg0 : (tensor<2x8x5x5xf32>) -> tensor<2x8x1x1xf32>
// CHECK: %[[F:.*]] = nn.flatten %[[M]] : (tensor<2x8x1x1xf32>) -> tensor<2x8xf32>
// CHECK: %[[X:.*]] = nn.global_pool max %arg0 : (tensor<2x8x5x5xf32>) -> tensor<2x8x1x1xf32>
// CHECK: return %[[F]], %[[X]]
func.func @reduce_to_global_pool(%x: tensor<2x8x5x5xf32>) -> (tensor<2x8xf32>, tensor<2x8x1x1xf32>) {
  %hw = nn.constant dense<[2, 3]> : tensor<2xi64>
  %wh = nn.constant dense<[-1, 2]> : tensor<2xi64>
  %0 = nn.reduce mean %x axes(%hw) {keepdims = false} : (tensor<2x8x5x5xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  %1 = nn.reduce max %x axes(%wh) : (tensor<2x8x5x5xf32>, tensor<2xi64>) -> tensor<2x8x1x1xf32>
  return %0, %1 : tensor<2x8xf32>, tensor<2x8x1x1xf32>
}

// -----

// Reductions that stay: a sum, over H alone, over the channels too.
// CHECK-LABEL: func.func @reductions_that_stay
// CHECK-NOT: nn.global_pool
func.func @reductions_that_stay(%x: tensor<2x8x5x5xf32>) -> (tensor<2x8x1x1xf32>, tensor<2x8x1x5xf32>, tensor<2x1x1x1xf32>) {
  %hw = nn.constant dense<[2, 3]> : tensor<2xi64>
  %h = nn.constant dense<[2]> : tensor<1xi64>
  %chw = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %0 = nn.reduce sum %x axes(%hw) : (tensor<2x8x5x5xf32>, tensor<2xi64>) -> tensor<2x8x1x1xf32>
  %1 = nn.reduce mean %x axes(%h) : (tensor<2x8x5x5xf32>, tensor<1xi64>) -> tensor<2x8x1x5xf32>
  %2 = nn.reduce mean %x axes(%chw) : (tensor<2x8x5x5xf32>, tensor<3xi64>) -> tensor<2x1x1x1xf32>
  return %0, %1, %2 : tensor<2x8x1x1xf32>, tensor<2x8x1x5xf32>, tensor<2x1x1x1xf32>
}

// -----

// torch's F.pad reverses its pads as an [n, 2] matrix: a Gather of the vector,
// whose entries shape computations follow.
// CHECK-LABEL: func.func @pads_reversed
// CHECK-SAME: (%[[P:.*]]: tensor<6xi64>)
// CHECK: %[[I:.*]] = nn.constant dense<[4, 2, 0, 5, 3, 1]> : tensor<6xi64>
// CHECK: %[[G:.*]] = nn.gather %[[P]], %[[I]] : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
// CHECK-NOT: nn.transpose
// CHECK: return %[[G]]
func.func @pads_reversed(%pads: tensor<6xi64>) -> tensor<6xi64> {
  %shape = nn.constant dense<[-1, 2]> : tensor<2xi64>
  %m = nn.reshape %pads, %shape : (tensor<6xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  %start = nn.constant dense<-1> : tensor<1xi64>
  %end = nn.constant dense<-9223372036854775807> : tensor<1xi64>
  %axis = nn.constant dense<0> : tensor<1xi64>
  %step = nn.constant dense<-1> : tensor<1xi64>
  %r = nn.slice %m, %start, %end axes(%axis) steps(%step) : (tensor<3x2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x2xi64>
  %t = nn.transpose %r {perm = array<i64: 1, 0>} : (tensor<3x2xi64>) -> tensor<2x3xi64>
  %flat = nn.constant dense<-1> : tensor<1xi64>
  %y = nn.reshape %t, %flat : (tensor<2x3xi64>, tensor<1xi64>) -> tensor<6xi64>
  return %y : tensor<6xi64>
}

// -----

// A vector only reshaped is left alone; so is a float matrix.
// CHECK-LABEL: func.func @not_shuffles
// CHECK-NOT: nn.gather
func.func @not_shuffles(%v: tensor<6xi64>, %f: tensor<6xf32>) -> (tensor<6xi64>, tensor<6xf32>) {
  %shape = nn.constant dense<[3, 2]> : tensor<2xi64>
  %m = nn.reshape %v, %shape : (tensor<6xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  %flat = nn.constant dense<[6]> : tensor<1xi64>
  %y = nn.reshape %m, %flat : (tensor<3x2xi64>, tensor<1xi64>) -> tensor<6xi64>
  %fm = nn.reshape %f, %shape : (tensor<6xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  %ft = nn.transpose %fm {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %fy = nn.reshape %ft, %flat : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  return %y, %fy : tensor<6xi64>, tensor<6xf32>
}
