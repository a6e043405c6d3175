// Two channel shuffles (ShuffleNetV2's: Reshape to [N, g, C/g, H, W],
// Transpose, Reshape back), each after a stride-2 convolution, at 64x64.
func.func @main(%x: tensor<1x4x64x64xf32> {nn.name = "image"}) -> (tensor<1x4x16x16xf32> {nn.name = "out"}) {
  %w = nn.constant dense<0.25> : tensor<4x4x3x3xf32> loc("w")
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x64x64xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x32x32xf32> loc("conv1")
  %split1 = nn.constant dense<[1, 2, 2, 32, 32]> : tensor<5xi64> loc("split1")
  %1 = nn.reshape %0, %split1 : (tensor<1x4x32x32xf32>, tensor<5xi64>) -> tensor<1x2x2x32x32xf32> loc("shuffle1_split")
  %2 = nn.transpose %1 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x2x32x32xf32>) -> tensor<1x2x2x32x32xf32> loc("shuffle1_swap")
  %join1 = nn.constant dense<[1, 4, 32, 32]> : tensor<4xi64> loc("join1")
  %3 = nn.reshape %2, %join1 : (tensor<1x2x2x32x32xf32>, tensor<4xi64>) -> tensor<1x4x32x32xf32> loc("shuffle1_join")
  %4 = nn.conv %3, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x32x32xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x16x16xf32> loc("conv2")
  %split2 = nn.constant dense<[1, 2, 2, 16, 16]> : tensor<5xi64> loc("split2")
  %5 = nn.reshape %4, %split2 : (tensor<1x4x16x16xf32>, tensor<5xi64>) -> tensor<1x2x2x16x16xf32> loc("shuffle2_split")
  %6 = nn.transpose %5 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x2x16x16xf32>) -> tensor<1x2x2x16x16xf32> loc("shuffle2_swap")
  %join2 = nn.constant dense<[1, 4, 16, 16]> : tensor<4xi64> loc("join2")
  %7 = nn.reshape %6, %join2 : (tensor<1x2x2x16x16xf32>, tensor<4xi64>) -> tensor<1x4x16x16xf32> loc("shuffle2_join")
  return %7 : tensor<1x4x16x16xf32>
}
