// A channels-last (NHWC) classifier, as TensorFlow and Keras models export:
// a Transpose to NCHW first. For merge-cli.test: H and W are dims 1 and 2.
func.func @main(%x: tensor<1x96x96x3xf32> {nn.name = "image"}) -> (tensor<1x10xf32> {nn.name = "logits"}) {
  %w = nn.constant dense<0.5> : tensor<8x3x3x3xf32>
  %fc = nn.constant dense<0.25> : tensor<10x8xf32>
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x96x96x3xf32>) -> tensor<1x3x96x96xf32>
  %1 = nn.conv %0, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x96x96xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x48x48xf32>
  %2 = nn.global_pool average %1 : (tensor<1x8x48x48xf32>) -> tensor<1x8x1x1xf32>
  %3 = nn.flatten %2 : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %4 = nn.gemm %3, %fc {trans_b = true} : (tensor<1x8xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
  return %4 : tensor<1x10xf32>
}
