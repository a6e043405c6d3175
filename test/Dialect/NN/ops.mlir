// RUN: mlc-opt %s | mlc-opt | FileCheck %s
// RUN: mlc-opt %s --mlir-print-op-generic | mlc-opt | FileCheck %s
// RUN: mlc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Round trip of every nn op with its attributes, in the custom and in the
// generic form. Attributes equal to their default are elided when printed.

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x224x224xf32>, %[[W:.*]]: tensor<64x3x7x7xf32>, %[[B:.*]]: tensor<64xf32>)
// CHECK: %[[Y:.*]] = nn.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 7, 7>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>}
// CHECK-SAME: : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
// CHECK: return %[[Y]]
// GENERIC-LABEL: sym_name = "conv"
// GENERIC: "nn.conv"(%{{.*}}, %{{.*}}, %{{.*}}) <{auto_pad = #nn<auto_pad notset>, dilations = array<i64: 1, 1>, group = 1 : i64, kernel_shape = array<i64: 7, 7>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>}>
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>) -> tensor<1x64x112x112xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 7, 7>, group = 1 : i64, auto_pad = #nn<auto_pad notset>}
      : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// CHECK-LABEL: func.func @conv_depthwise_same
// CHECK: nn.conv %{{.*}}, %{{.*}} {auto_pad = #nn<auto_pad same_upper>, group = 32 : i64}
// CHECK-SAME: -> tensor<1x32x56x56xf32>
func.func @conv_depthwise_same(%x: tensor<1x32x56x56xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32> {
  %0 = nn.conv %x, %w {group = 32 : i64, auto_pad = #nn<auto_pad same_upper>}
      : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  return %0 : tensor<1x32x56x56xf32>
}

// CHECK-LABEL: func.func @conv_dynamic
// CHECK: nn.conv %{{.*}}, %{{.*}} {auto_pad = #nn<auto_pad same_lower>, dilations = array<i64: 2, 2>} : (tensor<?x16x?x?xf32>, tensor<8x16x3x3xf32>) -> tensor<?x8x?x?xf32>
func.func @conv_dynamic(%x: tensor<?x16x?x?xf32>, %w: tensor<8x16x3x3xf32>) -> tensor<?x8x?x?xf32> {
  %0 = nn.conv %x, %w {auto_pad = #nn<auto_pad same_lower>, dilations = array<i64: 2, 2>}
      : (tensor<?x16x?x?xf32>, tensor<8x16x3x3xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// CHECK-LABEL: func.func @conv_transpose
// CHECK: nn.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {auto_pad = #nn<auto_pad valid>, dilations = array<i64: 1, 1>, group = 2 : i64, kernel_shape = array<i64: 2, 2>, output_padding = array<i64: 1, 1>, output_shape = array<i64: 33, 33>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
// CHECK-SAME: : (tensor<1x8x16x16xf32>, tensor<8x2x2x2xf32>, tensor<4xf32>) -> tensor<1x4x33x33xf32>
func.func @conv_transpose(%x: tensor<1x8x16x16xf32>, %w: tensor<8x2x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x4x33x33xf32> {
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, output_padding = array<i64: 1, 1>, output_shape = array<i64: 33, 33>, group = 2 : i64, auto_pad = #nn<auto_pad valid>}
      : (tensor<1x8x16x16xf32>, tensor<8x2x2x2xf32>, tensor<4xf32>) -> tensor<1x4x33x33xf32>
  return %0 : tensor<1x4x33x33xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pool_max
// CHECK: nn.pool max %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-SAME: : (tensor<1x64x112x112xf32>) -> tensor<1x64x57x57xf32>
// GENERIC-LABEL: sym_name = "pool_max"
// GENERIC: "nn.pool"(%{{.*}}) <{auto_pad = #nn<auto_pad notset>, ceil_mode = true, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, kind = #nn<pool max>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}>
func.func @pool_max(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x57x57xf32> {
  // auto_pad = notset equals the default: printed in the generic form only.
  %0 = nn.pool max %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, auto_pad = #nn<auto_pad notset>}
      : (tensor<1x64x112x112xf32>) -> tensor<1x64x57x57xf32>
  return %0 : tensor<1x64x57x57xf32>
}

// CHECK-LABEL: func.func @pool_average
// CHECK: nn.pool average %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// CHECK-SAME: : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
func.func @pool_average(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32> {
  %0 = nn.pool average %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, count_include_pad = true}
      : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// CHECK-LABEL: func.func @global_pool
// CHECK: %[[A:.*]] = nn.global_pool average %{{.*}} : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
// CHECK: nn.global_pool max %[[A]] : (tensor<1x512x1x1xf32>) -> tensor<1x512x1x1xf32>
func.func @global_pool(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32> {
  %0 = nn.global_pool average %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
  %1 = nn.global_pool max %0 : (tensor<1x512x1x1xf32>) -> tensor<1x512x1x1xf32>
  return %1 : tensor<1x512x1x1xf32>
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @batch_norm
// CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
// CHECK-SAME: : (tensor<1x64x57x57xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x57x57xf32>
// CHECK: nn.batch_norm
// CHECK-NOT: epsilon
// CHECK-SAME: -> tensor<1x64x57x57xf32>
func.func @batch_norm(%x: tensor<1x64x57x57xf32>, %s: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<1x64x57x57xf32> {
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-03 : f32}
      : (tensor<1x64x57x57xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x57x57xf32>
  %1 = nn.batch_norm %0, %s, %b, %m, %v
      : (tensor<1x64x57x57xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x57x57xf32>
  return %1 : tensor<1x64x57x57xf32>
}

// CHECK-LABEL: func.func @instance_norm
// CHECK: nn.instance_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x?x?xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x?x?xf32>
func.func @instance_norm(%x: tensor<2x16x?x?xf32>, %s: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<2x16x?x?xf32> {
  // The default epsilon, given explicitly, is elided.
  %0 = nn.instance_norm %x, %s, %b {epsilon = 1.0e-05 : f32}
      : (tensor<2x16x?x?xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x?x?xf32>
  return %0 : tensor<2x16x?x?xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary
// CHECK: nn.unary relu %{{.*}} : (tensor<1x8x4x4xf32>)
// CHECK: nn.unary leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
// CHECK: nn.unary sigmoid
// CHECK: nn.unary tanh
// CHECK: nn.unary hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
// CHECK: nn.unary hard_swish
// CHECK: nn.unary elu %{{.*}} {alpha = 1.000000e+00 : f32}
// CHECK: nn.unary softplus
// CHECK: nn.unary exp
// CHECK: nn.unary log
// CHECK: nn.unary sqrt
// CHECK: nn.unary erf
// CHECK: nn.unary abs
// CHECK: nn.unary neg
// CHECK: nn.unary floor
// CHECK: nn.unary ceil
// CHECK: nn.unary reciprocal %{{.*}} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
// CHECK: nn.unary relu %{{.*}} : (tensor<4xi64>) -> tensor<4xi64>
// CHECK: nn.unary abs %{{.*}} : (tensor<4xi64>) -> tensor<4xi64>
// CHECK: nn.unary neg %{{.*}} : (tensor<4xi64>) -> tensor<4xi64>
// GENERIC-LABEL: sym_name = "unary"
// GENERIC: "nn.unary"(%{{.*}}) <{kind = #nn<unary relu>}>
// GENERIC: "nn.unary"(%{{.*}}) <{alpha = 1.000000e-01 : f32, kind = #nn<unary leaky_relu>}>
func.func @unary(%x: tensor<1x8x4x4xf32>, %i: tensor<4xi64>) -> (tensor<1x8x4x4xf32>, tensor<4xi64>) {
  %0 = nn.unary relu %x : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = nn.unary leaky_relu %0 {alpha = 1.0e-01 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %2 = nn.unary sigmoid %1 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %3 = nn.unary tanh %2 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %4 = nn.unary hard_sigmoid %3 {alpha = 2.0e-01 : f32, beta = 5.0e-01 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %5 = nn.unary hard_swish %4 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %6 = nn.unary elu %5 {alpha = 1.0 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %7 = nn.unary softplus %6 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %8 = nn.unary exp %7 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %9 = nn.unary log %8 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %10 = nn.unary sqrt %9 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %11 = nn.unary erf %10 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %12 = nn.unary abs %11 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %13 = nn.unary neg %12 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %14 = nn.unary floor %13 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %15 = nn.unary ceil %14 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %16 = nn.unary reciprocal %15 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %17 = nn.unary relu %i : (tensor<4xi64>) -> tensor<4xi64>
  %18 = nn.unary abs %17 : (tensor<4xi64>) -> tensor<4xi64>
  %19 = nn.unary neg %18 : (tensor<4xi64>) -> tensor<4xi64>
  return %16, %19 : tensor<1x8x4x4xf32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @binary
// CHECK: nn.binary add %{{.*}}, %{{.*}} : (tensor<1x64x57x57xf32>, tensor<64x1x1xf32>) -> tensor<1x64x57x57xf32>
// CHECK: nn.binary sub
// CHECK: nn.binary mul
// CHECK: nn.binary div
// CHECK: nn.binary pow
// CHECK: nn.binary max
// CHECK: nn.binary min %{{.*}}, %{{.*}} : (tensor<1x64x57x57xf32>, tensor<f32>) -> tensor<1x64x57x57xf32>
// GENERIC-LABEL: sym_name = "binary"
// GENERIC: "nn.binary"(%{{.*}}, %{{.*}}) <{kind = #nn<binary add>}>
func.func @binary(%a: tensor<1x64x57x57xf32>, %b: tensor<64x1x1xf32>, %s: tensor<f32>) -> tensor<1x64x57x57xf32> {
  %0 = nn.binary add %a, %b : (tensor<1x64x57x57xf32>, tensor<64x1x1xf32>) -> tensor<1x64x57x57xf32>
  %1 = nn.binary sub %0, %b : (tensor<1x64x57x57xf32>, tensor<64x1x1xf32>) -> tensor<1x64x57x57xf32>
  %2 = nn.binary mul %1, %s : (tensor<1x64x57x57xf32>, tensor<f32>) -> tensor<1x64x57x57xf32>
  %3 = nn.binary div %2, %s : (tensor<1x64x57x57xf32>, tensor<f32>) -> tensor<1x64x57x57xf32>
  %4 = nn.binary pow %3, %s : (tensor<1x64x57x57xf32>, tensor<f32>) -> tensor<1x64x57x57xf32>
  %5 = nn.binary max %4, %a : (tensor<1x64x57x57xf32>, tensor<1x64x57x57xf32>) -> tensor<1x64x57x57xf32>
  %6 = nn.binary min %5, %s : (tensor<1x64x57x57xf32>, tensor<f32>) -> tensor<1x64x57x57xf32>
  return %6 : tensor<1x64x57x57xf32>
}

// CHECK-LABEL: func.func @compare_where
// CHECK: %[[EQ:.*]] = nn.compare equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: nn.compare less
// CHECK: nn.compare less_or_equal
// CHECK: nn.compare greater
// CHECK: nn.compare greater_or_equal
// CHECK: %[[NOT:.*]] = nn.not %[[EQ]] : (tensor<2x3xi1>) -> tensor<2x3xi1>
// CHECK: nn.where %[[NOT]], %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// GENERIC-LABEL: sym_name = "compare_where"
// GENERIC: "nn.compare"(%{{.*}}, %{{.*}}) <{kind = #nn<compare equal>}>
// GENERIC: "nn.not"
// GENERIC: "nn.where"
func.func @compare_where(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>) {
  %0 = nn.compare equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = nn.compare less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = nn.compare less_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = nn.compare greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %4 = nn.compare greater_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %5 = nn.not %0 : (tensor<2x3xi1>) -> tensor<2x3xi1>
  %6 = nn.where %5, %a, %s : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %6, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @range_scatter
// CHECK: nn.binary mod %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK: nn.binary fmod
// CHECK: %[[R:.*]] = nn.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
// CHECK: nn.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
// GENERIC-LABEL: sym_name = "range_scatter"
// GENERIC: "nn.binary"(%{{.*}}, %{{.*}}) <{kind = #nn<binary mod>}>
// GENERIC: "nn.range"
// GENERIC: "nn.scatter_nd"
func.func @range_scatter(%a: tensor<i64>, %b: tensor<i64>, %data: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> (tensor<i64>, tensor<i64>, tensor<?xi64>, tensor<4x4xf32>) {
  %0 = nn.binary mod %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %1 = nn.binary fmod %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %2 = nn.range %a, %b, %b : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %3 = nn.scatter_nd %data, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0, %1, %2, %3 : tensor<i64>, tensor<i64>, tensor<?xi64>, tensor<4x4xf32>
}

// CHECK-LABEL: func.func @clip
// CHECK-SAME: (%[[X:.*]]: tensor<1x32x112x112xf32>, %[[LO:.*]]: tensor<f32>, %[[HI:.*]]: tensor<f32>)
// CHECK: %[[A:.*]] = nn.clip %[[X]] min(%[[LO]]) max(%[[HI]]) : (tensor<1x32x112x112xf32>, tensor<f32>, tensor<f32>) -> tensor<1x32x112x112xf32>
// CHECK: %[[B:.*]] = nn.clip %[[A]] min(%[[LO]]) : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
// CHECK: %[[C:.*]] = nn.clip %[[B]] max(%[[HI]]) : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
// CHECK: nn.clip %[[C]] : (tensor<1x32x112x112xf32>) -> tensor<1x32x112x112xf32>
// GENERIC-LABEL: sym_name = "clip"
// GENERIC: "nn.clip"(%{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1>}>
// GENERIC: "nn.clip"(%{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 0>}>
// GENERIC: "nn.clip"(%{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 0, 1>}>
func.func @clip(%x: tensor<1x32x112x112xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<1x32x112x112xf32> {
  %0 = nn.clip %x min(%lo) max(%hi) : (tensor<1x32x112x112xf32>, tensor<f32>, tensor<f32>) -> tensor<1x32x112x112xf32>
  %1 = nn.clip %0 min(%lo) : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
  %2 = nn.clip %1 max(%hi) : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
  %3 = nn.clip %2 : (tensor<1x32x112x112xf32>) -> tensor<1x32x112x112xf32>
  return %3 : tensor<1x32x112x112xf32>
}

// CHECK-LABEL: func.func @prelu
// CHECK: nn.prelu %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
func.func @prelu(%x: tensor<1x8x4x4xf32>, %slope: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = nn.prelu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK: %[[A:.*]] = nn.softmax %{{.*}} {axis = 1 : i64} : (tensor<1x1000xf32>) -> tensor<1x1000xf32>
// CHECK: nn.softmax %[[A]] : (tensor<1x1000xf32>) -> tensor<1x1000xf32>
// GENERIC-LABEL: sym_name = "softmax"
// GENERIC: "nn.softmax"(%{{.*}}) <{axis = 1 : i64}>
// GENERIC: "nn.softmax"(%{{.*}}) <{axis = -1 : i64}>
func.func @softmax(%x: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  %0 = nn.softmax %x {axis = 1 : i64} : (tensor<1x1000xf32>) -> tensor<1x1000xf32>
  %1 = nn.softmax %0 : (tensor<1x1000xf32>) -> tensor<1x1000xf32>
  return %1 : tensor<1x1000xf32>
}

//===----------------------------------------------------------------------===//
// Linear algebra and reduction
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gemm
// CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, trans_a = true, trans_b = true}
// CHECK-SAME: : (tensor<512x1xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
// CHECK: nn.gemm %{{.*}}, %{{.*}} : (tensor<1x1000xf32>, tensor<1000x10xf32>) -> tensor<1x10xf32>
func.func @gemm(%a: tensor<512x1xf32>, %b: tensor<1000x512xf32>, %c: tensor<1000xf32>, %d: tensor<1000x10xf32>) -> tensor<1x10xf32> {
  %0 = nn.gemm %a, %b, %c {alpha = 5.0e-01 : f32, beta = 2.0 : f32, trans_a = true, trans_b = true}
      : (tensor<512x1xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  %1 = nn.gemm %0, %d : (tensor<1x1000xf32>, tensor<1000x10xf32>) -> tensor<1x10xf32>
  return %1 : tensor<1x10xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
func.func @matmul(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @reduce
// CHECK: nn.reduce mean %{{.*}} axes(%{{.*}}) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64x1x1xf32>
// CHECK: nn.reduce sum %{{.*}} axes(%{{.*}}) {keepdims = false} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64xf32>
// CHECK: nn.reduce max %{{.*}} : (tensor<1x64x7x7xf32>) -> tensor<1x1x1x1xf32>
// CHECK: nn.reduce min %{{.*}} {noop_with_empty_axes = true} : (tensor<1x64x7x7xf32>) -> tensor<1x64x7x7xf32>
// CHECK: nn.reduce prod %{{.*}} axes(%{{.*}}) {keepdims = false, noop_with_empty_axes = true} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64xf32>
func.func @reduce(%x: tensor<1x64x7x7xf32>, %axes: tensor<2xi64>) -> (tensor<1x64x1x1xf32>, tensor<1x64xf32>, tensor<1x1x1x1xf32>, tensor<1x64x7x7xf32>, tensor<1x64xf32>) {
  %c = nn.constant dense<[2, 3]> : tensor<2xi64>
  %0 = nn.reduce mean %x axes(%c) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64x1x1xf32>
  %1 = nn.reduce sum %x axes(%c) {keepdims = false} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64xf32>
  %2 = nn.reduce max %x : (tensor<1x64x7x7xf32>) -> tensor<1x1x1x1xf32>
  %3 = nn.reduce min %x {noop_with_empty_axes = true} : (tensor<1x64x7x7xf32>) -> tensor<1x64x7x7xf32>
  %4 = nn.reduce prod %x axes(%c) {keepdims = false, noop_with_empty_axes = true} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64xf32>
  return %0, %1, %2, %3, %4 : tensor<1x64x1x1xf32>, tensor<1x64xf32>, tensor<1x1x1x1xf32>, tensor<1x64x7x7xf32>, tensor<1x64xf32>
}

//===----------------------------------------------------------------------===//
// Resampling and layout
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @resize_scales
// CHECK: nn.resize %{{.*}} scales(%{{.*}}) {mode = #nn<resize_mode linear>} : (tensor<1x21x28x28xf32>, tensor<4xf32>) -> tensor<1x21x224x224xf32>
// GENERIC-LABEL: sym_name = "resize_scales"
// GENERIC: "nn.resize"(%{{.*}}, %{{.*}}) <{antialias = false, coordinate_transformation_mode = #nn<coordinate_transform half_pixel>, cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = false, extrapolation_value = 0.000000e+00 : f32, keep_aspect_ratio_policy = #nn<aspect_ratio_policy stretch>, mode = #nn<resize_mode linear>, nearest_mode = #nn<nearest_mode round_prefer_floor>, operandSegmentSizes = array<i32: 1, 0, 1, 0>}>
func.func @resize_scales(%x: tensor<1x21x28x28xf32>) -> tensor<1x21x224x224xf32> {
  %s = nn.constant dense<[1.0, 1.0, 8.0, 8.0]> : tensor<4xf32>
  %0 = nn.resize %x scales(%s) {mode = #nn<resize_mode linear>} : (tensor<1x21x28x28xf32>, tensor<4xf32>) -> tensor<1x21x224x224xf32>
  return %0 : tensor<1x21x224x224xf32>
}

// CHECK-LABEL: func.func @resize_every_attribute
// CHECK: nn.resize %{{.*}} roi(%{{.*}}) sizes(%{{.*}}) {antialias = true, axes = array<i64: 2, 3>, coordinate_transformation_mode = #nn<coordinate_transform tf_crop_and_resize>, cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, extrapolation_value = 1.000000e+00 : f32, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_larger>, mode = #nn<resize_mode cubic>, nearest_mode = #nn<nearest_mode ceil>}
// CHECK-SAME: : (tensor<1x3x20x40xf32>, tensor<4xf32>, tensor<2xi64>) -> tensor<1x3x10x20xf32>
func.func @resize_every_attribute(%x: tensor<1x3x20x40xf32>, %roi: tensor<4xf32>) -> tensor<1x3x10x20xf32> {
  %sizes = nn.constant dense<[10, 30]> : tensor<2xi64>
  %0 = nn.resize %x roi(%roi) sizes(%sizes) {mode = #nn<resize_mode cubic>, coordinate_transformation_mode = #nn<coordinate_transform tf_crop_and_resize>, nearest_mode = #nn<nearest_mode ceil>, cubic_coeff_a = -5.0e-01 : f32, exclude_outside = true, extrapolation_value = 1.0 : f32, antialias = true, axes = array<i64: 2, 3>, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_larger>}
      : (tensor<1x3x20x40xf32>, tensor<4xf32>, tensor<2xi64>) -> tensor<1x3x10x20xf32>
  return %0 : tensor<1x3x10x20xf32>
}

// CHECK-LABEL: func.func @resize_enums
// CHECK: coordinate_transformation_mode = #nn<coordinate_transform pytorch_half_pixel>, nearest_mode = #nn<nearest_mode floor>
// CHECK: coordinate_transformation_mode = #nn<coordinate_transform align_corners>, nearest_mode = #nn<nearest_mode round_prefer_ceil>
// CHECK: coordinate_transformation_mode = #nn<coordinate_transform asymmetric>, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_smaller>
// CHECK: coordinate_transformation_mode = #nn<coordinate_transform half_pixel_symmetric>
func.func @resize_enums(%x: tensor<1x3x8x8xf32>, %s: tensor<4xf32>, %n: tensor<4xi64>) -> (tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>) {
  %0 = nn.resize %x scales(%s) {coordinate_transformation_mode = #nn<coordinate_transform pytorch_half_pixel>, nearest_mode = #nn<nearest_mode floor>} : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x?x?xf32>
  %1 = nn.resize %x scales(%s) {coordinate_transformation_mode = #nn<coordinate_transform align_corners>, nearest_mode = #nn<nearest_mode round_prefer_ceil>} : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x?x?xf32>
  %2 = nn.resize %x sizes(%n) {coordinate_transformation_mode = #nn<coordinate_transform asymmetric>, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_smaller>} : (tensor<1x3x8x8xf32>, tensor<4xi64>) -> tensor<1x3x?x?xf32>
  %3 = nn.resize %x sizes(%n) {coordinate_transformation_mode = #nn<coordinate_transform half_pixel_symmetric>} : (tensor<1x3x8x8xf32>, tensor<4xi64>) -> tensor<1x3x?x?xf32>
  return %0, %1, %2, %3 : tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>, tensor<1x3x?x?xf32>
}

// CHECK-LABEL: func.func @depth_to_space
// CHECK: nn.depth_to_space %{{.*}} {blocksize = 2 : i64} : (tensor<1x16x8x8xf32>) -> tensor<1x4x16x16xf32>
// CHECK: nn.depth_to_space %{{.*}} {blocksize = 2 : i64, mode = #nn<depth_to_space_mode crd>} : (tensor<1x16x8x8xf32>) -> tensor<1x4x16x16xf32>
func.func @depth_to_space(%x: tensor<1x16x8x8xf32>) -> (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) {
  %0 = nn.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x16x8x8xf32>) -> tensor<1x4x16x16xf32>
  %1 = nn.depth_to_space %x {blocksize = 2 : i64, mode = #nn<depth_to_space_mode crd>} : (tensor<1x16x8x8xf32>) -> tensor<1x4x16x16xf32>
  return %0, %1 : tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>
}

// CHECK-LABEL: func.func @space_to_depth
// CHECK: nn.space_to_depth %{{.*}} {blocksize = 2 : i64} : (tensor<1x4x16x16xf32>) -> tensor<1x16x8x8xf32>
func.func @space_to_depth(%x: tensor<1x4x16x16xf32>) -> tensor<1x16x8x8xf32> {
  %0 = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x4x16x16xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// CHECK-LABEL: func.func @pad
// CHECK: nn.pad %{{.*}}, %{{.*}} value(%{{.*}}) {mode = #nn<pad_mode reflect>} : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
// CHECK: nn.pad %{{.*}}, %{{.*}} axes(%{{.*}}) {mode = #nn<pad_mode edge>} : (tensor<1x3x8x8xf32>, tensor<4xi64>, tensor<2xi64>) -> tensor<1x3x10x10xf32>
// CHECK: nn.pad %{{.*}}, %{{.*}} value(%{{.*}}) axes(%{{.*}}) {mode = #nn<pad_mode wrap>} : (tensor<1x3x8x8xf32>, tensor<4xi64>, tensor<f32>, tensor<2xi64>) -> tensor<1x3x10x10xf32>
// CHECK: nn.pad %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
// GENERIC-LABEL: sym_name = "pad"
// GENERIC: "nn.pad"(%{{.*}}, %{{.*}}, %{{.*}}) <{mode = #nn<pad_mode reflect>, operandSegmentSizes = array<i32: 1, 1, 1, 0>}>
// GENERIC: "nn.pad"(%{{.*}}, %{{.*}}, %{{.*}}) <{mode = #nn<pad_mode edge>, operandSegmentSizes = array<i32: 1, 1, 0, 1>}>
func.func @pad(%x: tensor<1x3x8x8xf32>, %zero: tensor<f32>) -> (tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>) {
  %pads = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %pads2 = nn.constant dense<1> : tensor<4xi64>
  %axes = nn.constant dense<[2, 3]> : tensor<2xi64>
  %0 = nn.pad %x, %pads value(%zero) {mode = #nn<pad_mode reflect>} : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
  %1 = nn.pad %x, %pads2 axes(%axes) {mode = #nn<pad_mode edge>} : (tensor<1x3x8x8xf32>, tensor<4xi64>, tensor<2xi64>) -> tensor<1x3x10x10xf32>
  %2 = nn.pad %x, %pads2 value(%zero) axes(%axes) {mode = #nn<pad_mode wrap>} : (tensor<1x3x8x8xf32>, tensor<4xi64>, tensor<f32>, tensor<2xi64>) -> tensor<1x3x10x10xf32>
  %3 = nn.pad %x, %pads {mode = #nn<pad_mode constant>} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  return %0, %1, %2, %3 : tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>, tensor<1x3x10x10xf32>
}

// CHECK-LABEL: func.func @reshape
// CHECK: nn.reshape %{{.*}}, %{{.*}} : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
// CHECK: nn.reshape %{{.*}}, %{{.*}} {allowzero = true} : (tensor<1x512xf32>, tensor<2xi64>) -> tensor<1x512xf32>
func.func @reshape(%x: tensor<1x512x1x1xf32>) -> tensor<1x512xf32> {
  %shape = nn.constant dense<[1, 512]> : tensor<2xi64>
  %0 = nn.reshape %x, %shape : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
  %1 = nn.reshape %0, %shape {allowzero = true} : (tensor<1x512xf32>, tensor<2xi64>) -> tensor<1x512xf32>
  return %1 : tensor<1x512xf32>
}

// CHECK-LABEL: func.func @flatten
// CHECK: nn.flatten %{{.*}} : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
// CHECK: nn.flatten %{{.*}} {axis = 0 : i64} : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
// CHECK: nn.flatten %{{.*}} {axis = -1 : i64} : (tensor<1x512x7x7xf32>) -> tensor<3584x7xf32>
func.func @flatten(%x: tensor<1x512x7x7xf32>) -> (tensor<1x25088xf32>, tensor<1x25088xf32>, tensor<3584x7xf32>) {
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
  %1 = nn.flatten %x {axis = 0 : i64} : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
  %2 = nn.flatten %x {axis = -1 : i64} : (tensor<1x512x7x7xf32>) -> tensor<3584x7xf32>
  return %0, %1, %2 : tensor<1x25088xf32>, tensor<1x25088xf32>, tensor<3584x7xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK: nn.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32>
// CHECK: nn.transpose %{{.*}} : (tensor<1x3x2x4xf32>) -> tensor<4x2x3x1xf32>
func.func @transpose(%x: tensor<1x2x3x4xf32>) -> tensor<4x2x3x1xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32>
  %1 = nn.transpose %0 : (tensor<1x3x2x4xf32>) -> tensor<4x2x3x1xf32>
  return %1 : tensor<4x2x3x1xf32>
}

// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK: %[[S:.*]] = nn.squeeze %{{.*}} axes(%{{.*}}) : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
// CHECK: %[[U:.*]] = nn.unsqueeze %[[S]], %{{.*}} : (tensor<1x512xf32>, tensor<2xi64>) -> tensor<1x512x1x1xf32>
// CHECK: nn.squeeze %[[U]] : (tensor<1x512x1x1xf32>) -> tensor<512xf32>
func.func @squeeze_unsqueeze(%x: tensor<1x512x1x1xf32>) -> tensor<512xf32> {
  %axes = nn.constant dense<[2, 3]> : tensor<2xi64>
  %0 = nn.squeeze %x axes(%axes) : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
  %1 = nn.unsqueeze %0, %axes : (tensor<1x512xf32>, tensor<2xi64>) -> tensor<1x512x1x1xf32>
  %2 = nn.squeeze %1 : (tensor<1x512x1x1xf32>) -> tensor<512xf32>
  return %2 : tensor<512xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
// CHECK: nn.concat %{{.*}} {axis = -1 : i64} : (tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
func.func @concat(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x28x28xf32>) -> (tensor<1x96x28x28xf32>, tensor<1x64x28x28xf32>) {
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
  %1 = nn.concat %a {axis = -1 : i64} : (tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  return %0, %1 : tensor<1x96x28x28xf32>, tensor<1x64x28x28xf32>
}

// CHECK-LABEL: func.func @split
// CHECK: %{{.*}}:2 = nn.split %{{.*}} {axis = 1 : i64} : (tensor<1x64x8x8xf32>) -> (tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>)
// CHECK: %{{.*}}:3 = nn.split %{{.*}} sizes(%{{.*}}) {axis = -1 : i64} : (tensor<1x64x8x8xf32>, tensor<3xi64>) -> (tensor<1x64x8x2xf32>, tensor<1x64x8x2xf32>, tensor<1x64x8x4xf32>)
// CHECK: nn.split %{{.*}} : (tensor<6xi64>) -> tensor<6xi64>
func.func @split(%x: tensor<1x64x8x8xf32>, %v: tensor<6xi64>) -> (tensor<1x32x8x8xf32>, tensor<1x64x8x4xf32>, tensor<6xi64>) {
  %sizes = nn.constant dense<[2, 2, 4]> : tensor<3xi64>
  %0:2 = nn.split %x {axis = 1 : i64} : (tensor<1x64x8x8xf32>) -> (tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>)
  %1:3 = nn.split %x sizes(%sizes) {axis = -1 : i64} : (tensor<1x64x8x8xf32>, tensor<3xi64>) -> (tensor<1x64x8x2xf32>, tensor<1x64x8x2xf32>, tensor<1x64x8x4xf32>)
  %2 = nn.split %v : (tensor<6xi64>) -> tensor<6xi64>
  return %0#1, %1#2, %2 : tensor<1x32x8x8xf32>, tensor<1x64x8x4xf32>, tensor<6xi64>
}

//===----------------------------------------------------------------------===//
// Shape computations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @shape_gather_slice
// CHECK: %[[S:.*]] = nn.shape %{{.*}} : (tensor<1x3x?x?xf32>) -> tensor<4xi64>
// CHECK: nn.shape %{{.*}} {end = -1 : i64, start = 1 : i64} : (tensor<1x3x?x?xf32>) -> tensor<2xi64>
// CHECK: nn.gather %[[S]], %{{.*}} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
// CHECK: nn.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x3x?x?xf32>, tensor<2xi64>) -> tensor<1x2x?x?xf32>
// CHECK: nn.slice %[[S]], %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
// CHECK: nn.slice %[[S]], %{{.*}}, %{{.*}} axes(%{{.*}}) steps(%{{.*}}) : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
// CHECK: nn.slice %[[S]], %{{.*}}, %{{.*}} steps(%{{.*}}) : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
// GENERIC-LABEL: sym_name = "shape_gather_slice"
// GENERIC: "nn.shape"(%{{.*}}) <{start = 0 : i64}>
// GENERIC: "nn.shape"(%{{.*}}) <{end = -1 : i64, start = 1 : i64}>
// GENERIC: "nn.slice"(%{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}>
// GENERIC: "nn.slice"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>}>
// GENERIC: "nn.slice"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}>
func.func @shape_gather_slice(%x: tensor<1x3x?x?xf32>, %i: tensor<i64>, %j: tensor<2xi64>) -> (tensor<4xi64>, tensor<2xi64>, tensor<i64>, tensor<1x2x?x?xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %start = nn.constant dense<2> : tensor<1xi64>
  %end = nn.constant dense<4> : tensor<1xi64>
  %axis = nn.constant dense<0> : tensor<1xi64>
  %step = nn.constant dense<1> : tensor<1xi64>
  %zero = nn.constant dense<0> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %0 = nn.shape %x : (tensor<1x3x?x?xf32>) -> tensor<4xi64>
  %1 = nn.shape %x {start = 1 : i64, end = -1 : i64} : (tensor<1x3x?x?xf32>) -> tensor<2xi64>
  %2 = nn.gather %0, %i {axis = 0 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %3 = nn.gather %x, %j {axis = 1 : i64} : (tensor<1x3x?x?xf32>, tensor<2xi64>) -> tensor<1x2x?x?xf32>
  %4 = nn.slice %0, %start, %end : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %5 = nn.slice %0, %start, %end axes(%axis) steps(%step) : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %6 = nn.slice %0, %zero, %end steps(%two) : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi64>, tensor<2xi64>, tensor<i64>, tensor<1x2x?x?xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// CHECK-LABEL: func.func @cast
// CHECK: nn.cast %{{.*}} : (tensor<2xi64>) -> tensor<2xf32>
// CHECK: nn.cast %{{.*}} : (tensor<2xf32>) -> tensor<2xf16>
func.func @cast(%x: tensor<2xi64>) -> tensor<2xf16> {
  %0 = nn.cast %x : (tensor<2xi64>) -> tensor<2xf32>
  %1 = nn.cast %0 : (tensor<2xf32>) -> tensor<2xf16>
  return %1 : tensor<2xf16>
}

// CHECK-LABEL: func.func @constants
// CHECK: nn.constant dense<[1, 512]> : tensor<2xi64>
// CHECK: nn.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: nn.constant dense_resource<conv1.weight> : tensor<2x2xf32>
// CHECK: nn.constant dense<7> : tensor<i8>
// GENERIC-LABEL: sym_name = "constants"
// GENERIC: "nn.constant"() <{value = dense<[1, 512]> : tensor<2xi64>}> : () -> tensor<2xi64>
// GENERIC: "nn.constant"() <{value = dense_resource<conv1.weight> : tensor<2x2xf32>}> : () -> tensor<2x2xf32>
func.func @constants() -> (tensor<2xi64>, tensor<2xf32>, tensor<2x2xf32>, tensor<i8>) {
  %0 = nn.constant dense<[1, 512]> : tensor<2xi64>
  %1 = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = nn.constant dense_resource<conv1.weight> : tensor<2x2xf32>
  %3 = nn.constant dense<7> : tensor<i8>
  return %0, %1, %2, %3 : tensor<2xi64>, tensor<2xf32>, tensor<2x2xf32>, tensor<i8>
}

// CHECK-LABEL: func.func @constant_of_shape
// CHECK: nn.constant_of_shape %{{.*}} {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<?x?xi64>
// CHECK: nn.constant_of_shape %{{.*}} : (tensor<2xi64>) -> tensor<?x?xf32>
func.func @constant_of_shape(%shape: tensor<2xi64>) -> (tensor<?x?xi64>, tensor<?x?xf32>) {
  %0 = nn.constant_of_shape %shape {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<?x?xi64>
  %1 = nn.constant_of_shape %shape : (tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x?xi64>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @expand
// CHECK: nn.expand %{{.*}}, %{{.*}} : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
func.func @expand(%x: tensor<1x1x4xf32>) -> tensor<2x3x4xf32> {
  %shape = nn.constant dense<[2, 3, 1]> : tensor<3xi64>
  %0 = nn.expand %x, %shape : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @quant
// CHECK: nn.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
// CHECK: nn.quantize_linear %{{.*}}, %{{.*}} : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xui8>
// CHECK: nn.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<64x3x3x3xi8>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x3x3x3xf32>
// CHECK: nn.dequantize_linear %{{.*}}, %{{.*}} {block_size = 2 : i64} : (tensor<4x8xi8>, tensor<4x4xf32>) -> tensor<4x8xf32>
func.func @quant(%x: tensor<1x8xf32>, %s: tensor<f32>, %zp: tensor<i8>, %w: tensor<64x3x3x3xi8>, %ws: tensor<64xf32>, %wz: tensor<64xi8>, %b: tensor<4x8xi8>, %bs: tensor<4x4xf32>)
    -> (tensor<1x8xi8>, tensor<1x8xui8>, tensor<64x3x3x3xf32>, tensor<4x8xf32>) {
  %0 = nn.quantize_linear %x, %s, %zp : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
  %1 = nn.quantize_linear %x, %s : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xui8>
  %2 = nn.dequantize_linear %w, %ws, %wz {axis = 0 : i64} : (tensor<64x3x3x3xi8>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x3x3x3xf32>
  %3 = nn.dequantize_linear %b, %bs {axis = 1 : i64, block_size = 2 : i64} : (tensor<4x8xi8>, tensor<4x4xf32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<1x8xi8>, tensor<1x8xui8>, tensor<64x3x3x3xf32>, tensor<4x8xf32>
}

//===----------------------------------------------------------------------===//
// Operators nn does not know
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @custom
// CHECK: nn.custom "Swish"(%{{.*}}) {domain = "com.example", node_attributes = {beta = 1.000000e+00 : f32, mode = "fast", sizes = [1, 2]}} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
// CHECK: %{{.*}}:2 = nn.custom "TopK"(%{{.*}}, %{{.*}}) : (tensor<1x8x4x4xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
// CHECK: nn.custom "Rand"() : () -> tensor<2xf32>
// GENERIC-LABEL: sym_name = "custom"
// GENERIC: "nn.custom"(%{{.*}}) <{domain = "com.example", node_attributes = {beta = 1.000000e+00 : f32, mode = "fast", sizes = [1, 2]}, op_type = "Swish"}>
func.func @custom(%x: tensor<1x8x4x4xf32>, %k: tensor<1xi64>) -> (tensor<1x8x4x4xf32>, tensor<?xf32>, tensor<2xf32>) {
  %0 = nn.custom "Swish"(%x) {domain = "com.example", node_attributes = {beta = 1.0 : f32, mode = "fast", sizes = [1, 2]}} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1:2 = nn.custom "TopK"(%x, %k) : (tensor<1x8x4x4xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
  %2 = nn.custom "Rand"() : () -> tensor<2xf32>
  return %0, %1#0, %2 : tensor<1x8x4x4xf32>, tensor<?xf32>, tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      conv1.weight: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
