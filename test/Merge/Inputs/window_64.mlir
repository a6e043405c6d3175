func.func @main(%x: tensor<1x3x64x64xf32> {nn.name = "image"}) -> (tensor<1x3x64x70xf32> {nn.name = "out"}) {
  %w = nn.constant dense<64> : tensor<i64> loc("width")
  %seven = nn.constant dense<7> : tensor<i64> loc("seven")
  %rest = nn.binary mod %w, %seven : (tensor<i64>, tensor<i64>) -> tensor<i64> loc("rest")
  %short = nn.binary sub %seven, %rest : (tensor<i64>, tensor<i64>) -> tensor<i64> loc("short")
  %pad = nn.binary mod %short, %seven : (tensor<i64>, tensor<i64>) -> tensor<i64> loc("pad_w")
  %axes = nn.constant dense<0> : tensor<1xi64> loc("axes")
  %pad1 = nn.unsqueeze %pad, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64> loc("pad_w1")
  %zeros = nn.constant dense<0> : tensor<7xi64> loc("zeros")
  %pads = nn.concat %zeros, %pad1 {axis = 0 : i64} : (tensor<7xi64>, tensor<1xi64>) -> tensor<8xi64> loc("pads")
  %0 = nn.pad %x, %pads : (tensor<1x3x64x64xf32>, tensor<8xi64>) -> tensor<1x3x64x70xf32> loc("pad")
  return %0 : tensor<1x3x64x70xf32>
}
