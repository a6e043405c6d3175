// A block whose code branches on the input's size (Swin turns its window
// shift off where one window covers the feature map): at 64 it rolls the
// width by 3 (two slices and a concat), at 96 it does not (branch_96.mlir).
func.func @main(%x: tensor<1x3x64x64xf32> {nn.name = "image"}) -> (tensor<1x3x64x64xf32> {nn.name = "out"}) {
  %zero = nn.constant dense<0> : tensor<1xi64> loc("/block/attn/zero")
  %three = nn.constant dense<3> : tensor<1xi64> loc("/block/attn/three")
  %end = nn.constant dense<64> : tensor<1xi64> loc("/block/attn/end")
  %axis = nn.constant dense<3> : tensor<1xi64> loc("/block/attn/axis")
  %tail = nn.slice %x, %three, %end axes(%axis) : (tensor<1x3x64x64xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x3x64x61xf32> loc("/block/attn/Slice")
  %head = nn.slice %x, %zero, %three axes(%axis) : (tensor<1x3x64x64xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x3x64x3xf32> loc("/block/attn/Slice_1")
  %rolled = nn.concat %tail, %head {axis = 3 : i64} : (tensor<1x3x64x61xf32>, tensor<1x3x64x3xf32>) -> tensor<1x3x64x64xf32> loc("/block/attn/Concat")
  %0 = nn.unary relu %rolled : (tensor<1x3x64x64xf32>) -> tensor<1x3x64x64xf32> loc("/block/attn/Relu")
  return %0 : tensor<1x3x64x64xf32>
}
