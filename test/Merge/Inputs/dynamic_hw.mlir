// dynamic_batch_*.mlir's classifier exported with dynamic H and W: flexible
// already, nothing for mlc merge to do.
func.func @main(%x: tensor<1x3x?x?xf32> {nn.name = "image", nn.dim_params = ["", "", "height", "width"]}) -> (tensor<1x3xf32> {nn.name = "logits"}) {
  %pads = nn.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64> loc("/pad/Constant")
  %p = nn.pad %x, %pads : (tensor<1x3x?x?xf32>, tensor<8xi64>) -> tensor<1x3x?x?xf32> loc("/pad/Pad")
  %0 = nn.unary relu %p : (tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32> loc("/relu/Relu")
  %1 = nn.global_pool average %0 : (tensor<1x3x?x?xf32>) -> tensor<1x3x1x1xf32> loc("/pool/GlobalAveragePool")
  %2 = nn.flatten %1 {axis = 1 : i64} : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32> loc("/Flatten")
  return %2 : tensor<1x3xf32>
}
