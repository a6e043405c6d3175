// RUN: mlc-opt %s --nn-infer-shapes --allow-unregistered-dialect --split-input-file --verify-diagnostics

// A graph is one block; the pass refuses anything else instead of guessing.
// expected-error @+1 {{has several blocks; a graph of nn ops is one block}}
func.func @several_blocks(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  "test.branch"()[^next] : () -> ()
^next:
  return %x : tensor<1x3xf32>
}
