//===- ConvRowParts.cpp - A convolution as one-thread kernels side by side ===//
//
// oneDNN 2.6's Winograd kernel gains 1.2-1.3x from a second thread on
// resnet's 3x3 convolutions, where its direct kernel gains 1.9x. Two
// one-thread Winograd kernels side by side, each on half of the output rows
// and the input rows its windows reach, took 0.8x the time of one kernel on
// both threads (128 channels at 28x28: 281 against 341 us; 64 at 56x56: 279
// against 344). Each thread runs its part with its own scratchpad and
// staging (State::threadState); the weights are transformed once for all.
// Rows are split at multiples of 4, the height of Winograd's output tiles,
// so that the parts compute no more tiles than the whole; a batch of at
// least as many images as threads is split by images.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <cmath>

namespace mlc::rt::onednn {
namespace {

/// A part of the output: its images and rows, the input rows its windows
/// read, and its kernel, made for one thread on views of those rows.
struct Part {
  int64_t firstImage = 0, inRow = 0, outRow = 0;
  TensorRef x, r, y;
  KernelArgs args;
  KernelPtr kernel;
};

/// Where a view of rows starts: row `row` of image `image` of channels-last
/// `t`.
void *rowsOf(const TensorRef &t, int64_t image, int64_t row) {
  return t.as<float>() + (image * t.dim(2) + row) * t.dim(1) * t.dim(3);
}

class ConvRowPartsKernel : public Kernel {
public:
  void run(const KernelArgs &args) override;
  std::string implementation() const override {
    return parts.front()->kernel->implementation() + ", one thread on each of " +
           std::to_string(parts.size()) +
           (byImages ? " parts of the batch" : " parts of the rows");
  }
  bool rebinds() const override { return true; }

  /// Not moved once made: their args point at their views.
  std::vector<std::unique_ptr<Part>> parts;
  bool byImages = false;
};

void ConvRowPartsKernel::run(const KernelArgs &args) {
  const TensorRef *x = args.inputs[0], *r = args.input(3),
                  *y = args.outputs[0];
  for (const std::unique_ptr<Part> &part : parts) {
    part->x.data = rowsOf(*x, part->firstImage, part->inRow);
    part->y.data = rowsOf(*y, part->firstImage, part->outRow);
    if (r)
      part->r.data = rowsOf(*r, part->firstImage, part->outRow);
    part->args.inputs[1] = args.inputs[1];
    part->args.inputs[2] = args.input(2);
  }
  std::string error;
  forRanges(static_cast<int>(parts.size()), static_cast<int64_t>(parts.size()),
            [&](int, int64_t begin, int64_t end) {
              for (int64_t i = begin; i < end; ++i) {
                try {
                  parts[i]->kernel->run(parts[i]->args);
                } catch (const Error &e) {
#pragma omp critical
                  error = e.what();
                }
              }
            });
  if (!error.empty())
    throw Error(error);
}

} // namespace

KernelPtr makeConvRowParts(const KernelArgs &args, const ConvSpec &spec) {
  auto *state = static_cast<State *>(args.backend);
  const TensorRef *x = spec.x, *r = spec.r, *y = spec.y;
  int threads = args.threads;
  auto channelsLast4 = [](const TensorRef *t) {
    return !t || (t->rank() == 4 && t->layout == Layout::channelsLast);
  };
  // Every part reads rows other parts write over when the output overlaps
  // the input.
  if (!state || threads < 2 || !channelsLast4(x) || !channelsLast4(y) ||
      !channelsLast4(r) || overlaps(*x, *y))
    return nullptr;
  int64_t images = x->dim(0), outRows = y->dim(2);
  int64_t perImage = images >= threads ? 1 : threads / images;
  int64_t count = images >= threads ? threads : images * perImage;
  // Part k of an image's rows ends at boundary(k + 1).
  auto boundary = [&](int64_t k) {
    if (k == perImage)
      return outRows;
    double rows = static_cast<double>(outRows) * k / perImage;
    return std::min<int64_t>(outRows, 4 * std::llround(rows / 4));
  };

  auto kernel = std::make_unique<ConvRowPartsKernel>();
  kernel->byImages = perImage == 1;
  // The parts' primitives are made for one thread.
  OmpThreads oneThread(1);
  for (int64_t i = 0; i < count; ++i) {
    auto part = std::make_unique<Part>();
    int64_t partImages = 1, lo = 0, hi = outRows;
    if (perImage == 1) {
      part->firstImage = images * i / count;
      partImages = images * (i + 1) / count - part->firstImage;
    } else {
      part->firstImage = i / perImage;
      lo = boundary(i % perImage);
      hi = boundary(i % perImage + 1);
    }
    if (hi <= lo)
      return nullptr;
    // The input rows the part's windows cover, and those of them in the
    // image; the others are the part's padding.
    ConvSpec partSpec = spec;
    int64_t padTop = spec.win.padsBegin[0];
    int64_t first = lo * spec.win.strides[0] - padTop;
    int64_t last = (hi - 1) * spec.win.strides[0] +
                   (spec.kernel[0] - 1) * spec.win.dilations[0] + 1 - padTop;
    int64_t inLo = std::max<int64_t>(first, 0),
            inHi = std::min(last, x->dim(2));
    if (inHi <= inLo)
      return nullptr;
    partSpec.win.padsBegin[0] = inLo - first;
    partSpec.win.padsEnd[0] = last - inHi;
    part->inRow = inLo;
    part->outRow = lo;
    part->x = *x;
    part->x.dims = {partImages, x->dim(1), inHi - inLo, x->dim(3)};
    part->x.data = rowsOf(*x, part->firstImage, inLo);
    part->y = *y;
    part->y.dims = {partImages, y->dim(1), hi - lo, y->dim(3)};
    part->y.data = rowsOf(*y, part->firstImage, lo);
    if (r) {
      part->r = *r;
      part->r.dims = part->y.dims;
      part->r.data = rowsOf(*r, part->firstImage, lo);
    }
    partSpec.x = &part->x;
    partSpec.y = &part->y;
    partSpec.r = r ? &part->r : nullptr;
    part->args = args;
    part->args.inputs = {&part->x, args.inputs[1], args.input(2),
                         r ? &part->r : nullptr};
    part->args.outputs = {&part->y};
    part->args.threads = 1;
    part->args.backend = &state->threadState(static_cast<int>(i), threads);
    part->args.variant = kConvWinograd;
    part->kernel = makeConvSteps(part->args, partSpec);
    if (!part->kernel)
      return nullptr;
    kernel->parts.push_back(std::move(part));
  }
  return kernel;
}

} // namespace mlc::rt::onednn
