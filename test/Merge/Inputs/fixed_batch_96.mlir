// A classifier exported with a dynamic batch at 96x96 whose head reshapes
// to a constant [1, 3] (a hand-written graph; torch computes the batch
// there): the graph takes batch 1 only, so the merged model keeps it at 1.
func.func @main(%x: tensor<?x3x96x96xf32> {nn.name = "image", nn.dim_params = ["batch", "", "", ""]}) -> (tensor<1x3xf32> {nn.name = "logits"}) {
  %0 = nn.global_pool average %x : (tensor<?x3x96x96xf32>) -> tensor<?x3x1x1xf32> loc("/pool/GlobalAveragePool")
  %shape = nn.constant dense<[1, 3]> : tensor<2xi64> loc("/Constant")
  %1 = nn.reshape %0, %shape : (tensor<?x3x1x1xf32>, tensor<2xi64>) -> tensor<1x3xf32> loc("/Reshape")
  return %1 : tensor<1x3xf32>
}
