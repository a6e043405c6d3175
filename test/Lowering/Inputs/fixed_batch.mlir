// Items of a batch of 1 reshaped into rows of another count: the target's 2
// does not follow the batch, so batches run one prediction at a time.
func.func @main(%x: tensor<1x2x4x4xf32> {nn.name = "x"}) -> (tensor<2x16xf32> {nn.name = "y"}) {
  %t = nn.constant dense<[2, 16]> : tensor<2xi64>
  %y = nn.reshape %x, %t : (tensor<1x2x4x4xf32>, tensor<2xi64>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
