// RUN: mlc-opt %s --canonicalize --split-input-file | FileCheck %s
// RUN: mlc-opt %s --nn-infer-shapes --split-input-file | FileCheck %s

// The folders of the ops that shape computations use. Both the canonicalizer
// and --nn-infer-shapes fold them into nn.constant; the declared types here
// are already static, so both give the same constants.

// CHECK-LABEL: func.func @shape_static
// CHECK-DAG: %[[ALL:.*]] = nn.constant dense<[1, 3, 224, 160]> : tensor<4xi64>
// CHECK-DAG: %[[MID:.*]] = nn.constant dense<[3, 224]> : tensor<2xi64>
// CHECK-DAG: %[[TAIL:.*]] = nn.constant dense<[224, 160]> : tensor<2xi64>
// CHECK-NOT: nn.shape
// CHECK: return %[[ALL]], %[[MID]], %[[TAIL]]
func.func @shape_static(%x: tensor<1x3x224x160xf32>) -> (tensor<4xi64>, tensor<2xi64>, tensor<2xi64>) {
  %0 = nn.shape %x : (tensor<1x3x224x160xf32>) -> tensor<4xi64>
  %1 = nn.shape %x {start = 1 : i64, end = -1 : i64} : (tensor<1x3x224x160xf32>) -> tensor<2xi64>
  %2 = nn.shape %x {start = -2 : i64} : (tensor<1x3x224x160xf32>) -> tensor<2xi64>
  return %0, %1, %2 : tensor<4xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Only the dims that the shape returns need to be known.
// CHECK-LABEL: func.func @shape_partly_dynamic
// CHECK-DAG: %[[HW:.*]] = nn.constant dense<[224, 160]> : tensor<2xi64>
// CHECK-DAG: %[[ALL:.*]] = nn.shape %{{.*}} : (tensor<?x3x224x160xf32>) -> tensor<4xi64>
// CHECK: return %[[ALL]], %[[HW]]
func.func @shape_partly_dynamic(%x: tensor<?x3x224x160xf32>) -> (tensor<4xi64>, tensor<2xi64>) {
  %0 = nn.shape %x : (tensor<?x3x224x160xf32>) -> tensor<4xi64>
  %1 = nn.shape %x {start = 2 : i64} : (tensor<?x3x224x160xf32>) -> tensor<2xi64>
  return %0, %1 : tensor<4xi64>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK-DAG: %[[A:.*]] = nn.constant dense<30> : tensor<i64>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<40> : tensor<i64>
// CHECK-DAG: %[[C:.*]] = nn.constant dense<[40, 10, 10]> : tensor<3xi64>
// CHECK-DAG: %[[D:.*]] = nn.constant dense<{{\[}}[3, 1], [6, 4]]> : tensor<2x2xi64>
// CHECK-NOT: nn.gather
// CHECK: return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @gather() -> (tensor<i64>, tensor<i64>, tensor<3xi64>, tensor<2x2xi64>) {
  %data = nn.constant dense<[10, 20, 30, 40]> : tensor<4xi64>
  %two = nn.constant dense<2> : tensor<i64>
  %minus_one = nn.constant dense<-1> : tensor<i64>
  %many = nn.constant dense<[3, 0, -4]> : tensor<3xi64>
  %matrix = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %cols = nn.constant dense<[2, 0]> : tensor<2xi64>
  %0 = nn.gather %data, %two : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %1 = nn.gather %data, %minus_one : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %2 = nn.gather %data, %many : (tensor<4xi64>, tensor<3xi64>) -> tensor<3xi64>
  %3 = nn.gather %matrix, %cols {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  return %0, %1, %2, %3 : tensor<i64>, tensor<i64>, tensor<3xi64>, tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @gather_unknown_data
// CHECK: nn.gather
func.func @gather_unknown_data(%data: tensor<4xi64>) -> tensor<i64> {
  %two = nn.constant dense<2> : tensor<i64>
  %0 = nn.gather %data, %two : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-DAG: %[[MID:.*]] = nn.constant dense<[20, 30]> : tensor<2xi64>
// CHECK-DAG: %[[CLAMPED:.*]] = nn.constant dense<[20, 40, 60]> : tensor<3xi64>
// CHECK-DAG: %[[REVERSED:.*]] = nn.constant dense<[60, 50, 40, 30, 20, 10]> : tensor<6xi64>
// CHECK-DAG: %[[BACK2:.*]] = nn.constant dense<[50, 30]> : tensor<2xi64>
// CHECK-DAG: %[[FIRST:.*]] = nn.constant dense<10> : tensor<1xi64>
// CHECK-DAG: %[[EMPTY:.*]] = nn.constant dense<> : tensor<0xi64>
// CHECK-NOT: nn.slice
// CHECK: return %[[MID]], %[[CLAMPED]], %[[REVERSED]], %[[BACK2]], %[[FIRST]], %[[EMPTY]]
func.func @slice() -> (tensor<2xi64>, tensor<3xi64>, tensor<6xi64>, tensor<2xi64>, tensor<1xi64>, tensor<0xi64>) {
  %data = nn.constant dense<[10, 20, 30, 40, 50, 60]> : tensor<6xi64>
  %c1 = nn.constant dense<1> : tensor<1xi64>
  %c3 = nn.constant dense<3> : tensor<1xi64>
  %c2 = nn.constant dense<2> : tensor<1xi64>
  %big = nn.constant dense<9223372036854775807> : tensor<1xi64>
  %m1 = nn.constant dense<-1> : tensor<1xi64>
  %m2 = nn.constant dense<-2> : tensor<1xi64>
  %m100 = nn.constant dense<-100> : tensor<1xi64>
  %m6 = nn.constant dense<-6> : tensor<1xi64>
  %small = nn.constant dense<-9223372036854775808> : tensor<1xi64>
  // [1, 3)
  %0 = nn.slice %data, %c1, %c3 : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  // [1, INT64_MAX) by 2: the end clamps to the dim.
  %1 = nn.slice %data, %c1, %big steps(%c2) : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  // [-1, INT64_MIN) by -1: the whole dim reversed, as exporters write x[::-1].
  %2 = nn.slice %data, %m1, %small steps(%m1) : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<6xi64>
  // [-2, -6) by -2: indices 4, 2; the end is index 0, excluded.
  %3 = nn.slice %data, %m2, %m6 steps(%m2) : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  // A start below the dim clamps to 0 when stepping backwards, so one
  // element (index 0) remains, as ONNX specifies.
  %4 = nn.slice %data, %m100, %m100 steps(%m1) : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  // An empty range.
  %5 = nn.slice %data, %c3, %c1 : (tensor<6xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<0xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<2xi64>, tensor<3xi64>, tensor<6xi64>, tensor<2xi64>, tensor<1xi64>, tensor<0xi64>
}

// -----

// CHECK-LABEL: func.func @slice_2d_axes
// CHECK: %[[R:.*]] = nn.constant dense<{{\[}}[2, 3], [6, 7]]> : tensor<2x2xi64>
// CHECK-NOT: nn.slice
// CHECK: return %[[R]]
func.func @slice_2d_axes() -> tensor<2x2xi64> {
  %data = nn.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7]]> : tensor<2x4xi64>
  %start = nn.constant dense<2> : tensor<1xi64>
  %end = nn.constant dense<4> : tensor<1xi64>
  %axis = nn.constant dense<-1> : tensor<1xi64>
  %0 = nn.slice %data, %start, %end axes(%axis) : (tensor<2x4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-DAG: %[[V:.*]] = nn.constant dense<[1, 2, 3, -1]> : tensor<4xi64>
// CHECK-DAG: %[[M:.*]] = nn.constant dense<{{\[}}[1, 2, 5], [3, 4, 6]]> : tensor<2x3xi64>
// CHECK-DAG: %[[F:.*]] = nn.constant dense<[1.000000e+00, 2.000000e+00, 5.000000e-01]> : tensor<3xf32>
// CHECK-NOT: nn.concat
// CHECK: return %[[V]], %[[M]], %[[F]]
func.func @concat() -> (tensor<4xi64>, tensor<2x3xi64>, tensor<3xf32>) {
  %a = nn.constant dense<[1, 2]> : tensor<2xi64>
  %b = nn.constant dense<3> : tensor<1xi64>
  %c = nn.constant dense<-1> : tensor<1xi64>
  %m = nn.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %n = nn.constant dense<[[5], [6]]> : tensor<2x1xi64>
  %f = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %g = nn.constant dense<0.5> : tensor<1xf32>
  %0 = nn.concat %a, %b, %c {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %1 = nn.concat %m, %n {axis = -1 : i64} : (tensor<2x2xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  %2 = nn.concat %f, %g {axis = 0 : i64} : (tensor<2xf32>, tensor<1xf32>) -> tensor<3xf32>
  return %0, %1, %2 : tensor<4xi64>, tensor<2x3xi64>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_unknown_part
// CHECK: nn.concat
func.func @concat_unknown_part(%x: tensor<1xi64>) -> tensor<2xi64> {
  %a = nn.constant dense<1> : tensor<1xi64>
  %0 = nn.concat %a, %x {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @unsqueeze
// CHECK-DAG: %[[V:.*]] = nn.constant dense<7> : tensor<1xi64>
// CHECK-DAG: %[[M:.*]] = nn.constant dense<{{\[}}[1], [2]]> : tensor<2x1xi64>
// CHECK-NOT: nn.unsqueeze
// CHECK: return %[[V]], %[[M]]
func.func @unsqueeze() -> (tensor<1xi64>, tensor<2x1xi64>) {
  %s = nn.constant dense<7> : tensor<i64>
  %v = nn.constant dense<[1, 2]> : tensor<2xi64>
  %a0 = nn.constant dense<0> : tensor<1xi64>
  %a1 = nn.constant dense<-1> : tensor<1xi64>
  %0 = nn.unsqueeze %s, %a0 : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %1 = nn.unsqueeze %v, %a1 : (tensor<2xi64>, tensor<1xi64>) -> tensor<2x1xi64>
  return %0, %1 : tensor<1xi64>, tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK-DAG: %[[F:.*]] = nn.constant dense<[2.240000e+02, -1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[I:.*]] = nn.constant dense<[2, -2, 0]> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[N:.*]] = nn.constant dense<[224, -1]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = nn.constant dense<[224, -1]> : tensor<2xi64>
// CHECK-NOT: nn.cast
// CHECK: return %[[F]], %[[I]], %[[B]], %[[N]], %[[S]]
func.func @cast() -> (tensor<2xf32>, tensor<3xi64>, tensor<3xi1>, tensor<2xi32>, tensor<2xi64>) {
  %i = nn.constant dense<[224, -1]> : tensor<2xi64>
  %f = nn.constant dense<[2.7, -2.7, 0.0]> : tensor<3xf32>
  %0 = nn.cast %i : (tensor<2xi64>) -> tensor<2xf32>
  // Float to integer truncates toward zero.
  %1 = nn.cast %f : (tensor<3xf32>) -> tensor<3xi64>
  %2 = nn.cast %f : (tensor<3xf32>) -> tensor<3xi1>
  %3 = nn.cast %i : (tensor<2xi64>) -> tensor<2xi32>
  // To the same type: the input itself.
  %4 = nn.cast %i : (tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<3xi64>, tensor<3xi1>, tensor<2xi32>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @binary_int
// CHECK-DAG: %[[ADD:.*]] = nn.constant dense<[9, 18]> : tensor<2xi64>
// CHECK-DAG: %[[SUB:.*]] = nn.constant dense<[-5, 2]> : tensor<2xi64>
// CHECK-DAG: %[[MUL:.*]] = nn.constant dense<{{\[}}[14, 70], [-2, -10]]> : tensor<2x2xi64>
// CHECK-DAG: %[[DIV:.*]] = nn.constant dense<[-3, 3]> : tensor<2xi64>
// CHECK-DAG: %[[MAX:.*]] = nn.constant dense<[7, 10]> : tensor<2xi64>
// CHECK-DAG: %[[MIN:.*]] = nn.constant dense<[2, 8]> : tensor<2xi64>
// CHECK-NOT: nn.binary
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]], %[[MAX]], %[[MIN]]
func.func @binary_int() -> (tensor<2xi64>, tensor<2xi64>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %a = nn.constant dense<[2, 10]> : tensor<2xi64>
  %b = nn.constant dense<[7, 8]> : tensor<2xi64>
  %col = nn.constant dense<[[7], [-1]]> : tensor<2x1xi64>
  %m7 = nn.constant dense<[-7, 7]> : tensor<2xi64>
  %two = nn.constant dense<2> : tensor<i64>
  %0 = nn.binary add %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %1 = nn.binary sub %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  // Broadcast: a column times a row.
  %2 = nn.binary mul %col, %a : (tensor<2x1xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  // Integer division truncates toward zero.
  %3 = nn.binary div %m7, %two : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %4 = nn.binary max %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %5 = nn.binary min %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<2xi64>, tensor<2xi64>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Division by zero and integer powers are left to the runtime.
// CHECK-LABEL: func.func @binary_int_not_folded
// CHECK: nn.binary div
// CHECK: nn.binary pow
func.func @binary_int_not_folded() -> (tensor<2xi64>, tensor<2xi64>) {
  %a = nn.constant dense<[2, 10]> : tensor<2xi64>
  %z = nn.constant dense<[1, 0]> : tensor<2xi64>
  %0 = nn.binary div %a, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %1 = nn.binary pow %a, %a : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @binary_float
// CHECK-DAG: %[[MUL:.*]] = nn.constant dense<[4.480000e+02, 3.200000e+02]> : tensor<2xf32>
// CHECK-DAG: %[[DIV:.*]] = nn.constant dense<[1.400000e+01, 1.000000e+01]> : tensor<2xf32>
// CHECK-DAG: %[[POW:.*]] = nn.constant dense<[5.017600e+04, 2.560000e+04]> : tensor<2xf32>
// CHECK-NOT: nn.binary
// CHECK: return %[[MUL]], %[[DIV]], %[[POW]]
func.func @binary_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %hw = nn.constant dense<[224.0, 160.0]> : tensor<2xf32>
  %two = nn.constant dense<2.0> : tensor<f32>
  %sixteen = nn.constant dense<16.0> : tensor<1xf32>
  %0 = nn.binary mul %hw, %two : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = nn.binary div %hw, %sixteen : (tensor<2xf32>, tensor<1xf32>) -> tensor<2xf32>
  %2 = nn.binary pow %hw, %two : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK-DAG: %[[RELU:.*]] = nn.constant dense<[0.000000e+00, 0.000000e+00, 2.500000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[LEAKY:.*]] = nn.constant dense<[-1.000000e-01, 0.000000e+00, 2.500000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[HSIG:.*]] = nn.constant dense<[3.000000e-01, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[FLOOR:.*]] = nn.constant dense<[-1.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[SQRT:.*]] = nn.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[NEG:.*]] = nn.constant dense<[3, -4]> : tensor<2xi64>
// CHECK-DAG: %[[ABS:.*]] = nn.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: %[[IRELU:.*]] = nn.constant dense<[0, 4]> : tensor<2xi64>
// CHECK-NOT: nn.unary
// CHECK: return %[[RELU]], %[[LEAKY]], %[[HSIG]], %[[FLOOR]], %[[SQRT]], %[[NEG]], %[[ABS]], %[[IRELU]]
func.func @unary() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %f = nn.constant dense<[-1.0, 0.0, 2.5]> : tensor<3xf32>
  %sq = nn.constant dense<[4.0, 9.0]> : tensor<2xf32>
  %i = nn.constant dense<[-3, 4]> : tensor<2xi64>
  %0 = nn.unary relu %f : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nn.unary leaky_relu %f {alpha = 1.0e-01 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  %2 = nn.unary hard_sigmoid %f {alpha = 2.0e-01 : f32, beta = 5.0e-01 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  %3 = nn.unary floor %f : (tensor<3xf32>) -> tensor<3xf32>
  %4 = nn.unary sqrt %sq : (tensor<2xf32>) -> tensor<2xf32>
  %5 = nn.unary neg %i : (tensor<2xi64>) -> tensor<2xi64>
  %6 = nn.unary abs %i : (tensor<2xi64>) -> tensor<2xi64>
  %7 = nn.unary relu %i : (tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Folders build constants of at most 4096 elements: weights are not folded
// into the context's uniqued attributes.
// CHECK-LABEL: func.func @unary_too_large
// CHECK: nn.unary relu
func.func @unary_too_large() -> tensor<64x65xf32> {
  %w = nn.constant dense<-1.0> : tensor<64x65xf32>
  %0 = nn.unary relu %w : (tensor<64x65xf32>) -> tensor<64x65xf32>
  return %0 : tensor<64x65xf32>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape
// CHECK-DAG: %[[ONES:.*]] = nn.constant dense<1> : tensor<2x3xi64>
// CHECK-DAG: %[[ZEROS:.*]] = nn.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NOT: nn.constant_of_shape
// CHECK: return %[[ONES]], %[[ZEROS]]
func.func @constant_of_shape() -> (tensor<2x3xi64>, tensor<4xf32>) {
  %s = nn.constant dense<[2, 3]> : tensor<2xi64>
  %n = nn.constant dense<4> : tensor<1xi64>
  %0 = nn.constant_of_shape %s {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  %1 = nn.constant_of_shape %n : (tensor<1xi64>) -> tensor<4xf32>
  return %0, %1 : tensor<2x3xi64>, tensor<4xf32>
}

// -----

// The computation exporters emit for a Reshape target: Shape, Gather,
// Unsqueeze, Concat, all of it folded.
// CHECK-LABEL: func.func @shape_chain
// CHECK: %[[T:.*]] = nn.constant dense<[1, 3, -1]> : tensor<3xi64>
// CHECK-NOT: nn.shape
// CHECK-NOT: nn.gather
// CHECK-NOT: nn.unsqueeze
// CHECK-NOT: nn.concat
// CHECK: return %[[T]]
func.func @shape_chain(%x: tensor<1x3x224x224xf32>) -> tensor<3xi64> {
  %s = nn.shape %x : (tensor<1x3x224x224xf32>) -> tensor<4xi64>
  %i0 = nn.constant dense<0> : tensor<i64>
  %i1 = nn.constant dense<1> : tensor<i64>
  %axes = nn.constant dense<0> : tensor<1xi64>
  %minus_one = nn.constant dense<-1> : tensor<1xi64>
  %n = nn.gather %s, %i0 : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %c = nn.gather %s, %i1 : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %n1 = nn.unsqueeze %n, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %c1 = nn.unsqueeze %c, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %t = nn.concat %n1, %c1, %minus_one {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %t : tensor<3xi64>
}

// -----

// Comparisons of constants, ints and floats, broadcast; their negation.
// CHECK-LABEL: func.func @compare
// CHECK-DAG: %[[EQ:.*]] = nn.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: %[[LT:.*]] = nn.constant dense<{{\[}}[false, false, false], [true, true, true]]> : tensor<2x3xi1>
// CHECK-DAG: %[[GE:.*]] = nn.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: %[[NOT:.*]] = nn.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NOT: nn.compare
// CHECK-NOT: nn.not
// CHECK: return %[[EQ]], %[[LT]], %[[GE]], %[[NOT]]
func.func @compare() -> (tensor<3xi1>, tensor<2x3xi1>, tensor<2xi1>, tensor<3xi1>) {
  %a = nn.constant dense<[1, -1, -1]> : tensor<3xi64>
  %m = nn.constant dense<-1> : tensor<i64>
  %col = nn.constant dense<[[1], [-2]]> : tensor<2x1xi64>
  %f = nn.constant dense<[0.5, -2.0]> : tensor<2xf32>
  %z = nn.constant dense<0.0> : tensor<f32>
  %0 = nn.compare equal %a, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %1 = nn.compare less %col, %a : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  %2 = nn.compare greater_or_equal %f, %z : (tensor<2xf32>, tensor<f32>) -> tensor<2xi1>
  %3 = nn.not %0 : (tensor<3xi1>) -> tensor<3xi1>
  return %0, %1, %2, %3 : tensor<3xi1>, tensor<2x3xi1>, tensor<2xi1>, tensor<3xi1>
}

// -----

// torch's expand(n, -1, -1) as exported: the -1s become 1s.
// CHECK-LABEL: func.func @where_expand_shape
// CHECK-DAG: %[[SHAPE:.*]] = nn.constant dense<[2, 1, 1]> : tensor<3xi64>
// CHECK-DAG: %[[F:.*]] = nn.constant dense<{{\[}}[1.000000e+00, -1.000000e+02]]> : tensor<1x2xf32>
// CHECK-NOT: nn.where
// CHECK: return %[[SHAPE]], %[[F]]
func.func @where_expand_shape() -> (tensor<3xi64>, tensor<1x2xf32>) {
  %want = nn.constant dense<[2, -1, -1]> : tensor<3xi64>
  %three = nn.constant dense<3> : tensor<1xi64>
  %ones = nn.constant_of_shape %three {value = dense<1> : tensor<1xi64>} : (tensor<1xi64>) -> tensor<3xi64>
  %m = nn.constant dense<-1> : tensor<i64>
  %minus = nn.binary mul %ones, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %eq = nn.compare equal %want, %minus : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %0 = nn.where %eq, %ones, %want : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // A mask filled as masked_fill does, scalars broadcast.
  %c = nn.constant dense<[[false, true]]> : tensor<1x2xi1>
  %x = nn.constant dense<-100.0> : tensor<f32>
  %y = nn.constant dense<1.0> : tensor<f32>
  %1 = nn.where %c, %x, %y : (tensor<1x2xi1>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>
  return %0, %1 : tensor<3xi64>, tensor<1x2xf32>
}

// -----

// Mod with the divisor's sign and fmod with the dividend's, ints and floats;
// a division by zero is left to the runtime.
// CHECK-LABEL: func.func @mod
// CHECK-DAG: %[[MOD:.*]] = nn.constant dense<[2, -2, 0]> : tensor<3xi64>
// CHECK-DAG: %[[FMOD:.*]] = nn.constant dense<[-1, 1, 0]> : tensor<3xi64>
// CHECK-DAG: %[[FF:.*]] = nn.constant dense<[-1.500000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK: %[[Z:.*]] = nn.binary mod
// CHECK: return %[[MOD]], %[[FMOD]], %[[FF]], %[[Z]]
func.func @mod() -> (tensor<3xi64>, tensor<3xi64>, tensor<2xf32>, tensor<3xi64>) {
  %a = nn.constant dense<[-7, 7, 6]> : tensor<3xi64>
  %b = nn.constant dense<[3, -3, 3]> : tensor<3xi64>
  %z = nn.constant dense<[3, 0, 1]> : tensor<3xi64>
  %f = nn.constant dense<[-5.5, 5.5]> : tensor<2xf32>
  %g = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.binary mod %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %1 = nn.binary fmod %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %2 = nn.binary fmod %f, %g : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %3 = nn.binary mod %a, %z : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0, %1, %2, %3 : tensor<3xi64>, tensor<3xi64>, tensor<2xf32>, tensor<3xi64>
}

// -----

// Range of constants; a slice assignment (ScatterND) into a constant; the
// [n, 2] pads matrix torch's F.pad reverses, through reshape and transpose.
// CHECK-LABEL: func.func @range_scatter_pads
// CHECK-DAG: %[[R:.*]] = nn.constant dense<[7, 4, 1]> : tensor<3xi64>
// CHECK-DAG: %[[M:.*]] = nn.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 0.000000e+00], [5.000000e+00, 5.000000e+00, 5.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK-DAG: %[[P:.*]] = nn.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
// CHECK-NOT: nn.range
// CHECK-NOT: nn.scatter_nd
// CHECK-NOT: nn.transpose
// CHECK: return %[[R]], %[[M]], %[[P]]
func.func @range_scatter_pads() -> (tensor<3xi64>, tensor<3x3xf32>, tensor<6xi64>) {
  %start = nn.constant dense<7> : tensor<i64>
  %limit = nn.constant dense<0> : tensor<i64>
  %delta = nn.constant dense<-3> : tensor<i64>
  %0 = nn.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %zeros = nn.constant dense<0.0> : tensor<3x3xf32>
  %row = nn.constant dense<[[1]]> : tensor<1x1xi64>
  %fives = nn.constant dense<5.0> : tensor<1x3xf32>
  %1 = nn.scatter_nd %zeros, %row, %fives : (tensor<3x3xf32>, tensor<1x1xi64>, tensor<1x3xf32>) -> tensor<3x3xf32>
  %pads = nn.constant dense<[1, 4, 2, 5, 3, 6]> : tensor<6xi64>
  %shape = nn.constant dense<[3, 2]> : tensor<2xi64>
  %m = nn.reshape %pads, %shape : (tensor<6xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  %t = nn.transpose %m {perm = array<i64: 1, 0>} : (tensor<3x2xi64>) -> tensor<2x3xi64>
  %flat = nn.constant dense<[6]> : tensor<1xi64>
  %2 = nn.reshape %t, %flat : (tensor<2x3xi64>, tensor<1xi64>) -> tensor<6xi64>
  return %0, %1, %2 : tensor<3xi64>, tensor<3x3xf32>, tensor<6xi64>
}

// -----

// Known dims picked out of a shape whose batch is free (torch's x.shape[2]);
// not out of a graph input's, whose declared dims a compile may free.
// CHECK-LABEL: func.func @gather_known_dims
// CHECK-DAG: %[[H:.*]] = nn.constant dense<56> : tensor<i64>
// CHECK-DAG: %[[S:.*]] = nn.shape %arg0
// CHECK-DAG: %[[C:.*]] = nn.gather %[[S]]
// CHECK: return %[[H]], %[[C]]
func.func @gather_known_dims(%x: tensor<1x96x?x56xf32>) -> (tensor<i64>, tensor<i64>) {
  %y = nn.unary relu %x : (tensor<1x96x?x56xf32>) -> tensor<?x96x56x56xf32>
  %s = nn.shape %y : (tensor<?x96x56x56xf32>) -> tensor<4xi64>
  %two = nn.constant dense<2> : tensor<i64>
  %h = nn.gather %s, %two {axis = 0 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %sx = nn.shape %x : (tensor<1x96x?x56xf32>) -> tensor<4xi64>
  %three = nn.constant dense<3> : tensor<i64>
  %c = nn.gather %sx, %three {axis = 0 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  return %h, %c : tensor<i64>, tensor<i64>
}
