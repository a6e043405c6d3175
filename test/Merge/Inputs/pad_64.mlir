func.func @main(%x: tensor<1x3x64x64xf32> {nn.name = "image"}) -> (tensor<1x3x70x70xf32> {nn.name = "out"}) {
  %pads = nn.constant dense<[0, 0, 3, 3, 0, 0, 3, 3]> : tensor<8xi64> loc("pads")
  %0 = nn.pad %x, %pads {mode = #nn<pad_mode reflect>} : (tensor<1x3x64x64xf32>, tensor<8xi64>) -> tensor<1x3x70x70xf32> loc("pad")
  %1 = nn.unary relu %0 : (tensor<1x3x70x70xf32>) -> tensor<1x3x70x70xf32> loc("relu")
  return %1 : tensor<1x3x70x70xf32>
}
