// A classifier exported with a dynamic batch (torch's dynamic_axes
// {0: 'batch'}) at 96x96: mlc merge takes the batch as 1, then frees it.
// Its Pad pads the batch by 0: that requires nothing of it.
func.func @main(%x: tensor<?x3x96x96xf32> {nn.name = "image", nn.dim_params = ["batch", "", "", ""]}) -> (tensor<?x3xf32> {nn.name = "logits"}) {
  %pads = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64> loc("/pad/Constant")
  %p = nn.pad %x, %pads : (tensor<?x3x96x96xf32>, tensor<8xi64>) -> tensor<?x3x98x98xf32> loc("/pad/Pad")
  %0 = nn.unary relu %p : (tensor<?x3x98x98xf32>) -> tensor<?x3x98x98xf32> loc("/relu/Relu")
  %1 = nn.global_pool average %0 : (tensor<?x3x98x98xf32>) -> tensor<?x3x1x1xf32> loc("/pool/GlobalAveragePool")
  %2 = nn.flatten %1 {axis = 1 : i64} : (tensor<?x3x1x1xf32>) -> tensor<?x3xf32> loc("/Flatten")
  return %2 : tensor<?x3xf32>
}
