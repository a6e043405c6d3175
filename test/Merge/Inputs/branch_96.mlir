// branch_64.mlir's network at 96, where its block does not roll the width.
func.func @main(%x: tensor<1x3x96x96xf32> {nn.name = "image"}) -> (tensor<1x3x96x96xf32> {nn.name = "out"}) {
  %0 = nn.unary relu %x : (tensor<1x3x96x96xf32>) -> tensor<1x3x96x96xf32> loc("/block/attn/Relu")
  return %0 : tensor<1x3x96x96xf32>
}
