// RUN: mlc-opt %s --nn-quantize-weights="mode=linear min-size=0" -split-input-file -verify-diagnostics
// RUN: mlc-opt %s --nn-quantize-weights="mode=kmeans min-size=0" -split-input-file -verify-diagnostics
// RUN: mlc-opt %s --nn-quantize-weights="mode=fp16 min-size=0" -split-input-file | FileCheck %s --check-prefix=FP16

// A weight that holds a NaN or an infinity (a corrupt or diverged model): no
// scale or palette fits it, so linear and k-means quantization refuse it at
// its node; fp16 keeps it (a half float has both).
// FP16-COUNT-2: nn.quantized_constant fp16

func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]], [[0x7FC00000]]], [[[0.5]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  // expected-error @+1 {{its weight holds a NaN (value 1): quantization needs finite weights (--skip this node to keep it float)}}
  %y = nn.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]], [[2.0]]], [[[0x7F800000]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  // expected-error @+1 {{its weight holds an infinity (value 2): quantization needs finite weights}}
  %y = nn.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
