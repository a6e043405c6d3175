// RUN: mlc-opt %s --nn-check-flexible --split-input-file --verify-diagnostics -o /dev/null
// RUN: mlc-opt %s --nn-check-flexible="dims=2" --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=ONLY-H

// --nn-check-flexible: H and W (dims 2 and 3) of the input become symbols;
// the remark at the function gives the verdict, each output as a formula and
// the sizes that work; warnings name what blocks or what was baked.

// A classifier with global pooling: any size, output [1, 1000].
// expected-remark @+1 {{flexible; outputs: logits 1x1000; sizes that work: H >= 1, W >= 1}}
func.func @classifier_gap(%x: tensor<1x3x224x224xf32> {nn.name = "image"}) -> (tensor<1x1000xf32> {nn.name = "logits"}) {
  %w = nn.constant dense<1.0> : tensor<64x3x7x7xf32>
  %fc = nn.constant dense<1.0> : tensor<1000x64xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %2 = nn.global_pool average %1 : (tensor<1x64x56x56xf32>) -> tensor<1x64x1x1xf32>
  %3 = nn.flatten %2 : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
  %4 = nn.gemm %3, %fc {trans_b = true} : (tensor<1x64xf32>, tensor<1000x64xf32>) -> tensor<1x1000xf32>
  return %4 : tensor<1x1000xf32>
}

// ONLY-H: remark: flexible; outputs: logits 1x1000; sizes that work: H >= 1

// -----

// Flatten into Gemm without global pooling: K pins the size.
// expected-remark @+1 {{blocked; outputs: logits 1x10}}
func.func @classifier_flatten(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x10xf32> {nn.name = "logits"}) {
  %w = nn.constant dense<1.0> : tensor<8x3x3x3xf32>
  %fc = nn.constant dense<1.0> : tensor<10x2048xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x16x16xf32>
  %1 = nn.flatten %0 : (tensor<1x8x16x16xf32>) -> tensor<1x2048xf32> loc("flat")
  // expected-warning @+1 {{blocks other input sizes: needs K = 2048 = 8*16*16; the Flatten 'flat' before it makes K equal 8*ceil(H/2)*ceil(W/2), so only sizes with 8*ceil(H/2)*ceil(W/2) = 2048 fit, such as the export's H=W=32. Fix: global average pooling before Flatten}}
  %2 = nn.gemm %1, %fc {trans_b = true} : (tensor<1x2048xf32>, tensor<10x2048xf32>) -> tensor<1x10xf32>
  return %2 : tensor<1x10xf32>
}

// -----

// A skip connection after two poolings and two upsamplings: the sizes must
// divide by 4; the output, 4*floor(H/4), is then H.
// expected-remark @+1 {{flexible; outputs: out 1x16xHxW; sizes that work: H >= 4 and H % 4 == 0, W >= 4 and W % 4 == 0}}
func.func @unet(%x: tensor<1x8x64x64xf32> {nn.name = "image"}) -> (tensor<1x16x64x64xf32> {nn.name = "out"}) {
  %scales = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = nn.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x64x64xf32>) -> tensor<1x8x32x32xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>) -> tensor<1x8x16x16xf32>
  %2 = nn.resize %1 scales(%scales) : (tensor<1x8x16x16xf32>, tensor<4xf32>) -> tensor<1x8x32x32xf32>
  %3 = nn.binary add %2, %0 : (tensor<1x8x32x32xf32>, tensor<1x8x32x32xf32>) -> tensor<1x8x32x32xf32>
  %4 = nn.resize %3 scales(%scales) : (tensor<1x8x32x32xf32>, tensor<4xf32>) -> tensor<1x8x64x64xf32>
  %5 = nn.concat %4, %x {axis = 1 : i64} : (tensor<1x8x64x64xf32>, tensor<1x8x64x64xf32>) -> tensor<1x16x64x64xf32>
  return %5 : tensor<1x16x64x64xf32>
}

// -----

// A Resize to constant sizes that were the input's at export: baked. Once
// computed from the input, the network is flexible.
// expected-remark @+1 {{baked; outputs: out 1x4xHxW; sizes that work: H >= 1, W >= 1}}
func.func @resize_to_input(%x: tensor<1x3x64x64xf32> {nn.name = "image"}) -> (tensor<1x4x64x64xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %sizes = nn.constant dense<[1, 4, 64, 64]> : tensor<4xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 4, 4>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x64x64xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x16x16xf32>
  // expected-warning @+1 {{baked in at export: outputs a constant 64x64; 64 = H, 64 = W at H=W=64 was baked in at export}}
  %1 = nn.resize %0 sizes(%sizes) {mode = #nn<resize_mode linear>} : (tensor<1x4x16x16xf32>, tensor<4xi64>) -> tensor<1x4x64x64xf32>
  return %1 : tensor<1x4x64x64xf32>
}

// -----

// A Resize to a fixed size that is no size of the input: meant; the output
// stays 20x20 at any input size.
// expected-remark @+1 {{flexible; outputs: out 1x4x20x20; sizes that work: H >= 1, W >= 1}}
func.func @resize_to_fixed(%x: tensor<1x3x64x64xf32> {nn.name = "image"}) -> (tensor<1x4x20x20xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %sizes = nn.constant dense<[1, 4, 20, 20]> : tensor<4xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 4, 4>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x64x64xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x16x16xf32>
  %1 = nn.resize %0 sizes(%sizes) : (tensor<1x4x16x16xf32>, tensor<4xi64>) -> tensor<1x4x20x20xf32>
  return %1 : tensor<1x4x20x20xf32>
}

// -----

// A constant-size Resize added to a skip of the input's size: blocked as
// exported, but the constant is the skip's size at export, so it is baked.
// The pooling after the convolution needs ceil(H/2) >= 2.
// expected-remark @+1 {{baked; outputs: out 1x4x(ceil(H/2))x(ceil(W/2)); sizes that work: H >= 3, W >= 3}}
func.func @resize_constant_into_skip(%x: tensor<1x3x112x112xf32> {nn.name = "image"}) -> (tensor<1x4x56x56xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %sizes = nn.constant dense<[1, 4, 56, 56]> : tensor<4xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x112x112xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x56x56xf32>
  %1 = nn.pool max %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x56x56xf32>) -> tensor<1x4x28x28xf32>
  // expected-warning @+1 {{baked in at export: outputs a constant 56x56; 56 = ceil(H/2), 56 = ceil(W/2) at H=W=112 was baked in at export}}
  %2 = nn.resize %1 sizes(%sizes) : (tensor<1x4x28x28xf32>, tensor<4xi64>) -> tensor<1x4x56x56xf32>
  %3 = nn.binary add %2, %0 : (tensor<1x4x56x56xf32>, tensor<1x4x56x56xf32>) -> tensor<1x4x56x56xf32>
  return %3 : tensor<1x4x56x56xf32>
}

// -----

// A Reshape whose target was written with the feature map's area at export.
// expected-remark @+1 {{baked; outputs: out 1x8x(ceil(H/4)*ceil(W/4)); sizes that work: H >= 1, W >= 1}}
func.func @reshape_baked(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x8x64xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<8x3x3x3xf32>
  %target = nn.constant dense<[1, 8, 64]> : tensor<3xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 4, 4>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  // expected-warning @+1 {{baked in at export: targets [1, 8, 64]; 64 = ceil(H/4)*ceil(W/4) at H=W=32 was baked in at export}}
  %1 = nn.reshape %0, %target : (tensor<1x8x8x8xf32>, tensor<3xi64>) -> tensor<1x8x64xf32>
  return %1 : tensor<1x8x64xf32>
}

// -----

// A channel shuffle written with the feature map's size at export (torch's
// view(n, groups, c / groups, h, w) on a traced size), twice: each Reshape's
// input is known once the one before is generalized, the groups' 2 and 4
// split the 8 channels (not a size, though 4 = 16 / 4), and a non-square
// export keeps H and W apart.
// expected-remark @+1 {{baked; outputs: out 1x8x(ceil(H/2))x(ceil(W/2)); sizes that work: H >= 1, W >= 1}}
func.func @channel_shuffle_baked(%x: tensor<1x3x32x48xf32> {nn.name = "image"}) -> (tensor<1x8x16x24xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<8x3x3x3xf32>
  %w2 = nn.constant dense<1.0> : tensor<8x8x1x1xf32>
  %split = nn.constant dense<[1, 2, 4, 16, 24]> : tensor<5xi64>
  %merge = nn.constant dense<[1, -1, 16, 24]> : tensor<4xi64>
  %split2 = nn.constant dense<[1, 2, 4, 16, 24]> : tensor<5xi64>
  %merge2 = nn.constant dense<[1, -1, 16, 24]> : tensor<4xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x48xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x16x24xf32>
  // expected-warning @+1 {{baked in at export: targets [1, 2, 4, 16, 24]; 16 = ceil(H/2), 24 = ceil(W/2) at H=32, W=48 was baked in at export}}
  %1 = nn.reshape %0, %split : (tensor<1x8x16x24xf32>, tensor<5xi64>) -> tensor<1x2x4x16x24xf32>
  %2 = nn.transpose %1 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x4x16x24xf32>) -> tensor<1x4x2x16x24xf32>
  // expected-warning @+1 {{baked in at export: targets [1, -1, 16, 24]; 16 = ceil(H/2), 24 = ceil(W/2) at H=32, W=48 was baked in at export}}
  %3 = nn.reshape %2, %merge : (tensor<1x4x2x16x24xf32>, tensor<4xi64>) -> tensor<1x8x16x24xf32>
  %4 = nn.conv %3, %w2 : (tensor<1x8x16x24xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x16x24xf32>
  // expected-warning @+1 {{baked in at export: targets [1, 2, 4, 16, 24]; 16 = ceil(H/2), 24 = ceil(W/2) at H=32, W=48 was baked in at export}}
  %5 = nn.reshape %4, %split2 : (tensor<1x8x16x24xf32>, tensor<5xi64>) -> tensor<1x2x4x16x24xf32>
  %6 = nn.transpose %5 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x4x16x24xf32>) -> tensor<1x4x2x16x24xf32>
  // expected-warning @+1 {{baked in at export: targets [1, -1, 16, 24]; 16 = ceil(H/2), 24 = ceil(W/2) at H=32, W=48 was baked in at export}}
  %7 = nn.reshape %6, %merge2 : (tensor<1x4x2x16x24xf32>, tensor<4xi64>) -> tensor<1x8x16x24xf32>
  return %7 : tensor<1x8x16x24xf32>
}

// -----

// A Reshape whose target is computed from Shape is understood.
// expected-remark @+1 {{flexible; outputs: out 1x8x(ceil(H/4)*ceil(W/4)); sizes that work: H >= 1, W >= 1}}
func.func @reshape_from_shape(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x8x64xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<8x3x3x3xf32>
  %zero = nn.constant dense<0> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %minus_one = nn.constant dense<-1> : tensor<1xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 4, 4>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  %s = nn.shape %0 : (tensor<1x8x8x8xf32>) -> tensor<4xi64>
  %nc = nn.slice %s, %zero, %two : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %t = nn.concat %nc, %minus_one {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %1 = nn.reshape %0, %t : (tensor<1x8x8x8xf32>, tensor<3xi64>) -> tensor<1x8x64xf32>
  return %1 : tensor<1x8x64xf32>
}

// -----

// Dims named by the model's dim_params keep their names; a dynamic batch
// is carried along.
// expected-remark @+1 {{flexible; outputs: out Nx4xheightxwidth; sizes that work: height >= 1, width >= 1}}
func.func @dynamic_dims(%x: tensor<?x3x?x?xf32> {nn.name = "image", nn.dim_params = ["N", "", "height", "width"]}) -> (tensor<?x4x?x?xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %0 = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// Super-resolution: DepthToSpace by 3 gives [1, C, 3H, 3W].
// expected-remark @+1 {{flexible; outputs: out 1x3x(3*H)x(3*W); sizes that work: H >= 1, W >= 1}}
func.func @depth_to_space(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x3x96x96xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<27x3x3x3xf32>
  %0 = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<27x3x3x3xf32>) -> tensor<1x27x32x32xf32>
  %1 = nn.depth_to_space %0 {blocksize = 3 : i64} : (tensor<1x27x32x32xf32>) -> tensor<1x3x96x96xf32>
  return %1 : tensor<1x3x96x96xf32>
}

// -----

// A valid 7x7 window without padding needs H >= 7; a stride-2 pooling
// after it needs 2 more.
// floor((H - 9)/2) + 1 is ceil(H/2) - 4.
// expected-remark @+1 {{flexible; outputs: out 1x4x(ceil(H/2) - 4)x(ceil(W/2) - 4); sizes that work: H >= 9, W >= 9}}
func.func @minimum_size(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x4x12x12xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x7x7xf32>
  %0 = nn.conv %x, %w : (tensor<1x3x32x32xf32>, tensor<4x3x7x7xf32>) -> tensor<1x4x26x26xf32>
  %1 = nn.pool average %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x4x26x26xf32>) -> tensor<1x4x12x12xf32>
  return %1 : tensor<1x4x12x12xf32>
}

// -----

// An op whose shape behaviour nn does not know.
// expected-remark @+1 {{blocked; outputs: out ?x?x?x?}}
func.func @custom(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x3x32x32xf32> {nn.name = "out"}) {
  // expected-warning @+1 {{blocks other input sizes: custom op Swish: shape behaviour unknown}}
  %0 = nn.custom "Swish"(%x) {domain = "com.example"} : (tensor<1x3x32x32xf32>) -> tensor<1x3x32x32xf32>
  return %0 : tensor<1x3x32x32xf32>
}

// -----

// A split along the channels (ShuffleNetV2's chunk, exported as Slices whose
// ends are computed from the channel count) keeps H and W.
// expected-remark @+1 {{flexible; outputs: out 1x4x(ceil(H/2))x(ceil(W/2)); sizes that work: H >= 1, W >= 1}}
func.func @channel_split(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x4x16x16xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<8x3x3x3xf32>
  %zero = nn.constant dense<0> : tensor<1xi64>
  %axis = nn.constant dense<1> : tensor<1xi64>
  %two = nn.constant dense<2> : tensor<1xi64>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x16x16xf32>
  %s = nn.shape %0 : (tensor<1x8x16x16xf32>) -> tensor<4xi64>
  %c = nn.gather %s, %axis : (tensor<4xi64>, tensor<1xi64>) -> tensor<1xi64>
  %half = nn.binary div %c, %two : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %1 = nn.slice %0, %zero, %half axes(%axis) : (tensor<1x8x16x16xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4x16x16xf32>
  return %1 : tensor<1x4x16x16xf32>
}

// -----

// A target whose product overflows 64 bits lines up with nothing (and does
// not crash the alignment of its entries with the input's dims).
// expected-remark @+1 {{blocked; outputs: out 4294967296x4294967296x?; sizes that work: H >= 1, W >= 1}}
func.func @reshape_overflow(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<*xf32> {nn.name = "out"}) {
  %target = nn.constant dense<[4294967296, 4294967296, -1]> : tensor<3xi64>
  // expected-warning @+1 {{blocks other input sizes: targets a shape that is not an expression of the input's size}}
  %0 = nn.reshape %x, %target : (tensor<1x3x32x32xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// A model whose sizes are dynamic (a merged one) has no export's size to
// name beside the sizes that fit.
// expected-remark @+1 {{blocked; outputs: out 1x3x1024; sizes that work: H >= 1, W >= 1}}
func.func @dynamic_pinned(%x: tensor<1x3x?x?xf32> {nn.name = "image"}) -> (tensor<1x3x1024xf32> {nn.name = "out"}) {
  %target = nn.constant dense<[1, 3, 1024]> : tensor<3xi64>
  // expected-warning-re @+1 {{cannot reshape 1x3xHxW (3*H*W elements) to 1x3x1024, so only sizes with 3*H*W = 3072 fit. Fix:{{.*}}}}
  %0 = nn.reshape %x, %target : (tensor<1x3x?x?xf32>, tensor<3xi64>) -> tensor<1x3x1024xf32>
  return %0 : tensor<1x3x1024xf32>
}

// -----

// A video network (NCDHW, as torchvision's r3d_18): by default its frames,
// height and width (dims 2 to 4) are free, D, H and W.
// expected-remark @+1 {{flexible; outputs: logits 1x5; sizes that work: D >= 1, H >= 1, W >= 1}}
func.func @video(%x: tensor<1x3x8x32x32xf32> {nn.name = "clip"}) -> (tensor<1x5xf32> {nn.name = "logits"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3x3xf32>
  %fc = nn.constant dense<1.0> : tensor<5x4xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2, 2>, pads = array<i64: 1, 1, 1, 1, 1, 1>} : (tensor<1x3x8x32x32xf32>, tensor<4x3x3x3x3xf32>) -> tensor<1x4x4x16x16xf32>
  %1 = nn.global_pool average %0 : (tensor<1x4x4x16x16xf32>) -> tensor<1x4x1x1x1xf32>
  %2 = nn.flatten %1 : (tensor<1x4x1x1x1xf32>) -> tensor<1x4xf32>
  %3 = nn.gemm %2, %fc {trans_b = true} : (tensor<1x4xf32>, tensor<5x4xf32>) -> tensor<1x5xf32>
  return %3 : tensor<1x5xf32>
}

// ONLY-H: remark: flexible; outputs: logits 1x5; sizes that work: D >= 1

// -----

// A signal (NCL): its length, dim 2, is free by default; the side input of
// rank 2 keeps its sizes.
// expected-remark @+1 {{flexible; outputs: out 1x4x(ceil(W/2)); sizes that work: W >= 1}}
func.func @signal(%x: tensor<1x2x100xf32> {nn.name = "signal"}, %gain: tensor<1x1xf32> {nn.name = "gain"}) -> (tensor<1x4x50xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x2x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2>, pads = array<i64: 1, 1>} : (tensor<1x2x100xf32>, tensor<4x2x3xf32>) -> tensor<1x4x50xf32>
  %1 = nn.binary mul %0, %gain : (tensor<1x4x50xf32>, tensor<1x1xf32>) -> tensor<1x4x50xf32>
  return %1 : tensor<1x4x50xf32>
}

// ONLY-H: remark: flexible; outputs: out 1x4x(ceil(W/2)); sizes that work: W >= 1

// -----

// A channels-last (NHWC) input, as TensorFlow and Keras models export, moved
// to NCHW first: its H and W are dims 1 and 2.
// expected-remark @+1 {{flexible; outputs: out 1x4x(ceil(H/2))x(ceil(W/2)); sizes that work: H >= 1, W >= 1}}
func.func @channels_last(%x: tensor<1x32x48x3xf32> {nn.name = "image"}) -> (tensor<1x4x16x24xf32> {nn.name = "out"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x32x48x3xf32>) -> tensor<1x3x32x48xf32>
  %1 = nn.conv %0, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x48xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x16x24xf32>
  return %1 : tensor<1x4x16x24xf32>
}

// With dims=2 (W here), named so.
// ONLY-H: remark: flexible; outputs: out 1x4x16x(ceil(W/2)); sizes that work: W >= 1
