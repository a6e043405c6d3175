// RUN: mlc-opt %s --split-input-file --verify-diagnostics

// One case per error of #nn.shapes and of its place on a graph input.

// expected-error @+1 {{dim 0 takes any size ('?') in some shapes only}}
func.func @any_in_some_shapes(%x: tensor<?x3x?x?xf32> {nn.shapes = #nn.shapes<[?, 3, 224, 224], [1, 3, 448, 448]>}) {
  return
}

// -----

// expected-error @+1 {{a range dim takes any size ('?') at both ends or at neither}}
func.func @any_at_one_end(%x: tensor<?x3x?x?xf32> {nn.shapes = #nn.shapes<range [1 to ?, 3, 224 to 448, 224 to 448]>}) {
  return
}

// -----

// expected-error @+1 {{shape dims must be positive or '?'}}
func.func @zero(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[1, 3, 0, 224], [1, 3, 448, 448]>}) {
  return
}

// -----

// expected-error @+1 {{lists a shape twice}}
func.func @twice(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[1, 3, 224, 224], [1, 3, 224, 224]>}) {
  return
}

// -----

// expected-error @+1 {{has its minimum above its maximum}}
func.func @min_above_max(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, 448 to 224, 224]>}) {
  return
}

// -----

// expected-error @+1 {{nn.shapes of argument 0 lets dim 0 vary but the argument's type fixes it at 1}}
func.func @fixed_type(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[?, 3, 224, 224], [?, 3, 448, 448]>}) {
  return
}

// -----

// expected-error @+1 {{nn.shapes of argument 0 has rank 3 but the argument is 'tensor<1x3x?x?xf32>'}}
func.func @rank(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[1, 3, 224], [1, 3, 448]>}) {
  return
}

// -----

// expected-error @+1 {{only dim 0, the batch, takes any size ('?')}}
func.func @any_height(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<[1, 3, ?, 224], [1, 3, ?, 448]>}) {
  return
}

// -----

// expected-error @+1 {{only dim 0, the batch, takes any size ('?')}}
func.func @any_height_ranged(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, ?, 224 to 448]>}) {
  return
}

// -----

// expected-error @+1 {{a planned shape is not in the range}}
func.func @planned_off_step(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448] planned [1, 3, 240, 240]>}) {
  return
}

// -----

// expected-error @+1 {{a planned shape is not in the range}}
func.func @planned_rank(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, 224 to 448, 224 to 448] planned [1, 3, 224]>}) {
  return
}

// -----

// expected-error @+1 {{plans a shape twice}}
func.func @planned_twice(%x: tensor<1x3x?x?xf32> {nn.shapes = #nn.shapes<range [1, 3, 224 to 448, 224 to 448] planned [1, 3, 224, 224], [1, 3, 224, 224]>}) {
  return
}
