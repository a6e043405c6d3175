//===- ShapeInference.h - Shapes as expressions of the input's dims --*- C++ -*-===//
//
// Every nn op has one shape function (ShapeInferenceOpInterface::inferShapes)
// that works on symbolic dims: a dim is a known size, an expression of the
// graph's free input dims (H, W, ...), or unknown. The same function serves
//   - the verifier and type inference, where dims come from the operand types
//     (static sizes are constant expressions, `?` is unknown), and
//   - the flexibility analysis, where the free input dims are symbols and each
//     op's output dims come out as expressions of them.
// Checks an op needs of its operands' sizes (a kernel fits, two dims agree)
// are errors when the sizes are known and violate them, and requirements on
// the free dims when they are expressions.
//
// Expressions are MLIR AffineExprs over symbols (s0 is the first free dim):
// sums, products, floor and ceil division by constants, and their
// simplification come from MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_SHAPEINFERENCE_H
#define MLC_DIALECT_NN_SHAPEINFERENCE_H

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlc::nn {

/// A size: known, an expression of the free input dims, or unknown.
class Dim {
public:
  /// An unknown dim.
  Dim() = default;
  explicit Dim(mlir::AffineExpr expr) : expr(expr) {}
  /// A known size; ShapedType::kDynamic gives an unknown dim.
  static Dim get(mlir::MLIRContext *context, int64_t size);

  bool isUnknown() const { return !expr; }
  /// The size, when it is known.
  std::optional<int64_t> getValue() const;
  /// The size, or ShapedType::kDynamic when it is not known.
  int64_t getValueOrDynamic() const;
  /// Whether it is an expression of the free dims (not a constant).
  bool isSymbolic() const;
  mlir::AffineExpr getExpr() const { return expr; }

  /// The same expression (after MLIR's simplification); unknown dims are not
  /// the same as anything.
  bool isSameAs(Dim other) const { return expr && expr == other.expr; }
  bool isConstant(int64_t value) const { return getValue() == value; }

  // Arithmetic; unknown in gives unknown out.
  Dim operator+(Dim other) const;
  Dim operator-(Dim other) const;
  Dim operator*(Dim other) const;
  Dim operator+(int64_t c) const;
  Dim operator-(int64_t c) const;
  Dim operator*(int64_t c) const;
  /// Division by a positive constant, rounding down or up.
  Dim floorDiv(int64_t divisor) const;
  Dim ceilDiv(int64_t divisor) const;
  /// `this / divisor` when it divides exactly as a product of factors
  /// (512*floor(H/32)*floor(W/32) / (floor(H/32)*floor(W/32)) = 512);
  /// unknown when that cannot be shown.
  Dim divideExactly(Dim divisor) const;

  /// The value at the given sizes of the free dims; nullopt when unknown or
  /// a division by zero.
  std::optional<int64_t> evaluate(llvm::ArrayRef<int64_t> symbolValues) const;

private:
  mlir::AffineExpr expr;
};

using Dims = llvm::SmallVector<Dim, 4>;

/// Dims of known sizes (kDynamic for unknown ones), and back.
Dims toDims(mlir::MLIRContext *context, llvm::ArrayRef<int64_t> sizes);
llvm::SmallVector<int64_t> toSizes(llvm::ArrayRef<Dim> dims);

/// The product of dims (1 for none).
Dim product(mlir::MLIRContext *context, llvm::ArrayRef<Dim> dims);

/// Prints a dim: its size, "?", or its expression with the free dims named
/// by `names` ("floor((H - 1)/2) + 1").
std::string formatDim(Dim dim, llvm::ArrayRef<std::string> names = {});
/// Prints dims joined by "x", expressions in parentheses ("1x3x(2*H)xW").
std::string formatDims(llvm::ArrayRef<Dim> dims,
                       llvm::ArrayRef<std::string> names = {});

/// What shape inference knows of a value.
struct ShapeInfo {
  /// The dims; nullopt when even the rank is unknown.
  std::optional<Dims> dims;
  mlir::Type elementType;
  /// For a small integer tensor of rank 0 or 1 (a shape computation), its
  /// entries as far as they are known.
  std::optional<Dims> values;

  /// The tensor type it describes (expressions become `?`).
  mlir::TensorType getType() const;
};

/// Something an op needs of the free dims: `lhs >= rhs`, `lhs == rhs`, or
/// `lhs` divisible by `rhs` (a known size).
struct Requirement {
  enum class Kind { AtLeast, Equal, Divisible };
  mlir::Operation *op;
  Kind kind;
  Dim lhs, rhs;
  /// Why, in words, e.g. "kernel 7x7 must fit the HxW input".
  std::string reason;

  /// Whether it holds at the given sizes of the free dims (nullopt: cannot
  /// be evaluated).
  std::optional<bool> holds(llvm::ArrayRef<int64_t> symbolValues) const;
};

class ShapeAnalysis;

/// What an op's shape function works with: its operands' shapes and entries,
/// its results, and the checks it makes.
class ShapeContext {
public:
  ShapeContext(ShapeAnalysis &analysis, mlir::Operation *op);

  mlir::Operation *getOp() const { return op; }
  mlir::MLIRContext *getContext() const { return op->getContext(); }
  /// A dim of known size.
  Dim dim(int64_t size) const { return Dim::get(getContext(), size); }

  // Operands.
  std::optional<Dims> getDims(mlir::Value value);
  mlir::Type getElementType(mlir::Value value);
  /// The entries of a 0-D or 1-D integer tensor, as far as known.
  std::optional<Dims> getValues(mlir::Value value);
  /// The entries of an integer tensor when all are known.
  std::optional<llvm::SmallVector<int64_t>> getInts(mlir::Value value);
  /// The entries of a floating-point constant.
  std::optional<llvm::SmallVector<double>> getFloats(mlir::Value value);

  // Results. Each result must be set.
  mlir::LogicalResult setResult(unsigned index,
                                std::optional<llvm::ArrayRef<Dim>> dims,
                                mlir::Type elementType);
  void setResultValues(unsigned index, llvm::ArrayRef<Dim> values);

  // Checks of sizes. Known sizes that violate them are an error at the op
  // (the returned failure); expressions of the free dims become requirements;
  // unknown sizes pass. `reason` words the check ("kernel 5x5 does not fit
  // the 2x2 input") and is only called when needed.
  using Reason = llvm::function_ref<std::string()>;
  mlir::LogicalResult requireAtLeast(Dim dim, int64_t minimum, Reason reason);
  mlir::LogicalResult requireEqual(Dim a, Dim b, Reason reason);
  mlir::LogicalResult requireDivisible(Dim dim, int64_t divisor, Reason reason);

  /// An error at the op that does not depend on sizes (ranks, attributes).
  mlir::InFlightDiagnostic emitError() { return op->emitOpError(); }

  /// Formats dims as the analysis names its free dims.
  std::string format(llvm::ArrayRef<Dim> dims) const;
  std::string format(Dim dim) const;

private:
  friend class ShapeAnalysis;
  ShapeAnalysis &analysis;
  mlir::Operation *op;
  llvm::SmallVector<ShapeInfo, 1> results;
  llvm::SmallVector<bool, 1> resultSet;
};

/// Runs shape functions over a graph and remembers what it learns.
///
/// Free dims (addSymbol) are dims of the graph's inputs that become symbols:
/// the dims computed from them are expressions. By default the declared
/// types are trusted too: a value's dims are what its op's shape function
/// gave, with what its type knows filled in, and the entries of shape
/// computations are computed on demand. With `useDeclaredTypes` off (to ask
/// what a graph does at other input sizes than the ones its types were
/// declared for), every op's results are computed from its operands only,
/// and ops without a shape function give unknown dims.
class ShapeAnalysis {
public:
  explicit ShapeAnalysis(mlir::MLIRContext *context,
                         bool useDeclaredTypes = true)
      : context(context), useDeclaredTypes(useDeclaredTypes) {}

  /// Makes dim `dim` of the graph input `arg` a free dim named `name`; dims
  /// given the same name are the same free dim.
  Dim addSymbol(mlir::BlockArgument arg, unsigned dim, llvm::StringRef name);
  llvm::ArrayRef<std::string> getSymbolNames() const { return symbolNames; }

  /// Takes `values` as the entries of `value` (a constant's, say) instead of
  /// what its op gives: to ask what the graph does when they are computed.
  void assumeValues(mlir::Value value, llvm::ArrayRef<Dim> values);

  /// What is known of `value` (see the class comment).
  ShapeInfo get(mlir::Value value);

  /// Runs `op`'s shape function and records its results; errors are emitted
  /// at the op. `resultTypes`, when given, receives the types the function
  /// gives (before any refinement by declared types). Ops without a shape
  /// function keep their declared types.
  mlir::LogicalResult
  infer(mlir::Operation *op,
        llvm::SmallVectorImpl<mlir::Type> *resultTypes = nullptr);

  /// The requirements on the free dims found so far.
  llvm::ArrayRef<Requirement> getRequirements() const { return requirements; }

  std::string format(Dim dim) const { return formatDim(dim, symbolNames); }
  std::string format(llvm::ArrayRef<Dim> dims) const {
    return formatDims(dims, symbolNames);
  }

private:
  friend class ShapeContext;
  ShapeInfo fromType(mlir::Value value) const;
  /// Runs `op`'s shape function with errors silenced, for values its users
  /// need (the entries of a shape computation).
  void inferQuietly(mlir::Operation *op);

  mlir::MLIRContext *context;
  bool useDeclaredTypes;
  llvm::DenseMap<mlir::Value, ShapeInfo> infos;
  llvm::DenseMap<std::pair<mlir::Value, unsigned>, unsigned> symbols;
  llvm::SmallVector<std::string> symbolNames;
  llvm::DenseSet<mlir::Operation *> inferred, failedOps, assumed;
  llvm::SmallVector<Requirement> requirements;
};

/// The name of dim `dim` of the graph input `index` of `func`: its ONNX
/// dim_param (nn.dim_params), else "<input name>_d<dim>".
std::string getInputDimName(mlir::FunctionOpInterface func, unsigned index,
                            unsigned dim);

/// Makes every `?` dim of `func`'s inputs a free dim of `analysis`, named by
/// getInputDimName: what is computed from them stays an expression, so a
/// Reshape to [batch, -1] knows its -1.
void addDynamicInputDims(ShapeAnalysis &analysis,
                         mlir::FunctionOpInterface func);

/// The result types that `op`'s shape function gives from its operands'
/// types. Fails, after emitting the error at the op, on invalid operands.
mlir::LogicalResult inferResultTypes(mlir::Operation *op,
                                     llvm::SmallVectorImpl<mlir::Type> &types);

} // namespace mlc::nn

#endif // MLC_DIALECT_NN_SHAPEINFERENCE_H
