func.func @main(%x: tensor<1x3x96x96xf32> {nn.name = "image"}) -> (tensor<1x3x116x116xf32> {nn.name = "out"}) {
  %pads = nn.constant dense<[0, 0, 10, 10, 0, 0, 10, 10]> : tensor<8xi64> loc("pads")
  %0 = nn.pad %x, %pads {mode = #nn<pad_mode reflect>} : (tensor<1x3x96x96xf32>, tensor<8xi64>) -> tensor<1x3x116x116xf32> loc("pad")
  %1 = nn.unary relu %0 : (tensor<1x3x116x116xf32>) -> tensor<1x3x116x116xf32> loc("relu")
  return %1 : tensor<1x3x116x116xf32>
}
