// RUN: mlc-opt %s --split-input-file | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlir-print-op-generic | mlc-opt --split-input-file | FileCheck %s

// The shapes a graph input takes (#nn.shapes): enumerated, ranged, and with a
// dim that takes any size (a dynamic batch, `?`), printed as parsed.

// CHECK-LABEL: func.func @enumerated
// CHECK-SAME: nn.shapes = #nn.shapes<[1, 3, 224, 224], [1, 3, 448, 448]>
func.func @enumerated(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[1, 3, 224, 224], [1, 3, 448, 448]>}) {
  return
}

// -----

// CHECK-LABEL: func.func @ranged
// CHECK-SAME: nn.shapes = #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448]>
func.func @ranged(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448]>}) {
  return
}

// -----

// CHECK-LABEL: func.func @any_batch
// CHECK-SAME: nn.shapes = #nn.shapes<[?, 3, 224, 224], [?, 3, 448, 448]>
func.func @any_batch(%x: tensor<?x3x?x?xf32> {nn.shapes = #nn.shapes<[?, 3, 224, 224], [?, 3, 448, 448]>}) {
  return
}

// -----

// CHECK-LABEL: func.func @any_batch_ranged
// CHECK-SAME: nn.shapes = #nn.shapes<range [?, 3, 224 to 448 step 32, 224 to 448 step 32]>
func.func @any_batch_ranged(%x: tensor<?x3x?x?xf32> {nn.shapes = #nn.shapes<range [?, 3, 224 to 448 step 32, 224 to 448 step 32]>}) {
  return
}

// -----

// CHECK-LABEL: func.func @ranged_planned
// CHECK-SAME: nn.shapes = #nn.shapes<range [?, 3, 224 to 448 step 32, 224 to 448 step 32] planned [?, 3, 224, 224], [?, 3, 448, 320]>
func.func @ranged_planned(%x: tensor<?x3x?x?xf32> {nn.shapes = #nn.shapes<range [?, 3, 224 to 448 step 32, 224 to 448 step 32] planned [?, 3, 224, 224], [?, 3, 448, 320]>}) {
  return
}
