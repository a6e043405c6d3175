// A video classifier exported with dynamic frames, height and width (NCDHW):
// --shapes must size all three (merge-cli.test).
func.func @main(%x: tensor<1x3x?x?x?xf32> {nn.name = "clip", nn.dim_params = ["", "", "D", "H", "W"]}) -> (tensor<1x3xf32> {nn.name = "logits"}) {
  %0 = nn.unary relu %x : (tensor<1x3x?x?x?xf32>) -> tensor<1x3x?x?x?xf32> loc("/relu/Relu")
  %1 = nn.global_pool average %0 : (tensor<1x3x?x?x?xf32>) -> tensor<1x3x1x1x1xf32> loc("/pool/GlobalAveragePool")
  %2 = nn.flatten %1 {axis = 1 : i64} : (tensor<1x3x1x1x1xf32>) -> tensor<1x3xf32> loc("/Flatten")
  return %2 : tensor<1x3xf32>
}
