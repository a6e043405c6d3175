// Two inputs of different ranks, for check-flexible-cli.test: an image (NCHW)
// and a signal (NCL), each through its own convolution.
func.func @main(%image: tensor<1x3x16x16xf32> {nn.name = "image"}, %signal: tensor<1x2x10xf32> {nn.name = "signal"}) -> (tensor<1x4x8x8xf32> {nn.name = "features"}, tensor<1x4x10xf32> {nn.name = "track"}) {
  %w = nn.constant dense<1.0> : tensor<4x3x3x3xf32>
  %v = nn.constant dense<1.0> : tensor<4x2x3xf32>
  %0 = nn.conv %image, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = nn.conv %signal, %v {pads = array<i64: 1, 1>} : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x10xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x10xf32>
}
