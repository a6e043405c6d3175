// RUN: mlc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of every nn op. The verifier's messages start
// with "'nn.<op>' op "; the cases match the part after it.

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

func.func @conv_kernel_too_large(%x: tensor<1x3x2x2xf32>, %w: tensor<16x3x5x5xf32>) -> tensor<?x?x?x?xf32> {
  // expected-error @+1 {{'nn.conv' op kernel 5x5 does not fit the 2x2 input}}
  %0 = nn.conv %x, %w : (tensor<1x3x2x2xf32>, tensor<16x3x5x5xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

func.func @conv_kernel_too_large_padded_dilated(%x: tensor<1x3x4x4xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<?x?x?x?xf32> {
  // expected-error @+1 {{kernel 3x3 does not fit the 4x4 input with pads [0, 1, 0, 0] at dilations 2x2}}
  %0 = nn.conv %x, %w {pads = array<i64: 0, 1, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

func.func @conv_rank(%x: tensor<1x3xf32>, %w: tensor<16x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs an input of rank 3 or more (N x C x spatial dims), got rank 2}}
  %0 = nn.conv %x, %w : (tensor<1x3xf32>, tensor<16x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{weight of rank 3 does not match the input of rank 4}}
  %0 = nn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<16x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_channel_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 4 channels but the weight takes 3 per group x 1 groups}}
  %0 = nn.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 8 channels but the weight takes 2 per group x 2 groups}}
  %0 = nn.conv %x, %w {group = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<16x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group_output_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{6 output channels do not divide into 4 groups}}
  %0 = nn.conv %x, %w {group = 4 : i64} : (tensor<1x8x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x8x8x8xf32>, %w: tensor<8x8x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{group must be positive, got 0}}
  %0 = nn.conv %x, %w {group = 0 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias has 8 values for 16 output channels}}
  %0 = nn.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<1x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias must be 1-D, got rank 2}}
  %0 = nn.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<1x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_kernel_shape_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel_shape has 1 dims for 2 spatial dims}}
  %0 = nn.conv %x, %w {kernel_shape = array<i64: 3>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_kernel_shape_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel_shape 5x5 does not match the weight's 3x3}}
  %0 = nn.conv %x, %w {kernel_shape = array<i64: 5, 5>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{strides has 1 values for 2 spatial dims}}
  %0 = nn.conv %x, %w {strides = array<i64: 2>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{strides must be at least 1, got 0}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{dilations must be at least 1, got 0}}
  %0 = nn.conv %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{pads has 2 values for 2 spatial dims}}
  %0 = nn.conv %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{pads must be at least 0, got -1}}
  %0 = nn.conv %x, %w {pads = array<i64: 1, 1, -1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x0x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel dims must be positive, got 0x3}}
  %0 = nn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<16x3x0x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_result_contradicts(%x: tensor<1x3x224x224xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x224x224xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x16x224x224xf32>' but its operands give 'tensor<1x16x222x222xf32>'}}
  %0 = nn.conv %x, %w : (tensor<1x3x224x224xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x224x224xf32>
  return %0 : tensor<1x16x224x224xf32>
}

// -----

func.func @conv_result_rank_contradicts(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<?x?x?xf32>' but its operands give 'tensor<1x16x6x6xf32>'}}
  %0 = nn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @conv_result_element_type_contradicts(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf16> {
  // expected-error @+1 {{result #0 is declared 'tensor<*xf16>' but its operands give 'tensor<1x16x6x6xf32>'}}
  %0 = nn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf16>
  return %0 : tensor<*xf16>
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

// -----

func.func @conv_transpose_channels(%x: tensor<1x8x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 8 channels but the weight takes 4}}
  %0 = nn.conv_transpose %x, %w : (tensor<1x8x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_bias(%x: tensor<1x8x4x4xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<*xf32> {
  // The weight's 2 output channels per group x 2 groups.
  // expected-error @+1 {{bias has 2 values for 4 output channels}}
  %0 = nn.conv_transpose %x, %w, %b {group = 2 : i64} : (tensor<1x8x4x4xf32>, tensor<8x2x3x3xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_group(%x: tensor<1x8x4x4xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{group must be positive, got -1}}
  %0 = nn.conv_transpose %x, %w {group = -1 : i64} : (tensor<1x8x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x8x4x4xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{output_padding has 1 values for 2 spatial dims}}
  %0 = nn.conv_transpose %x, %w {output_padding = array<i64: 1>} : (tensor<1x8x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_output_shape(%x: tensor<1x8x4x4xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{output_shape has 3 values for 2 spatial dims}}
  %0 = nn.conv_transpose %x, %w {output_shape = array<i64: 2, 9, 9>} : (tensor<1x8x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_pads_remove_output(%x: tensor<1x8x1x1xf32>, %w: tensor<8x2x1x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{pads remove the whole output of spatial dim 0}}
  %0 = nn.conv_transpose %x, %w {pads = array<i64: 1, 0, 0, 0>} : (tensor<1x8x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_result_contradicts(%x: tensor<1x8x16x16xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<1x4x16x16xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x4x16x16xf32>' but its operands give 'tensor<1x4x32x32xf32>'}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x16x16xf32>
  return %0 : tensor<1x4x16x16xf32>
}

//===----------------------------------------------------------------------===//
// pool, global_pool
//===----------------------------------------------------------------------===//

// -----

func.func @pool_no_kernel(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.pool' op needs a kernel_shape}}
  %0 = nn.pool max %x {kernel_shape = array<i64>} : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_missing_kernel_attr(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{requires attribute 'kernel_shape'}}
  %0 = nn.pool max %x : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_kernel_rank(%x: tensor<1x8x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel_shape has 2 dims but the input 1x8x4 has 1 spatial dims}}
  %0 = nn.pool max %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x8x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_kernel_too_large(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel 5x5 does not fit the 4x4 input}}
  %0 = nn.pool average %x {kernel_shape = array<i64: 5, 5>} : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_strides_count(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{strides has 3 values for 2 spatial dims}}
  %0 = nn.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1, 1>} : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_result_contradicts(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x3x3xf32> {
  // ceil_mode rounds 7 / 2 up.
  // expected-error @+1 {{result #0 is declared 'tensor<1x8x3x3xf32>' but its operands give 'tensor<1x8x4x4xf32>'}}
  %0 = nn.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x8x7x7xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

func.func @global_pool_rank(%x: tensor<1x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.global_pool' op needs an input of rank 3 or more (N x C x spatial dims), got 1x8}}
  %0 = nn.global_pool average %x : (tensor<1x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @global_pool_result_contradicts(%x: tensor<1x8x7x7xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x8xf32>' but its operands give 'tensor<1x8x1x1xf32>'}}
  %0 = nn.global_pool average %x : (tensor<1x8x7x7xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @pool_unknown_kind(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  // expected-error @+2 {{expected ::mlc::nn::PoolKind to be one of: max, average}}
  // expected-error @+1 {{failed to parse NN_PoolKindAttr parameter 'value'}}
  %0 = nn.pool min %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// batch_norm, instance_norm
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_param_size(%x: tensor<1x64x8x8xf32>, %s: tensor<64xf32>, %m: tensor<32xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.batch_norm' op mean has 32 values for 64 channels}}
  %0 = nn.batch_norm %x, %s, %s, %m, %s : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @batch_norm_param_rank(%x: tensor<1x64x8x8xf32>, %s: tensor<64x1xf32>, %p: tensor<64xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{scale must be 1-D, got 64x1}}
  %0 = nn.batch_norm %x, %s, %p, %p, %p : (tensor<1x64x8x8xf32>, tensor<64x1xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<64xf32>, %p: tensor<64xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs an input of rank 2 or more, got 64}}
  %0 = nn.batch_norm %x, %p, %p, %p, %p : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @batch_norm_result_contradicts(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>) -> tensor<1x64x4x4xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x64x4x4xf32>' but its operands give 'tensor<1x64x8x8xf32>'}}
  %0 = nn.batch_norm %x, %p, %p, %p, %p : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return %0 : tensor<1x64x4x4xf32>
}

// -----

func.func @instance_norm_rank(%x: tensor<1x64xf32>, %p: tensor<64xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.instance_norm' op needs an input of rank 3 or more, got 1x64}}
  %0 = nn.instance_norm %x, %p, %p : (tensor<1x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @instance_norm_bias_size(%x: tensor<1x64x8x8xf32>, %s: tensor<64xf32>, %b: tensor<16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias has 16 values for 64 channels}}
  %0 = nn.instance_norm %x, %s, %b : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// unary
//===----------------------------------------------------------------------===//

// -----

func.func @leaky_relu_needs_alpha(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.unary' op leaky_relu needs alpha}}
  %0 = nn.unary leaky_relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @elu_needs_alpha(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{elu needs alpha}}
  %0 = nn.unary elu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @relu_takes_no_alpha(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{relu takes no alpha}}
  %0 = nn.unary relu %x {alpha = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @hard_sigmoid_needs_beta(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{hard_sigmoid needs beta}}
  %0 = nn.unary hard_sigmoid %x {alpha = 2.0e-01 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @leaky_relu_takes_no_beta(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{leaky_relu takes no beta}}
  %0 = nn.unary leaky_relu %x {alpha = 1.0e-01 : f32, beta = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sigmoid_of_integers(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{sigmoid needs a floating-point tensor, got 'tensor<4xi32>'}}
  %0 = nn.unary sigmoid %x : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @unary_result_contradicts(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<5xf32>' but its operands give 'tensor<4xf32>'}}
  %0 = nn.unary relu %x : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @unary_unknown_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expected ::mlc::nn::UnaryKind to be one of: relu, leaky_relu,}}
  // expected-error @+1 {{failed to parse NN_UnaryKindAttr parameter 'value'}}
  %0 = nn.unary swish %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// binary, clip, prelu, softmax
//===----------------------------------------------------------------------===//

// -----

func.func @binary_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.binary' op cannot broadcast 2x3 and 4x3}}
  %0 = nn.binary add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @binary_element_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{operands have different element types: 'tensor<2xf32>' and 'tensor<2xi64>'}}
  %0 = nn.binary mul %a, %b : (tensor<2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @binary_result_contradicts(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<2x1xf32>' but its operands give 'tensor<2x3xf32>'}}
  %0 = nn.binary add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @clip_bound_not_scalar(%x: tensor<4xf32>, %lo: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.clip' op bounds must be scalars, got 'tensor<2xf32>'}}
  %0 = nn.clip %x min(%lo) : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_bound_type(%x: tensor<4xf32>, %hi: tensor<f16>) -> tensor<4xf32> {
  // expected-error @+1 {{bound 'tensor<f16>' does not match the input's element type 'f32'}}
  %0 = nn.clip %x max(%hi) : (tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @prelu_slope(%x: tensor<1x8x4x4xf32>, %slope: tensor<3x1x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.prelu' op slope 3x1x1 does not broadcast to the input 1x8x4x4}}
  %0 = nn.prelu %x, %slope : (tensor<1x8x4x4xf32>, tensor<3x1x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @prelu_slope_grows_input(%x: tensor<1x8x1x1xf32>, %slope: tensor<8x4x4xf32>) -> tensor<*xf32> {
  // The slope broadcasts to the input, never the other way round.
  // expected-error @+1 {{slope 8x4x4 does not broadcast to the input 1x8x1x1}}
  %0 = nn.prelu %x, %slope : (tensor<1x8x1x1xf32>, tensor<8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @softmax_axis(%x: tensor<1x1000xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.softmax' op axis 2 is out of range for 1x1000}}
  %0 = nn.softmax %x {axis = 2 : i64} : (tensor<1x1000xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @softmax_negative_axis(%x: tensor<1x1000xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.softmax' op axis -3 is out of range for 1x1000}}
  %0 = nn.softmax %x {axis = -3 : i64} : (tensor<1x1000xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// gemm, matmul, reduce
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_k_mismatch(%a: tensor<1x512xf32>, %b: tensor<256x1000xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.gemm' op needs K = 512 from a, but b has 256 rows}}
  %0 = nn.gemm %a, %b : (tensor<1x512xf32>, tensor<256x1000xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_k_mismatch_transposed(%a: tensor<1x512xf32>, %b: tensor<1000x512xf32>) -> tensor<*xf32> {
  // Without trans_b, b's rows are 1000.
  // expected-error @+1 {{needs K = 512 from a, but b has 1000 rows}}
  %0 = nn.gemm %a, %b : (tensor<1x512xf32>, tensor<1000x512xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_rank(%a: tensor<1x1x512xf32>, %b: tensor<512x10xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs 2-D operands, got 'tensor<1x1x512xf32>' and 'tensor<512x10xf32>'}}
  %0 = nn.gemm %a, %b : (tensor<1x1x512xf32>, tensor<512x10xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_bias(%a: tensor<1x512xf32>, %b: tensor<512x10xf32>, %c: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{c 3 does not broadcast to 1x10}}
  %0 = nn.gemm %a, %b, %c : (tensor<1x512xf32>, tensor<512x10xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_bias_grows_result(%a: tensor<1x512xf32>, %b: tensor<512x10xf32>, %c: tensor<4x10xf32>) -> tensor<*xf32> {
  // c broadcasts to M x N, never the other way round.
  // expected-error @+1 {{c 4x10 does not broadcast to 1x10}}
  %0 = nn.gemm %a, %b, %c : (tensor<1x512xf32>, tensor<512x10xf32>, tensor<4x10xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.matmul' op cannot multiply 2x3 by 4x5: inner dims 3 and 4 differ}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{cannot broadcast the batch dims of 2x3x4 and 3x4x5}}
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs operands of rank 1 or more}}
  %0 = nn.matmul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_vector_result_contradicts(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<1x1xf32> {
  // A vector times a vector is a scalar.
  // expected-error @+1 {{result #0 is declared 'tensor<1x1xf32>' but its operands give 'tensor<f32>'}}
  %0 = nn.matmul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_axis(%x: tensor<1x64x7x7xf32>) -> tensor<*xf32> {
  %axes = nn.constant dense<[2, 4]> : tensor<2xi64>
  // expected-error @+1 {{'nn.reduce' op axis 4 is out of range for 1x64x7x7}}
  %0 = nn.reduce mean %x axes(%axes) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reduce_keepdims_contradicts(%x: tensor<1x64x7x7xf32>) -> tensor<1x64xf32> {
  %axes = nn.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{result #0 is declared 'tensor<1x64xf32>' but its operands give 'tensor<1x64x1x1xf32>'}}
  %0 = nn.reduce mean %x axes(%axes) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @reduce_too_many_axes(%x: tensor<2x3xf32>, %axes: tensor<3xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{has 3 axes for an input of rank 2}}
  %0 = nn.reduce sum %x axes(%axes) {keepdims = false} : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// resize, depth_to_space, space_to_depth
//===----------------------------------------------------------------------===//

// -----

func.func @resize_scales_and_sizes(%x: tensor<1x3x8x8xf32>, %s: tensor<4xf32>, %n: tensor<4xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.resize' op needs exactly one of scales and sizes}}
  %0 = nn.resize %x scales(%s) sizes(%n) : (tensor<1x3x8x8xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_neither(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs exactly one of scales and sizes}}
  %0 = nn.resize %x : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_empty_scales_and_no_sizes(%x: tensor<1x3x8x8xf32>, %s: tensor<0xf32>) -> tensor<*xf32> {
  // An empty scales tensor counts as absent.
  // expected-error @+1 {{needs exactly one of scales and sizes}}
  %0 = nn.resize %x scales(%s) : (tensor<1x3x8x8xf32>, tensor<0xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_scales_count(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %s = nn.constant dense<[2.0, 2.0]> : tensor<2xf32>
  // expected-error @+1 {{scales has 2 values for 4 resized dims}}
  %0 = nn.resize %x scales(%s) : (tensor<1x3x8x8xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_scale_zero(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %s = nn.constant dense<[1.0, 1.0, 0.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{scales must be positive, got 0}}
  %0 = nn.resize %x scales(%s) : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_sizes_count(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %n = nn.constant dense<[16, 16]> : tensor<2xi64>
  // expected-error @+1 {{sizes has 2 values for 4 resized dims}}
  %0 = nn.resize %x sizes(%n) : (tensor<1x3x8x8xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_negative_size(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %n = nn.constant dense<[16, -1]> : tensor<2xi64>
  // expected-error @+1 {{sizes must not be negative, got -1}}
  %0 = nn.resize %x sizes(%n) {axes = array<i64: 2, 3>} : (tensor<1x3x8x8xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_axis(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %s = nn.constant dense<[2.0, 2.0]> : tensor<2xf32>
  // expected-error @+1 {{axis 4 is out of range for 1x3x8x8}}
  %0 = nn.resize %x scales(%s) {axes = array<i64: 2, 4>} : (tensor<1x3x8x8xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_result_contradicts(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %s = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{result #0 is declared 'tensor<1x3x8x8xf32>' but its operands give 'tensor<1x3x16x16xf32>'}}
  %0 = nn.resize %x scales(%s) : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @depth_to_space_divide(%x: tensor<1x6x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.depth_to_space' op dim 1 of 1x6x8x8 does not divide by 4}}
  %0 = nn.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x6x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @depth_to_space_rank(%x: tensor<1x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs a 4-D input, got 1x8x8}}
  %0 = nn.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @depth_to_space_blocksize(%x: tensor<1x8x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{blocksize must be positive, got 0}}
  %0 = nn.depth_to_space %x {blocksize = 0 : i64} : (tensor<1x8x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @space_to_depth_divide(%x: tensor<1x4x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.space_to_depth' op dim 2 of 1x4x7x8 does not divide by 2}}
  %0 = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x4x7x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @space_to_depth_result_contradicts(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x4x4x4xf32>' but its operands give 'tensor<1x16x4x4xf32>'}}
  %0 = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

// -----

func.func @pad_crop_below_zero(%x: tensor<1x3x4x4xf32>) -> tensor<*xf32> {
  %pads = nn.constant dense<[0, 0, -3, 0, 0, 0, -2, 0]> : tensor<8xi64>
  // expected-error @+1 {{'nn.pad' op pads crop dim 2 of 1x3x4x4 below zero}}
  %0 = nn.pad %x, %pads : (tensor<1x3x4x4xf32>, tensor<8xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_count(%x: tensor<1x3x4x4xf32>) -> tensor<*xf32> {
  %pads = nn.constant dense<1> : tensor<6xi64>
  // expected-error @+1 {{pads has 6 values for 4 padded dims}}
  %0 = nn.pad %x, %pads : (tensor<1x3x4x4xf32>, tensor<6xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_count_with_axes(%x: tensor<1x3x4x4xf32>) -> tensor<*xf32> {
  %pads = nn.constant dense<1> : tensor<8xi64>
  %axes = nn.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{pads has 8 values for 2 padded dims}}
  %0 = nn.pad %x, %pads axes(%axes) : (tensor<1x3x4x4xf32>, tensor<8xi64>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_axis(%x: tensor<1x3x4x4xf32>) -> tensor<*xf32> {
  %pads = nn.constant dense<1> : tensor<2xi64>
  %axes = nn.constant dense<-5> : tensor<1xi64>
  // expected-error @+1 {{axis -5 is out of range for 1x3x4x4}}
  %0 = nn.pad %x, %pads axes(%axes) : (tensor<1x3x4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_value_type(%x: tensor<1x3x4x4xf32>, %pads: tensor<8xi64>, %v: tensor<i64>) -> tensor<*xf32> {
  // expected-error @+1 {{constant_value 'tensor<i64>' does not match the input's element type}}
  %0 = nn.pad %x, %pads value(%v) : (tensor<1x3x4x4xf32>, tensor<8xi64>, tensor<i64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_result_contradicts(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %pads = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  // expected-error @+1 {{result #0 is declared 'tensor<1x3x4x4xf32>' but its operands give 'tensor<1x3x6x6xf32>'}}
  %0 = nn.pad %x, %pads : (tensor<1x3x4x4xf32>, tensor<8xi64>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

//===----------------------------------------------------------------------===//
// reshape, flatten, transpose
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_element_count(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[4, 2]> : tensor<2xi64>
  // expected-error @+1 {{'nn.reshape' op cannot reshape 2x3 (6 elements) to 4x2}}
  %0 = nn.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_inferred_does_not_divide(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[-1, 4]> : tensor<2xi64>
  // expected-error @+1 {{cannot reshape 2x3 to ?x4: 6 elements do not divide by 4}}
  %0 = nn.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape has more than one -1}}
  %0 = nn.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_negative_entry(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[-2, 3]> : tensor<2xi64>
  // expected-error @+1 {{shape entry 0 is -2}}
  %0 = nn.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_copies_missing_dim(%x: tensor<6xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[6, 0]> : tensor<2xi64>
  // expected-error @+1 {{shape entry 1 copies a dim the 6 input does not have}}
  %0 = nn.reshape %x, %shape : (tensor<6xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_result_contradicts(%x: tensor<1x512x1x1xf32>) -> tensor<512x1xf32> {
  %shape = nn.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{result #0 is declared 'tensor<512x1xf32>' but its operands give 'tensor<1x512xf32>'}}
  %0 = nn.reshape %x, %shape : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<512x1xf32>
  return %0 : tensor<512x1xf32>
}

// -----

func.func @flatten_axis(%x: tensor<1x512x7x7xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.flatten' op axis 5 is out of range for 1x512x7x7}}
  %0 = nn.flatten %x {axis = 5 : i64} : (tensor<1x512x7x7xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @flatten_result_contradicts(%x: tensor<1x512x7x7xf32>) -> tensor<1x512xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x512xf32>' but its operands give 'tensor<1x25088xf32>'}}
  %0 = nn.flatten %x : (tensor<1x512x7x7xf32>) -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// -----

func.func @transpose_bad_perm(%x: tensor<1x2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.transpose' op perm [0, 0, 1] is not a permutation of the dims}}
  %0 = nn.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<1x2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<1x2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm [0, 3, 1] is not a permutation of the dims}}
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1>} : (tensor<1x2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @transpose_perm_length(%x: tensor<1x2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm has 2 entries for rank 3}}
  %0 = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<1x2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @transpose_result_contradicts(%x: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  // Without perm the dims are reversed.
  // expected-error @+1 {{result #0 is declared 'tensor<1x2x3xf32>' but its operands give 'tensor<3x2x1xf32>'}}
  %0 = nn.transpose %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

//===----------------------------------------------------------------------===//
// squeeze, unsqueeze
//===----------------------------------------------------------------------===//

// -----

func.func @squeeze_non_one(%x: tensor<1x3x1xf32>) -> tensor<*xf32> {
  %axes = nn.constant dense<[1]> : tensor<1xi64>
  // expected-error @+1 {{'nn.squeeze' op cannot squeeze dim 1 of size 3}}
  %0 = nn.squeeze %x axes(%axes) : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @squeeze_axis(%x: tensor<1x3x1xf32>) -> tensor<*xf32> {
  %axes = nn.constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{axis 3 is out of range for 1x3x1}}
  %0 = nn.squeeze %x axes(%axes) : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @squeeze_result_contradicts(%x: tensor<1x3x1xf32>) -> tensor<1x3xf32> {
  // Without axes every dim of size 1 goes.
  // expected-error @+1 {{result #0 is declared 'tensor<1x3xf32>' but its operands give 'tensor<3xf32>'}}
  %0 = nn.squeeze %x : (tensor<1x3x1xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @unsqueeze_repeated(%x: tensor<3xf32>) -> tensor<*xf32> {
  %axes = nn.constant dense<[0, 0]> : tensor<2xi64>
  // expected-error @+1 {{'nn.unsqueeze' op axes [0, 0] are out of range or repeated for an output of rank 3}}
  %0 = nn.unsqueeze %x, %axes : (tensor<3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsqueeze_out_of_range(%x: tensor<3xf32>) -> tensor<*xf32> {
  %axes = nn.constant dense<[2]> : tensor<1xi64>
  // expected-error @+1 {{axes [2] are out of range or repeated for an output of rank 2}}
  %0 = nn.unsqueeze %x, %axes : (tensor<3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// concat, split, expand
//===----------------------------------------------------------------------===//

// -----

func.func @concat_dim_mismatch(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x14x14xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.concat' op inputs differ in dim 2: 1x64x28x28 and 1x32x14x14}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x32x14x14xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_rank(%a: tensor<1x64xf32>, %b: tensor<1x64x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inputs have different ranks: 1x64 and 1x64x1}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x64xf32>, tensor<1x64x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_element_types(%a: tensor<2xi64>, %b: tensor<2xi32>) -> tensor<*xi64> {
  // expected-error @+1 {{inputs have different element types: 'tensor<2xi64>' and 'tensor<2xi32>'}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi32>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @concat_axis(%a: tensor<2xi64>) -> tensor<*xi64> {
  // expected-error @+1 {{axis 1 is out of range for 2}}
  %0 = nn.concat %a, %a {axis = 1 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @concat_negative_axis(%a: tensor<2xi64>) -> tensor<*xi64> {
  // expected-error @+1 {{axis -2 is out of range for 2}}
  %0 = nn.concat %a, %a {axis = -2 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @concat_no_inputs() -> tensor<*xi64> {
  // expected-error @+1 {{needs at least one input}}
  %0 = nn.concat {axis = 0 : i64} : () -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @concat_result_contradicts(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x28x28xf32>) -> tensor<1x64x28x28xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<1x64x28x28xf32>' but its operands give 'tensor<1x96x28x28xf32>'}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x64x28x28xf32>
  return %0 : tensor<1x64x28x28xf32>
}

// -----

func.func @split_sizes_sum(%x: tensor<1x64x8x8xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %sizes = nn.constant dense<[16, 32]> : tensor<2xi64>
  // expected-error @+1 {{'nn.split' op split sizes add up to 48 but dim 1 is 64}}
  %0:2 = nn.split %x sizes(%sizes) {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

func.func @split_sizes_count(%x: tensor<1x64x8x8xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %sizes = nn.constant dense<[16, 16, 32]> : tensor<3xi64>
  // expected-error @+1 {{split has 3 sizes for 2 results}}
  %0:2 = nn.split %x sizes(%sizes) {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<3xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

func.func @split_negative_size(%x: tensor<1x64x8x8xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %sizes = nn.constant dense<[72, -8]> : tensor<2xi64>
  // expected-error @+1 {{split sizes must not be negative}}
  %0:2 = nn.split %x sizes(%sizes) {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

func.func @split_into_too_many(%x: tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  // Parts of 2 leave nothing for the third.
  // expected-error @+1 {{cannot split dim 0 of size 4 into 3 parts}}
  %0:3 = nn.split %x : (tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>)
  return %0#0, %0#1, %0#2 : tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}

// -----

func.func @split_axis(%x: tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>) {
  // expected-error @+1 {{axis 1 is out of range for 4}}
  %0:2 = nn.split %x {axis = 1 : i64} : (tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>)
  return %0#0, %0#1 : tensor<*xi64>, tensor<*xi64>
}

// -----

func.func @split_negative_axis(%x: tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>) {
  // expected-error @+1 {{axis -2 is out of range for 4}}
  %0:2 = nn.split %x {axis = -2 : i64} : (tensor<4xi64>) -> (tensor<*xi64>, tensor<*xi64>)
  return %0#0, %0#1 : tensor<*xi64>, tensor<*xi64>
}

// -----

func.func @split_result_contradicts(%x: tensor<5xi64>) -> (tensor<2xi64>, tensor<3xi64>) {
  // Equal parts of ceil(5 / 2): the last one is the smaller.
  // expected-error @+1 {{result #0 is declared 'tensor<2xi64>' but its operands give 'tensor<3xi64>'}}
  %0:2 = nn.split %x : (tensor<5xi64>) -> (tensor<2xi64>, tensor<3xi64>)
  return %0#0, %0#1 : tensor<2xi64>, tensor<3xi64>
}

// -----

func.func @expand_incompatible(%x: tensor<3x4xf32>) -> tensor<*xf32> {
  %shape = nn.constant dense<[2, 4]> : tensor<2xi64>
  // expected-error @+1 {{'nn.expand' op cannot expand 3x4 to 2x4}}
  %0 = nn.expand %x, %shape : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// shape, gather, slice, cast, constants
//===----------------------------------------------------------------------===//

// -----

func.func @shape_result_contradicts(%x: tensor<1x3x?x?xf32>) -> tensor<3xi64> {
  // expected-error @+1 {{'nn.shape' op result #0 is declared 'tensor<3xi64>' but its operands give 'tensor<4xi64>'}}
  %0 = nn.shape %x : (tensor<1x3x?x?xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @gather_index_out_of_range(%x: tensor<4xi64>) -> tensor<*xi64> {
  %i = nn.constant dense<4> : tensor<i64>
  // expected-error @+1 {{'nn.gather' op index 4 is out of range for dim 0 of size 4}}
  %0 = nn.gather %x, %i : (tensor<4xi64>, tensor<i64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @gather_negative_index_out_of_range(%x: tensor<2x5xf32>) -> tensor<*xf32> {
  %i = nn.constant dense<[0, -6]> : tensor<2xi64>
  // expected-error @+1 {{index -6 is out of range for dim 1 of size 5}}
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_float_indices(%x: tensor<4xi64>, %i: tensor<f32>) -> tensor<*xi64> {
  // expected-error @+1 {{indices must be integers, got 'tensor<f32>'}}
  %0 = nn.gather %x, %i : (tensor<4xi64>, tensor<f32>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @gather_axis(%x: tensor<4xi64>, %i: tensor<i64>) -> tensor<*xi64> {
  // expected-error @+1 {{axis -2 is out of range for 4}}
  %0 = nn.gather %x, %i {axis = -2 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @gather_result_contradicts(%x: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<3x4xf32>' but its operands give 'tensor<3x2xf32>'}}
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<4xi64>) -> tensor<*xi64> {
  %start = nn.constant dense<0> : tensor<1xi64>
  %end = nn.constant dense<4> : tensor<1xi64>
  %step = nn.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{'nn.slice' op step must not be 0}}
  %0 = nn.slice %x, %start, %end steps(%step) : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @slice_lengths(%x: tensor<4x4xf32>) -> tensor<*xf32> {
  %start = nn.constant dense<[0, 0]> : tensor<2xi64>
  %end = nn.constant dense<4> : tensor<1xi64>
  // expected-error @+1 {{starts, ends, axes and steps differ in length}}
  %0 = nn.slice %x, %start, %end : (tensor<4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_axis(%x: tensor<4x4xf32>) -> tensor<*xf32> {
  %start = nn.constant dense<0> : tensor<1xi64>
  %end = nn.constant dense<2> : tensor<1xi64>
  %axes = nn.constant dense<2> : tensor<1xi64>
  // expected-error @+1 {{axis 2 is out of range for 4x4}}
  %0 = nn.slice %x, %start, %end axes(%axes) : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_result_contradicts(%x: tensor<10xf32>) -> tensor<5xf32> {
  %start = nn.constant dense<1> : tensor<1xi64>
  %end = nn.constant dense<100> : tensor<1xi64>
  %step = nn.constant dense<3> : tensor<1xi64>
  // Indices 1, 4, 7: the end clamps to the dim.
  // expected-error @+1 {{result #0 is declared 'tensor<5xf32>' but its operands give 'tensor<3xf32>'}}
  %0 = nn.slice %x, %start, %end steps(%step) : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @cast_shape_contradicts(%x: tensor<2xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.cast' op result #0 is declared 'tensor<3xf32>' but its operands give 'tensor<2xf32>'}}
  %0 = nn.cast %x : (tensor<2xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @constant_type() -> tensor<3xi64> {
  // expected-error @+1 {{'nn.constant' op failed to verify that all of {value, output} have same type}}
  %0 = "nn.constant"() <{value = dense<[1, 2]> : tensor<2xi64>}> : () -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @constant_of_shape_value_count(%shape: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.constant_of_shape' op value must hold one element, got 2}}
  %0 = nn.constant_of_shape %shape {value = dense<[1.0, 2.0]> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @constant_of_shape_negative() -> tensor<*xf32> {
  %shape = nn.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape has the negative dim -1}}
  %0 = nn.constant_of_shape %shape : (tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @constant_of_shape_element_type(%shape: tensor<2xi64>) -> tensor<*xi64> {
  // Without a value the fill is a float 0.
  // expected-error @+1 {{result #0 is declared 'tensor<*xi64>' but its operands give 'tensor<?x?xf32>'}}
  %0 = nn.constant_of_shape %shape : (tensor<2xi64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

//===----------------------------------------------------------------------===//
// quantize_linear, dequantize_linear
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_scale_shape(%x: tensor<1x8xf32>, %s: tensor<3xf32>) -> tensor<*xui8> {
  // expected-error @+1 {{'nn.quantize_linear' op scale 3 must be a scalar or have 8 values along axis 1}}
  %0 = nn.quantize_linear %x, %s : (tensor<1x8xf32>, tensor<3xf32>) -> tensor<*xui8>
  return %0 : tensor<*xui8>
}

// -----

func.func @quantize_scale_rank(%x: tensor<1x8xf32>, %s: tensor<1x8xf32>) -> tensor<*xui8> {
  // expected-error @+1 {{scale 1x8 must be a scalar or have 8 values along axis 1}}
  %0 = nn.quantize_linear %x, %s : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<*xui8>
  return %0 : tensor<*xui8>
}

// -----

func.func @quantize_zero_point_shape(%x: tensor<1x8xf32>, %s: tensor<8xf32>, %zp: tensor<i8>) -> tensor<*xi8> {
  // expected-error @+1 {{zero_point  does not match scale 8}}
  %0 = nn.quantize_linear %x, %s, %zp : (tensor<1x8xf32>, tensor<8xf32>, tensor<i8>) -> tensor<*xi8>
  return %0 : tensor<*xi8>
}

// -----

func.func @quantize_axis(%x: tensor<1x8xf32>, %s: tensor<8xf32>) -> tensor<*xui8> {
  // expected-error @+1 {{axis 2 is out of range for 1x8}}
  %0 = nn.quantize_linear %x, %s {axis = 2 : i64} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<*xui8>
  return %0 : tensor<*xui8>
}

// -----

func.func @quantize_result_type(%x: tensor<1x8xf32>, %s: tensor<f32>, %zp: tensor<i8>) -> tensor<1x8xui8> {
  // The result's element type is the zero point's.
  // expected-error @+1 {{result #0 is declared 'tensor<1x8xui8>' but its operands give 'tensor<1x8xi8>'}}
  %0 = nn.quantize_linear %x, %s, %zp : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xui8>
  return %0 : tensor<1x8xui8>
}

// -----

func.func @dequantize_blocked_scale_rank(%x: tensor<4x8xi8>, %s: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.dequantize_linear' op blocked scale 4 must have the input's rank 2}}
  %0 = nn.dequantize_linear %x, %s {block_size = 2 : i64} : (tensor<4x8xi8>, tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @dequantize_zero_point_type(%x: tensor<4x8xi8>, %s: tensor<f32>, %zp: tensor<ui8>) -> tensor<*xf32> {
  // expected-error @+1 {{zero_point 'tensor<ui8>' does not match the input's element type}}
  %0 = nn.dequantize_linear %x, %s, %zp : (tensor<4x8xi8>, tensor<f32>, tensor<ui8>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @dequantize_per_channel(%x: tensor<64x3x3x3xi8>, %s: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{scale 3 must be a scalar or have 64 values along axis 0}}
  %0 = nn.dequantize_linear %x, %s {axis = 0 : i64} : (tensor<64x3x3x3xi8>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @dequantize_result_type(%x: tensor<4xi8>, %s: tensor<f16>) -> tensor<4xf32> {
  // The result's element type is the scale's.
  // expected-error @+1 {{result #0 is declared 'tensor<4xf32>' but its operands give 'tensor<4xf16>'}}
  %0 = nn.dequantize_linear %x, %s : (tensor<4xi8>, tensor<f16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @auto_pad_with_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{pads [1, 1, 1, 1] cannot be used with auto_pad same_upper}}
  %0 = nn.conv %x, %w {auto_pad = #nn<auto_pad same_upper>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @compare_element_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<*xi1> {
  // expected-error @+1 {{'nn.compare' op operands have different element types: 'tensor<2xf32>' and 'tensor<2xi64>'}}
  %0 = nn.compare equal %a, %b : (tensor<2xf32>, tensor<2xi64>) -> tensor<*xi1>
  return %0 : tensor<*xi1>
}

// -----

func.func @compare_broadcast(%a: tensor<2xi64>, %b: tensor<3xi64>) -> tensor<*xi1> {
  // expected-error @+1 {{'nn.compare' op cannot broadcast 2 and 3}}
  %0 = nn.compare less %a, %b : (tensor<2xi64>, tensor<3xi64>) -> tensor<*xi1>
  return %0 : tensor<*xi1>
}

// -----

func.func @not_needs_i1(%a: tensor<2xi64>) -> tensor<*xi64> {
  // expected-error @+1 {{'nn.not' op needs an i1 input, got 'tensor<2xi64>'}}
  %0 = nn.not %a : (tensor<2xi64>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}

// -----

func.func @where_condition_i1(%c: tensor<2xf32>, %a: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.where' op needs an i1 condition, got 'tensor<2xf32>'}}
  %0 = nn.where %c, %a, %a : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @where_choice_types(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.where' op choices have different element types: 'tensor<2xf32>' and 'tensor<2xi64>'}}
  %0 = nn.where %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @where_broadcast(%c: tensor<3xi1>, %a: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.where' op cannot broadcast 3 and 2}}
  %0 = nn.where %c, %a, %a : (tensor<3xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @range_not_scalar(%a: tensor<2xi64>, %b: tensor<i64>) -> tensor<?xi64> {
  // expected-error @+1 {{'nn.range' op operands must be scalars, got 'tensor<2xi64>'}}
  %0 = nn.range %a, %b, %b : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @range_types(%a: tensor<i64>, %b: tensor<f32>) -> tensor<?xi64> {
  // expected-error @+1 {{'nn.range' op operands have different element types: 'tensor<i64>' and 'tensor<f32>'}}
  %0 = nn.range %a, %b, %a : (tensor<i64>, tensor<f32>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.scatter_nd' op updates 2x3 do not fit indices 2x1 into data 4x4 (expected 2x4)}}
  %0 = nn.scatter_nd %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @scatter_nd_deep(%d: tensor<4x4xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'nn.scatter_nd' op indices 2x3 do not index the data 4x4}}
  %0 = nn.scatter_nd %d, %i, %u : (tensor<4x4xf32>, tensor<2x3xi64>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
