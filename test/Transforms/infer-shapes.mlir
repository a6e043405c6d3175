// RUN: mlc-opt %s --nn-infer-shapes --split-input-file --verify-diagnostics | FileCheck %s

// --nn-infer-shapes through graphs as exporters write them: every result
// type refined from the function's inputs, shape computations folded and
// erased, and the function's result types updated.

//===----------------------------------------------------------------------===//
// Convolution and pooling chains
//===----------------------------------------------------------------------===//

// A ResNet stem and head, every intermediate type unknown.
// CHECK-LABEL: func.func @resnet_stem_and_head
// CHECK-SAME: -> tensor<1x1000xf32>
// CHECK: nn.conv {{.*}} -> tensor<1x64x112x112xf32>
// CHECK: nn.batch_norm {{.*}} -> tensor<1x64x112x112xf32>
// CHECK: nn.unary relu {{.*}} -> tensor<1x64x112x112xf32>
// CHECK: nn.pool max {{.*}} -> tensor<1x64x56x56xf32>
// CHECK: nn.conv {{.*}} -> tensor<1x64x56x56xf32>
// CHECK: nn.binary add {{.*}} : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
// CHECK: nn.global_pool average {{.*}} -> tensor<1x64x1x1xf32>
// CHECK: nn.flatten {{.*}} -> tensor<1x64xf32>
// CHECK: nn.gemm {{.*}} -> tensor<1x1000xf32>
// CHECK: nn.softmax {{.*}} -> tensor<1x1000xf32>
// CHECK: return {{.*}} : tensor<1x1000xf32>
func.func @resnet_stem_and_head(%x: tensor<1x3x224x224xf32>, %w1: tensor<64x3x7x7xf32>, %p: tensor<64xf32>,
                                %w2: tensor<64x64x3x3xf32>, %fc: tensor<1000x64xf32>, %fcb: tensor<1000xf32>) -> tensor<*xf32> {
  %0 = nn.conv %x, %w1 {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<*xf32>
  %1 = nn.batch_norm %0, %p, %p, %p, %p : (tensor<*xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<*xf32>
  %2 = nn.unary relu %1 : (tensor<*xf32>) -> tensor<*xf32>
  %3 = nn.pool max %2 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<*xf32>) -> tensor<*xf32>
  %4 = nn.conv %3, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<*xf32>, tensor<64x64x3x3xf32>) -> tensor<*xf32>
  %5 = nn.binary add %4, %3 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %6 = nn.global_pool average %5 : (tensor<*xf32>) -> tensor<*xf32>
  %7 = nn.flatten %6 : (tensor<*xf32>) -> tensor<?x?xf32>
  %8 = nn.gemm %7, %fc, %fcb {trans_b = true} : (tensor<?x?xf32>, tensor<1000x64xf32>, tensor<1000xf32>) -> tensor<?x?xf32>
  %9 = nn.softmax %8 {axis = 1 : i64} : (tensor<?x?xf32>) -> tensor<*xf32>
  return %9 : tensor<*xf32>
}

// -----

// auto_pad: SAME gives ceil(in / stride) whatever the kernel, VALID pads
// nothing.
// CHECK-LABEL: func.func @auto_pad
// CHECK-SAME: -> (tensor<1x8x113x57xf32>, tensor<1x8x113x57xf32>, tensor<1x8x111x55xf32>)
// CHECK: nn.conv {{.*}}same_upper{{.*}} -> tensor<1x8x113x57xf32>
// CHECK: nn.conv {{.*}}same_lower{{.*}} -> tensor<1x8x113x57xf32>
// CHECK: nn.conv {{.*}}valid{{.*}} -> tensor<1x8x111x55xf32>
func.func @auto_pad(%x: tensor<1x3x225x113xf32>, %w: tensor<8x3x5x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.conv %x, %w {auto_pad = #nn<auto_pad same_upper>, strides = array<i64: 2, 2>} : (tensor<1x3x225x113xf32>, tensor<8x3x5x5xf32>) -> tensor<*xf32>
  %1 = nn.conv %x, %w {auto_pad = #nn<auto_pad same_lower>, strides = array<i64: 2, 2>} : (tensor<1x3x225x113xf32>, tensor<8x3x5x5xf32>) -> tensor<*xf32>
  // floor((225 - 5) / 2) + 1 = 111 and floor((113 - 5) / 2) + 1 = 55.
  %2 = nn.conv %x, %w {auto_pad = #nn<auto_pad valid>, strides = array<i64: 2, 2>} : (tensor<1x3x225x113xf32>, tensor<8x3x5x5xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// ceil_mode rounds the window count up, but a window may not start in the
// end padding: 5 + 1 + 1 padded by a 2-window at stride 2 gives 3, not 4.
// CHECK-LABEL: func.func @pool_ceil_mode
// CHECK-SAME: -> (tensor<1x8x55x55xf32>, tensor<1x8x56x56xf32>, tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>)
func.func @pool_ceil_mode(%x: tensor<1x8x112x112xf32>, %y: tensor<1x8x5x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // floor((112 - 3) / 2) + 1 = 55
  %0 = nn.pool max %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x8x112x112xf32>) -> tensor<*xf32>
  // ceil((112 - 3) / 2) + 1 = 56
  %1 = nn.pool max %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x8x112x112xf32>) -> tensor<*xf32>
  // floor((5 + 2 - 2) / 2) + 1 = 3
  %2 = nn.pool average %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x5x5xf32>) -> tensor<*xf32>
  // ceil(5 / 2) + 1 = 4, but the 4th window would start at 6 = 5 + 1.
  %3 = nn.pool average %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x8x5x5xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Dilations widen the kernel to dilation * (k - 1) + 1.
// CHECK-LABEL: func.func @dilations
// CHECK-SAME: -> (tensor<1x8x28x24xf32>, tensor<1x8x28x30xf32>)
func.func @dilations(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // 32 - 5 + 1 = 28 and 32 - 9 + 1 = 24
  %0 = nn.conv %x, %w {dilations = array<i64: 2, 4>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  // Max pooling with dilation 2 of a 2-window: span 3. Pads are
  // [h_begin, w_begin, h_end, w_end]: 28 + 2 - 3 + 1 and 24 + 8 - 3 + 1.
  %1 = nn.pool max %0 {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 2, 2>, pads = array<i64: 1, 4, 1, 4>} : (tensor<*xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Unknown dims stay unknown; the known ones are computed.
// CHECK-LABEL: func.func @dynamic_dims
// CHECK-SAME: -> (tensor<?x32x?x?xf32>, tensor<?x32x1x1xf32>, tensor<?x32x?x?xf32>)
// CHECK: nn.conv {{.*}} -> tensor<?x32x?x?xf32>
// CHECK: nn.unary sigmoid {{.*}} -> tensor<?x32x?x?xf32>
// CHECK: nn.global_pool average {{.*}} -> tensor<?x32x1x1xf32>
// CHECK: nn.binary mul {{.*}} : (tensor<?x32x?x?xf32>, tensor<?x32x1x1xf32>) -> tensor<?x32x?x?xf32>
func.func @dynamic_dims(%x: tensor<?x3x?x?xf32>, %w: tensor<32x3x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<32x3x3x3xf32>) -> tensor<*xf32>
  %1 = nn.unary sigmoid %0 : (tensor<*xf32>) -> tensor<*xf32>
  %2 = nn.global_pool average %1 : (tensor<*xf32>) -> tensor<*xf32>
  %3 = nn.binary mul %1, %2 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %0, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// A MobileNet block: depthwise conv, ReLU6 as clip, projection, residual.
// CHECK-LABEL: func.func @mobilenet_block
// CHECK-SAME: -> tensor<1x24x56x56xf32>
// CHECK: nn.conv {{.*}} -> tensor<1x144x56x56xf32>
// CHECK: nn.clip {{.*}} -> tensor<1x144x56x56xf32>
// CHECK: nn.conv {{.*}}group = 144{{.*}} -> tensor<1x144x56x56xf32>
// CHECK: nn.conv {{.*}} -> tensor<1x24x56x56xf32>
// CHECK: nn.binary add {{.*}} -> tensor<1x24x56x56xf32>
func.func @mobilenet_block(%x: tensor<1x24x56x56xf32>, %we: tensor<144x24x1x1xf32>, %wd: tensor<144x1x3x3xf32>, %wp: tensor<24x144x1x1xf32>) -> tensor<?x?x?x?xf32> {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %six = nn.constant dense<6.0> : tensor<f32>
  %0 = nn.conv %x, %we : (tensor<1x24x56x56xf32>, tensor<144x24x1x1xf32>) -> tensor<?x?x?x?xf32>
  %1 = nn.clip %0 min(%zero) max(%six) : (tensor<?x?x?x?xf32>, tensor<f32>, tensor<f32>) -> tensor<?x?x?x?xf32>
  %2 = nn.conv %1, %wd {group = 144 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x?x?x?xf32>, tensor<144x1x3x3xf32>) -> tensor<?x?x?x?xf32>
  %3 = nn.conv %2, %wp : (tensor<?x?x?x?xf32>, tensor<24x144x1x1xf32>) -> tensor<?x?x?x?xf32>
  %4 = nn.binary add %3, %x : (tensor<?x?x?x?xf32>, tensor<1x24x56x56xf32>) -> tensor<?x?x?x?xf32>
  return %4 : tensor<?x?x?x?xf32>
}

// -----

// An Inception-style concat of branches.
// CHECK-LABEL: func.func @concat_branches
// CHECK-SAME: -> tensor<1x112x28x28xf32>
// CHECK: nn.concat {{.*}} : (tensor<1x64x28x28xf32>, tensor<1x16x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x112x28x28xf32>
func.func @concat_branches(%x: tensor<1x32x28x28xf32>, %w1: tensor<64x32x1x1xf32>, %w3: tensor<16x32x3x3xf32>) -> tensor<*xf32> {
  %0 = nn.conv %x, %w1 : (tensor<1x32x28x28xf32>, tensor<64x32x1x1xf32>) -> tensor<*xf32>
  %1 = nn.conv %x, %w3 {auto_pad = #nn<auto_pad same_upper>} : (tensor<1x32x28x28xf32>, tensor<16x32x3x3xf32>) -> tensor<*xf32>
  %2 = nn.pool max %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x28x28xf32>) -> tensor<*xf32>
  %3 = nn.concat %0, %1, %2 {axis = 1 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %4 = nn.unary relu %3 : (tensor<*xf32>) -> tensor<*xf32>
  return %4 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: -> (tensor<1x4x32x32xf32>, tensor<1x4x33x33xf32>, tensor<1x4x20x30xf32>, tensor<1x4x32x32xf32>, tensor<?x4x?x32xf32>)
func.func @conv_transpose(%x: tensor<1x8x16x16xf32>, %w: tensor<8x4x4x4xf32>, %d: tensor<?x8x?x16xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // 2 * (16 - 1) + (4 - 1) + 1 - 2 = 32
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x4x4x4xf32>) -> tensor<*xf32>
  %1 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x4x4x4xf32>) -> tensor<*xf32>
  // output_shape wins.
  %2 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, output_shape = array<i64: 20, 30>} : (tensor<1x8x16x16xf32>, tensor<8x4x4x4xf32>) -> tensor<*xf32>
  // SAME: in * stride.
  %3 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, auto_pad = #nn<auto_pad same_upper>} : (tensor<1x8x16x16xf32>, tensor<8x4x4x4xf32>) -> tensor<*xf32>
  %4 = nn.conv_transpose %d, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x?x16xf32>, tensor<8x4x4x4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Grouped transposed convolution: the weight holds M / group per group.
// CHECK-LABEL: func.func @conv_transpose_grouped
// CHECK-SAME: -> tensor<1x8x8x8xf32>
func.func @conv_transpose_grouped(%x: tensor<1x8x4x4xf32>, %w: tensor<8x2x2x2xf32>, %b: tensor<8xf32>) -> tensor<*xf32> {
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, group = 4 : i64} : (tensor<1x8x4x4xf32>, tensor<8x2x2x2xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @depth_to_space
// CHECK-SAME: -> (tensor<1x4x16x16xf32>, tensor<1x16x8x8xf32>, tensor<?x4x?x16xf32>)
func.func @depth_to_space(%x: tensor<1x16x8x8xf32>, %d: tensor<?x16x?x8xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.depth_to_space %x {blocksize = 2 : i64, mode = #nn<depth_to_space_mode crd>} : (tensor<1x16x8x8xf32>) -> tensor<*xf32>
  %1 = nn.space_to_depth %0 {blocksize = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %2 = nn.depth_to_space %d {blocksize = 2 : i64} : (tensor<?x16x?x8xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @resize_scales
// CHECK-SAME: -> (tensor<1x21x224x224xf32>, tensor<1x3x22x7xf32>, tensor<?x21x?x56xf32>, tensor<1x3x30x10xf32>)
func.func @resize_scales(%x: tensor<1x21x28x28xf32>, %y: tensor<1x3x15x15xf32>, %d: tensor<?x21x?x28xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %s8 = nn.constant dense<[1.0, 1.0, 8.0, 8.0]> : tensor<4xf32>
  %s2 = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %odd = nn.constant dense<[1.0, 1.0, 1.5, 0.5]> : tensor<4xf32>
  %axes_scales = nn.constant dense<[2.0, 0.7]> : tensor<2xf32>
  %0 = nn.resize %x scales(%s8) {mode = #nn<resize_mode linear>} : (tensor<1x21x28x28xf32>, tensor<4xf32>) -> tensor<*xf32>
  // floor(15 * 1.5) = 22 and floor(15 * 0.5) = 7
  %1 = nn.resize %y scales(%odd) : (tensor<1x3x15x15xf32>, tensor<4xf32>) -> tensor<*xf32>
  %2 = nn.resize %d scales(%s2) : (tensor<?x21x?x28xf32>, tensor<4xf32>) -> tensor<*xf32>
  // Scales for `axes` only: floor(15 * 2) = 30, floor(15 * 0.7) = 10.
  %3 = nn.resize %y scales(%axes_scales) {axes = array<i64: 2, -1>} : (tensor<1x3x15x15xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Resize to the size of another tensor, as FCN and U-Net exports do:
// sizes = Concat(Slice(Shape(x), 0, 2), Shape(image)[2], Shape(image)[3]).
// Everything folds; the dead shape computation is erased.
// CHECK-LABEL: func.func @resize_sizes_from_shapes
// CHECK-SAME: -> tensor<1x21x224x160xf32>
// CHECK-NEXT: %[[SIZES:.*]] = nn.constant dense<[1, 21, 224, 160]> : tensor<4xi64>
// CHECK-NEXT: %[[R:.*]] = nn.resize %{{.*}} sizes(%[[SIZES]]) {{.*}} -> tensor<1x21x224x160xf32>
// CHECK-NEXT: return %[[R]]
func.func @resize_sizes_from_shapes(%image: tensor<1x3x224x160xf32>, %x: tensor<1x21x28x20xf32>) -> tensor<*xf32> {
  %zero = nn.constant dense<0> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %i2 = nn.constant dense<2> : tensor<i64>
  %i3 = nn.constant dense<3> : tensor<i64>
  %sx = nn.shape %x : (tensor<1x21x28x20xf32>) -> tensor<4xi64>
  %nc = nn.slice %sx, %zero, %two : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  %si = nn.shape %image : (tensor<1x3x224x160xf32>) -> tensor<?xi64>
  %h = nn.gather %si, %i2 : (tensor<?xi64>, tensor<i64>) -> tensor<i64>
  %w = nn.gather %si, %i3 : (tensor<?xi64>, tensor<i64>) -> tensor<i64>
  %h1 = nn.unsqueeze %h, %zero : (tensor<i64>, tensor<1xi64>) -> tensor<?xi64>
  %w1 = nn.unsqueeze %w, %zero : (tensor<i64>, tensor<1xi64>) -> tensor<?xi64>
  %sizes = nn.concat %nc, %h1, %w1 {axis = 0 : i64} : (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %0 = nn.resize %x sizes(%sizes) {mode = #nn<resize_mode linear>, coordinate_transformation_mode = #nn<coordinate_transform half_pixel>} : (tensor<1x21x28x20xf32>, tensor<?xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// The same computation on an image of unknown batch and size: what is known
// (the channels) is filled, the rest stays `?`, and the shape computation
// stays.
// CHECK-LABEL: func.func @resize_sizes_from_dynamic_shapes
// CHECK-SAME: -> tensor<?x21x?x?xf32>
// CHECK: nn.shape
// CHECK: nn.concat {{.*}} -> tensor<4xi64>
// CHECK: nn.resize {{.*}} -> tensor<?x21x?x?xf32>
func.func @resize_sizes_from_dynamic_shapes(%image: tensor<?x3x?x?xf32>, %x: tensor<?x21x?x?xf32>) -> tensor<*xf32> {
  %zero = nn.constant dense<0> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %i2 = nn.constant dense<2> : tensor<i64>
  %i3 = nn.constant dense<3> : tensor<i64>
  %sx = nn.shape %x : (tensor<?x21x?x?xf32>) -> tensor<4xi64>
  %nc = nn.slice %sx, %zero, %two : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  %si = nn.shape %image : (tensor<?x3x?x?xf32>) -> tensor<?xi64>
  %h = nn.gather %si, %i2 : (tensor<?xi64>, tensor<i64>) -> tensor<i64>
  %w = nn.gather %si, %i3 : (tensor<?xi64>, tensor<i64>) -> tensor<i64>
  %h1 = nn.unsqueeze %h, %zero : (tensor<i64>, tensor<1xi64>) -> tensor<?xi64>
  %w1 = nn.unsqueeze %w, %zero : (tensor<i64>, tensor<1xi64>) -> tensor<?xi64>
  %sizes = nn.concat %nc, %h1, %w1 {axis = 0 : i64} : (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %0 = nn.resize %x sizes(%sizes) : (tensor<?x21x?x?xf32>, tensor<?xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Sizes for `axes` only, and the aspect ratio policies: not_larger scales
// by the smallest ratio (min(32 / 16, 48 / 16) = 2), not_smaller by the
// largest (3), rounding half up.
// CHECK-LABEL: func.func @resize_sizes_policies
// CHECK-SAME: -> (tensor<1x3x32x48xf32>, tensor<1x3x32x32xf32>, tensor<1x3x48x48xf32>)
func.func @resize_sizes_policies(%x: tensor<1x3x16x16xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %hw = nn.constant dense<[32, 48]> : tensor<2xi64>
  %0 = nn.resize %x sizes(%hw) {axes = array<i64: 2, 3>} : (tensor<1x3x16x16xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = nn.resize %x sizes(%hw) {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_larger>} : (tensor<1x3x16x16xf32>, tensor<2xi64>) -> tensor<*xf32>
  %2 = nn.resize %x sizes(%hw) {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = #nn<aspect_ratio_policy not_smaller>} : (tensor<1x3x16x16xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Upsample of old opsets imports as resize by scales with asymmetric
// coordinates and floor rounding; its scales are often computed from the
// shapes (Cast(Shape) arithmetic), which folds.
// CHECK-LABEL: func.func @upsample_computed_scales
// CHECK-SAME: -> tensor<1x256x38x38xf32>
// CHECK-NEXT: %[[S:.*]] = nn.constant dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: nn.resize %{{.*}} scales(%[[S]]) {coordinate_transformation_mode = #nn<coordinate_transform asymmetric>, nearest_mode = #nn<nearest_mode floor>} : (tensor<1x256x19x19xf32>, tensor<4xf32>) -> tensor<1x256x38x38xf32>
func.func @upsample_computed_scales(%x: tensor<1x256x19x19xf32>, %skip: tensor<1x512x38x38xf32>) -> tensor<*xf32> {
  %sx = nn.shape %x : (tensor<1x256x19x19xf32>) -> tensor<4xi64>
  %ss = nn.shape %skip : (tensor<1x512x38x38xf32>) -> tensor<4xi64>
  %fx = nn.cast %sx : (tensor<4xi64>) -> tensor<4xf32>
  %fs = nn.cast %ss : (tensor<4xi64>) -> tensor<4xf32>
  %ones = nn.constant dense<1.0> : tensor<2xf32>
  %two = nn.constant dense<2> : tensor<1xi64>
  %four = nn.constant dense<4> : tensor<1xi64>
  %hs = nn.slice %fs, %two, %four : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %hx = nn.slice %fx, %two, %four : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %ratio = nn.binary div %hs, %hx : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %scales = nn.concat %ones, %ratio {axis = 0 : i64} : (tensor<2xf32>, tensor<?xf32>) -> tensor<?xf32>
  %0 = nn.resize %x scales(%scales) {coordinate_transformation_mode = #nn<coordinate_transform asymmetric>, nearest_mode = #nn<nearest_mode floor>} : (tensor<1x256x19x19xf32>, tensor<?xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// Reshape and flatten
//===----------------------------------------------------------------------===//

// -----

// A classifier head that reshapes to (batch, -1) computed from the shape:
// with a known batch it all folds.
// CHECK-LABEL: func.func @reshape_from_shape_static
// CHECK-SAME: -> tensor<1x10xf32>
// CHECK-NEXT: %[[T:.*]] = nn.constant dense<[1, -1]> : tensor<2xi64>
// CHECK-NEXT: nn.reshape %{{.*}}, %[[T]] : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<1x512xf32>
// CHECK-NEXT: nn.gemm {{.*}} -> tensor<1x10xf32>
// CHECK-NEXT: return
func.func @reshape_from_shape_static(%x: tensor<1x512x1x1xf32>, %w: tensor<512x10xf32>) -> tensor<*xf32> {
  %s = nn.shape %x : (tensor<1x512x1x1xf32>) -> tensor<4xi64>
  %i0 = nn.constant dense<0> : tensor<i64>
  %axes = nn.constant dense<0> : tensor<1xi64>
  %minus_one = nn.constant dense<-1> : tensor<1xi64>
  %n = nn.gather %s, %i0 : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %n1 = nn.unsqueeze %n, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %t = nn.concat %n1, %minus_one {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %0 = nn.reshape %x, %t : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = nn.gemm %0, %w : (tensor<*xf32>, tensor<512x10xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// With a dynamic batch the target is partly known, [N, 512, 49]: the batch
// stays `?`, the known dims are filled, and the shape computation stays. The
// batch is a free dim (N), so in [N, -1] the -1 is 512*7*7*N / N = 25088.
// CHECK-LABEL: func.func @reshape_from_shape_dynamic_batch
// CHECK-SAME: -> (tensor<?x512x49xf32>, tensor<?x25088xf32>, tensor<?x25088xf32>)
// CHECK: nn.shape %{{.*}} : (tensor<?x512x7x7xf32>) -> tensor<4xi64>
// CHECK: nn.gather {{.*}} -> tensor<i64>
// CHECK: nn.unsqueeze {{.*}} -> tensor<1xi64>
// CHECK: nn.concat {{.*}} -> tensor<3xi64>
// CHECK: nn.reshape {{.*}} -> tensor<?x512x49xf32>
// CHECK: nn.concat {{.*}} -> tensor<2xi64>
// CHECK: nn.reshape {{.*}} -> tensor<?x25088xf32>
// CHECK: nn.flatten {{.*}} -> tensor<?x25088xf32>
func.func @reshape_from_shape_dynamic_batch(%x: tensor<?x512x7x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %s = nn.shape %x : (tensor<?x512x7x7xf32>) -> tensor<?xi64>
  %i0 = nn.constant dense<0> : tensor<i64>
  %axes = nn.constant dense<0> : tensor<1xi64>
  %rest = nn.constant dense<[512, 49]> : tensor<2xi64>
  %minus_one = nn.constant dense<-1> : tensor<1xi64>
  %n = nn.gather %s, %i0 : (tensor<?xi64>, tensor<i64>) -> tensor<*xi64>
  %n1 = nn.unsqueeze %n, %axes : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %t = nn.concat %n1, %rest {axis = 0 : i64} : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %0 = nn.reshape %x, %t : (tensor<?x512x7x7xf32>, tensor<*xi64>) -> tensor<*xf32>
  // (batch, -1): the -1 cannot be computed without the batch.
  %t2 = nn.concat %n1, %minus_one {axis = 0 : i64} : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %1 = nn.reshape %x, %t2 : (tensor<?x512x7x7xf32>, tensor<*xi64>) -> tensor<*xf32>
  // Flatten does know it.
  %2 = nn.flatten %x : (tensor<?x512x7x7xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// 0 copies the input's dim, -1 takes the rest.
// CHECK-LABEL: func.func @reshape_zero_and_minus_one
// CHECK-SAME: -> (tensor<2x12xf32>, tensor<2x12x1xf32>, tensor<?x3x4xf32>, tensor<0x24xf32>)
func.func @reshape_zero_and_minus_one(%x: tensor<2x3x4xf32>, %d: tensor<?x12xf32>, %e: tensor<0x24xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %a = nn.constant dense<[0, -1]> : tensor<2xi64>
  %b = nn.constant dense<[2, 0, -1]> : tensor<3xi64>
  %c = nn.constant dense<[-1, 3, 4]> : tensor<3xi64>
  %z = nn.constant dense<[0, 24]> : tensor<2xi64>
  %0 = nn.reshape %x, %a : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  // [2, 0, -1] on 2x12: 0 copies the 12, -1 is what is left, 1.
  %1 = nn.reshape %0, %b : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %2 = nn.reshape %d, %c : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<*xf32>
  // allowzero: 0 is a dim of size 0.
  %3 = nn.reshape %e, %z {allowzero = true} : (tensor<0x24xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK-SAME: -> (tensor<1x25088xf32>, tensor<512x49xf32>, tensor<1x25088xf32>, tensor<?x49xf32>)
func.func @flatten(%x: tensor<1x512x7x7xf32>, %d: tensor<1x?x7x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.flatten %x : (tensor<1x512x7x7xf32>) -> tensor<*xf32>
  %1 = nn.flatten %x {axis = -2 : i64} : (tensor<1x512x7x7xf32>) -> tensor<*xf32>
  %2 = nn.flatten %x {axis = 0 : i64} : (tensor<1x512x7x7xf32>) -> tensor<*xf32>
  %3 = nn.flatten %d {axis = 2 : i64} : (tensor<1x?x7x7xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// Linear algebra and reduction
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @gemm
// CHECK-SAME: -> (tensor<?x1000xf32>, tensor<64x1000xf32>)
func.func @gemm(%x: tensor<?x512xf32>, %w: tensor<1000x512xf32>, %b: tensor<1000xf32>, %xt: tensor<512x64xf32>, %wt: tensor<512x1000xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.gemm %x, %w, %b {trans_b = true} : (tensor<?x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<*xf32>
  %1 = nn.gemm %xt, %wt {trans_a = true, alpha = 2.0 : f32} : (tensor<512x64xf32>, tensor<512x1000xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Numpy matmul: batch dims broadcast, a vector operand loses its added dim.
// CHECK-LABEL: func.func @matmul_broadcasting
// CHECK-SAME: -> (tensor<2x5x3x6xf32>, tensor<2x1x3xf32>, tensor<5xf32>, tensor<f32>, tensor<?x8x?x16xf32>)
func.func @matmul_broadcasting(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %v: tensor<4xf32>, %m: tensor<4x5xf32>,
                               %q: tensor<?x8x?x64xf32>, %k: tensor<?x1x64x16xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<*xf32>
  %1 = nn.matmul %a, %v : (tensor<2x1x3x4xf32>, tensor<4xf32>) -> tensor<*xf32>
  %2 = nn.matmul %v, %m : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %3 = nn.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  %4 = nn.matmul %q, %k : (tensor<?x8x?x64xf32>, tensor<?x1x64x16xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reduce
// CHECK-SAME: -> (tensor<1x64x1x1xf32>, tensor<1x64xf32>, tensor<1x1x1x1xf32>, tensor<f32>, tensor<1x64x7xf32>, tensor<1x64x7x7xf32>, tensor<?x?x?x?xf32>, tensor<?x?xf32>)
func.func @reduce(%x: tensor<1x64x7x7xf32>, %unknown: tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %hw = nn.constant dense<[2, 3]> : tensor<2xi64>
  %last = nn.constant dense<-1> : tensor<1xi64>
  %0 = nn.reduce mean %x axes(%hw) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = nn.reduce mean %x axes(%hw) {keepdims = false} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<*xf32>
  // Without axes every dim is reduced.
  %2 = nn.reduce max %x : (tensor<1x64x7x7xf32>) -> tensor<*xf32>
  %3 = nn.reduce sum %x {keepdims = false} : (tensor<1x64x7x7xf32>) -> tensor<*xf32>
  %4 = nn.reduce min %x axes(%last) {keepdims = false} : (tensor<1x64x7x7xf32>, tensor<1xi64>) -> tensor<*xf32>
  // noop_with_empty_axes: no axes, no reduction.
  %5 = nn.reduce prod %x {noop_with_empty_axes = true} : (tensor<1x64x7x7xf32>) -> tensor<*xf32>
  // Unknown axes: the rank is known, the dims are not.
  %6 = nn.reduce mean %x axes(%unknown) : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<*xf32>
  %7 = nn.reduce mean %x axes(%unknown) {keepdims = false} : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK-SAME: -> (tensor<1x512xf32>, tensor<512xf32>, tensor<1x512x1x1xf32>, tensor<?x512xf32>, tensor<*xf32>, tensor<1x?x1x512xf32>)
func.func @squeeze_unsqueeze(%x: tensor<1x512x1x1xf32>, %d: tensor<?x512x1x1xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %hw = nn.constant dense<[2, 3]> : tensor<2xi64>
  %back = nn.constant dense<[-1, -2]> : tensor<2xi64>
  %front = nn.constant dense<[0, 2]> : tensor<2xi64>
  %0 = nn.squeeze %x axes(%hw) : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  // Without axes, every dim of size 1.
  %1 = nn.squeeze %x : (tensor<1x512x1x1xf32>) -> tensor<*xf32>
  %2 = nn.unsqueeze %0, %back : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  %3 = nn.squeeze %d axes(%back) : (tensor<?x512x1x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  // Which dims are 1 is unknown when some dim is.
  %4 = nn.squeeze %d : (tensor<?x512x1x1xf32>) -> tensor<*xf32>
  // Axes count in the output's rank.
  %5 = nn.unsqueeze %3, %front : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-SAME: -> (tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x48x8x8xf32>, tensor<1x64x8x3xf32>, tensor<1x64x8x3xf32>, tensor<1x64x8x2xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
func.func @split(%x: tensor<1x64x8x8xf32>, %d: tensor<?x?xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %sizes = nn.constant dense<[16, 48]> : tensor<2xi64>
  %0:2 = nn.split %x {axis = 1 : i64} : (tensor<1x64x8x8xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  %1:2 = nn.split %x sizes(%sizes) {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  // 8 into 3: parts of ceil(8 / 3) = 3, the last one smaller.
  %2:3 = nn.split %x {axis = -1 : i64} : (tensor<1x64x8x8xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  %3:2 = nn.split %d {axis = 1 : i64} : (tensor<?x?xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1, %1#0, %1#1, %2#0, %2#1, %2#2, %3#0, %3#1 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @expand
// CHECK-SAME: -> (tensor<2x3x4xf32>, tensor<1x64x7x7xf32>, tensor<?x64x7x7xf32>)
func.func @expand(%x: tensor<1x1x4xf32>, %c: tensor<64x1x1xf32>, %like: tensor<1x64x7x7xf32>, %dyn: tensor<?x64x7x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %shape = nn.constant dense<[2, 3, 1]> : tensor<3xi64>
  %0 = nn.expand %x, %shape : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<*xf32>
  // To the shape of another tensor: a rank-raising broadcast.
  %s = nn.shape %like : (tensor<1x64x7x7xf32>) -> tensor<4xi64>
  %1 = nn.expand %c, %s : (tensor<64x1x1xf32>, tensor<4xi64>) -> tensor<*xf32>
  %sd = nn.shape %dyn : (tensor<?x64x7x7xf32>) -> tensor<4xi64>
  %2 = nn.expand %c, %sd : (tensor<64x1x1xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @pad
// CHECK-SAME: -> (tensor<1x3x12x10xf32>, tensor<1x3x6x8xf32>, tensor<1x3x8x11xf32>, tensor<?x?x?x?xf32>)
func.func @pad(%x: tensor<1x3x8x8xf32>, %unknown: tensor<8xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %pads = nn.constant dense<[0, 0, 1, 2, 0, 0, 3, 0]> : tensor<8xi64>
  // Negative pads crop.
  %crop = nn.constant dense<[0, 0, -1, 0, 0, 0, -1, 0]> : tensor<8xi64>
  %hw = nn.constant dense<[1, 0, 2, 0]> : tensor<4xi64>
  %hw_axes = nn.constant dense<[-1, 2]> : tensor<2xi64>
  %0 = nn.pad %x, %pads {mode = #nn<pad_mode reflect>} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<*xf32>
  %1 = nn.pad %x, %crop : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<*xf32>
  // Pads over `axes`: [begin_w, begin_h, end_w, end_h].
  %2 = nn.pad %x, %hw axes(%hw_axes) : (tensor<1x3x8x8xf32>, tensor<4xi64>, tensor<2xi64>) -> tensor<*xf32>
  // Unknown pads may pad any dim.
  %3 = nn.pad %x, %unknown : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: -> (tensor<1x224x160x3xf32>, tensor<160x224x3x1xf32>, tensor<?x160x3xf32>)
func.func @transpose(%x: tensor<1x3x224x160xf32>, %d: tensor<3x160x?xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x224x160xf32>) -> tensor<*xf32>
  %1 = nn.transpose %x : (tensor<1x3x224x160xf32>) -> tensor<*xf32>
  %2 = nn.transpose %d : (tensor<3x160x?xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Slices and gathers of data tensors, with bounds from the shape.
// CHECK-LABEL: func.func @slice_and_gather_data
// CHECK-SAME: -> (tensor<1x3x112x160xf32>, tensor<1x3x?x40xf32>, tensor<1x2x224x160xf32>, tensor<1x224x160xf32>)
func.func @slice_and_gather_data(%x: tensor<1x3x224x160xf32>, %d: tensor<1x3x?x160xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %s = nn.shape %x {start = 2 : i64, end = 3 : i64} : (tensor<1x3x224x160xf32>) -> tensor<1xi64>
  %zero = nn.constant dense<0> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %three = nn.constant dense<3> : tensor<1xi64>
  %four = nn.constant dense<4> : tensor<1xi64>
  %half = nn.binary div %s, %two : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %axis2 = nn.constant dense<2> : tensor<1xi64>
  %0 = nn.slice %x, %zero, %half axes(%axis2) : (tensor<1x3x224x160xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  // Every 4th column, on an input of unknown height.
  %big = nn.constant dense<[9223372036854775807, 9223372036854775807]> : tensor<2xi64>
  %zz = nn.constant dense<0> : tensor<2xi64>
  %hw_axes = nn.constant dense<[2, 3]> : tensor<2xi64>
  %steps = nn.constant dense<[1, 4]> : tensor<2xi64>
  %1 = nn.slice %d, %zz, %big axes(%hw_axes) steps(%steps) : (tensor<1x3x?x160xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xf32>
  %idx = nn.constant dense<[2, 0]> : tensor<2xi64>
  %2 = nn.gather %x, %idx {axis = 1 : i64} : (tensor<1x3x224x160xf32>, tensor<2xi64>) -> tensor<*xf32>
  %i = nn.constant dense<1> : tensor<i64>
  %3 = nn.gather %x, %i {axis = 1 : i64} : (tensor<1x3x224x160xf32>, tensor<i64>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

//===----------------------------------------------------------------------===//
// Quantization, constants, custom ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @qdq_and_custom
// CHECK-SAME: -> (tensor<1x8x6x6xf32>, tensor<?x?xf32>)
// CHECK: nn.quantize_linear {{.*}} -> tensor<1x3x8x8xi8>
// CHECK: nn.dequantize_linear {{.*}} -> tensor<1x3x8x8xf32>
// CHECK: nn.dequantize_linear {{.*}} -> tensor<8x3x3x3xf32>
// CHECK: nn.conv {{.*}} -> tensor<1x8x6x6xf32>
// The custom op keeps its declared types, and its users see them.
// CHECK: nn.custom "Mystery"{{.*}} -> tensor<?x?xf32>
// CHECK: nn.unary relu {{.*}} : (tensor<?x?xf32>) -> tensor<?x?xf32>
// A custom op may have effects nn cannot see: unused, it stays.
// CHECK: nn.custom "Effect"
func.func @qdq_and_custom(%x: tensor<1x3x8x8xf32>, %s: tensor<f32>, %zp: tensor<i8>, %wq: tensor<8x3x3x3xi8>, %ws: tensor<8xf32>)
    -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.quantize_linear %x, %s, %zp : (tensor<1x3x8x8xf32>, tensor<f32>, tensor<i8>) -> tensor<*xi8>
  %1 = nn.dequantize_linear %0, %s, %zp : (tensor<*xi8>, tensor<f32>, tensor<i8>) -> tensor<*xf32>
  %2 = nn.dequantize_linear %wq, %ws {axis = 0 : i64} : (tensor<8x3x3x3xi8>, tensor<8xf32>) -> tensor<*xf32>
  %3 = nn.conv %1, %2 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %4 = nn.custom "Mystery"(%3) : (tensor<*xf32>) -> tensor<?x?xf32>
  %5 = nn.unary relu %4 : (tensor<?x?xf32>) -> tensor<*xf32>
  %6 = nn.custom "Effect"(%5) {domain = "com.example"} : (tensor<*xf32>) -> tensor<*xf32>
  return %3, %5 : tensor<*xf32>, tensor<*xf32>
}

// -----

// A shape computation with a custom op in it is not folded, and what
// depends on it stays unknown.
// CHECK-LABEL: func.func @constant_of_shape
// CHECK-SAME: -> (tensor<1x3x224x160xf32>, tensor<?x?xi64>)
// CHECK: %[[Z:.*]] = nn.constant dense<0.000000e+00> : tensor<1x3x224x160xf32>
// CHECK: nn.constant_of_shape {{.*}} -> tensor<?x?xi64>
// CHECK: return %[[Z]]
func.func @constant_of_shape(%x: tensor<1x3x224x160xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  %s = nn.shape %x : (tensor<1x3x224x160xf32>) -> tensor<4xi64>
  %0 = nn.constant_of_shape %s : (tensor<4xi64>) -> tensor<*xf32>
  %c = nn.custom "Opaque"(%s) : (tensor<4xi64>) -> tensor<2xi64>
  %1 = nn.constant_of_shape %c {value = dense<7> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<*xi64>
  return %0, %1 : tensor<*xf32>, tensor<*xi64>
}

//===----------------------------------------------------------------------===//
// Functions and errors
//===----------------------------------------------------------------------===//

// -----

// Every function of the module is refined; declarations are left alone.
// CHECK-LABEL: func.func private @external(tensor<?xf32>) -> tensor<?xf32>
// CHECK-LABEL: func.func @first
// CHECK-SAME: -> tensor<1x8x4x4xf32>
// CHECK-LABEL: func.func @second
// CHECK-SAME: -> tensor<2x6xf32>
func.func private @external(tensor<?xf32>) -> tensor<?xf32>
func.func @first(%x: tensor<1x8x4x4xf32>) -> tensor<*xf32> {
  %0 = nn.unary tanh %x : (tensor<1x8x4x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
func.func @second(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %0 = nn.concat %x, %x {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A declared type that a shape computation contradicts: the verifier sees
// through the computation (slice and multiplication of the shape) and
// refuses it before the pass runs.
func.func @contradiction_through_shape_math(%x: tensor<1x512x1x1xf32>) -> tensor<*xf32> {
  %s = nn.shape %x : (tensor<1x512x1x1xf32>) -> tensor<4xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %zero = nn.constant dense<0> : tensor<1xi64>
  %one = nn.constant dense<1> : tensor<i64>
  %nc = nn.slice %s, %zero, %two : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %t = nn.binary mul %nc, %one : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  // expected-error @+1 {{'nn.reshape' op result #0 is declared 'tensor<512x1xf32>' but its operands give 'tensor<1x512xf32>'}}
  %0 = nn.reshape %x, %t : (tensor<1x512x1x1xf32>, tensor<2xi64>) -> tensor<512x1xf32>
  %1 = nn.unary relu %0 : (tensor<512x1xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
