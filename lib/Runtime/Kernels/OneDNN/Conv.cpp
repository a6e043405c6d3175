//===- Conv.cpp - Convolution and deconvolution ---------------------------===//
//
// Conv: bias, the residual as a `sum` post-op (copied into the output before
// each run unless the planner put them at one address), the activation as
// eltwise post-ops. ConvTranspose: oneDNN's deconvolution, with ONNX's
// output_padding taken from the end padding.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

namespace mlc::rt::onednn {
namespace {

bool readWindow(Window &w, size_t spatial,
                const flatbuffers::Vector<int64_t> *strides,
                const flatbuffers::Vector<int64_t> *dilations,
                std::vector<int64_t> pads) {
  w.strides = toVector(strides);
  w.dilations = toVector(dilations);
  if (!windowParam(w.strides, spatial, 1, 1) ||
      !windowParam(w.dilations, spatial, 1, 1) ||
      !windowParam(pads, 2 * spatial, 0, 0))
    return false;
  w.padsBegin.assign(pads.begin(), pads.begin() + spatial);
  w.padsEnd.assign(pads.begin() + spatial, pads.end());
  return true;
}


// A dilated 3x3 convolution, stride 1, padded by its dilation (d x e) so
// that the output keeps the input's size, as Winograd's algorithm on its
// phases (variant 2): the output's rows d i + p and columns e j + q read
// only the input's rows d i' + p and columns e j' + q, so phase (p, q) of
// the input, every d-th row and e-th column from (p, q), convolved with
// the same 3x3 weights undilated (padding 1), is phase (p, q) of the
// output. The d x e phases of every image run as one batch, which
// oneDNN's Winograd kernel takes (it takes no dilation), gathered from and
// scattered to strided views of the operands through the session's
// staging. fcn_resnet50's layer3 and layer4 are made of these.
KernelPtr makePhasedWinograd(const KernelArgs &args, const Window &win,
                             const dims &wDims,
                             const dnnl::memory::desc &bDesc,
                             const dnnl::post_ops &ops) {
  const TensorRef *x = args.input(0), *w = args.input(1), *b = args.input(2),
                  *r = args.input(3), *y = args.outputs[0];
  auto *state = static_cast<State *>(args.backend);
  if (!state || !state->winograd || x->rank() != 4 || wDims.size() != 4 ||
      w->dim(2) != 3 || w->dim(3) != 3)
    return nullptr;
  int64_t dh = win.dilations[0], dw = win.dilations[1];
  int64_t n = x->dim(0), c = x->dim(1), m = y->dim(1), h = x->dim(2),
          wd = x->dim(3);
  if ((dh == 1 && dw == 1) || win.strides != std::vector<int64_t>{1, 1} ||
      win.padsBegin != std::vector<int64_t>{dh, dw} ||
      win.padsEnd != std::vector<int64_t>{dh, dw} || h % dh || wd % dw ||
      y->dim(2) != h || y->dim(3) != wd)
    return nullptr;
  int64_t phases = dh * dw, ph = h / dh, pw = wd / dw;
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference,
      dnnl::algorithm::convolution_winograd,
      dnnl::memory::desc({n * phases, c, ph, pw}, dt::f32, tag::any),
      dnnl::memory::desc(wDims, dt::f32, tag::any), bDesc,
      dnnl::memory::desc({n * phases, m, ph, pw}, dt::f32, tag::any), {1, 1},
      {0, 0}, {1, 1}, {1, 1});
  dnnl::convolution_forward::primitive_desc pd(desc, makeAttr(args, ops),
                                               engine());

  auto kernel = std::make_unique<PrimitiveKernel>(args);
  dnnl::memory weights = kernel->weight(userMemory(*w, wDims), pd.weights_desc());
  dnnl::memory src = kernel->staged(pd.src_desc(), 0),
               dst = kernel->staged(pd.dst_desc(), 1);
  // One image of the batch of phases (its place: a pointer offset, so that
  // one reorder serves every phase), and one phase of a tensor: every
  // dh-th row and dw-th column, over the tensor's own strides.
  dnnl::memory::desc srcImage = pd.src_desc().submemory_desc({1, c, ph, pw},
                                                             {0, 0, 0, 0}),
                     dstImage = pd.dst_desc().submemory_desc({1, m, ph, pw},
                                                             {0, 0, 0, 0});
  size_t srcImageBytes = pd.src_desc().data.format_desc.blocking.strides[0] * 4,
         dstImageBytes = pd.dst_desc().data.format_desc.blocking.strides[0] * 4;
  auto phaseDesc = [&](const TensorRef &t) {
    dims strides = layoutStrides(t.dims, t.layout);
    return dnnl::memory::desc({1, t.dim(1), ph, pw}, dt::f32,
                              {strides[0], strides[1], dh * strides[2],
                               dw * strides[3]});
  };
  auto phaseOf = [&](const TensorRef &t, int64_t image, int64_t p,
                     int64_t q) {
    dims strides = layoutStrides(t.dims, t.layout);
    int64_t element = image * strides[0] + p * strides[2] + q * strides[3];
    return dnnl::memory(phaseDesc(t), engine(),
                        static_cast<float *>(t.data) + element);
  };
  dnnl::memory::desc xPhase = phaseDesc(*x), yPhase = phaseDesc(*y);
  dnnl::reorder gather(dnnl::reorder::primitive_desc(engine(), xPhase,
                                                     engine(), srcImage));
  dnnl::reorder scatter(dnnl::reorder::primitive_desc(engine(), dstImage,
                                                      engine(), yPhase));
  dnnl::reorder gatherResidual;
  if (r)
    gatherResidual = dnnl::reorder(dnnl::reorder::primitive_desc(
        engine(), phaseDesc(*r), engine(), dstImage));
  auto forEachPhase = [&](auto fn) {
    for (int64_t image = 0; image < n; ++image)
      for (int64_t p = 0; p < dh; ++p)
        for (int64_t q = 0; q < dw; ++q)
          fn(image, p, q, (image * dh + p) * dw + q);
  };
  forEachPhase([&](int64_t image, int64_t p, int64_t q, int64_t slot) {
    dnnl::memory from = phaseOf(*x, image, p, q),
                 to = kernel->staged(srcImage, 0, slot * srcImageBytes);
    kernel->add(gather, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
    if (r) {
      // The sum post-op adds what the destination holds: the residual.
      dnnl::memory residual = phaseOf(*r, image, p, q),
                   into = kernel->staged(dstImage, 1, slot * dstImageBytes);
      kernel->add(gatherResidual,
                  {{DNNL_ARG_FROM, residual}, {DNNL_ARG_TO, into}});
    }
  });
  std::vector<std::pair<int, dnnl::memory>> arguments = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (b)
    arguments.push_back({DNNL_ARG_BIAS, userMemory(*b)});
  kernel->add(dnnl::convolution_forward(pd), arguments);
  forEachPhase([&](int64_t image, int64_t p, int64_t q, int64_t slot) {
    dnnl::memory from = kernel->staged(dstImage, 1, slot * dstImageBytes),
                 to = phaseOf(*y, image, p, q);
    kernel->add(scatter, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
  });
  return kernel;
}

} // namespace

dims dnnlDilation(const std::vector<int64_t> &d) {
  dims result;
  for (int64_t v : d)
    result.push_back(v - 1);
  return result;
}

bool readConv(const KernelArgs &args, ConvSpec &spec) {
  const format::ConvParams *p = args.op->params_as_ConvParams();
  if (!p || !hasOperands(args, 2, 4))
    return false;
  const TensorRef *x = args.input(0), *w = args.input(1), *b = args.input(2),
                  *r = args.input(3), *y = args.outputs[0];
  // The weight is reordered once: it must be one (constant).
  if (!isF32(x, 3, 5) || !isF32(w, 3, 5) || !isF32(y, 3, 5) ||
      w->rank() != x->rank() || y->rank() != x->rank() || !w->constant)
    return false;
  size_t spatial = x->rank() - 2;
  int64_t n = x->dim(0), c = x->dim(1), m = w->dim(0), group = p->group();
  if (group < 1 || c % group || m % group || w->dim(1) != c / group ||
      y->dim(0) != n || y->dim(1) != m)
    return false;
  if (b && (!isF32(b, 1, 1) || b->dim(0) != m))
    return false;
  if (r && (!isF32(r) || r->dims != y->dims))
    return false;

  std::vector<int64_t> inDims(x->dims.begin() + 2, x->dims.end());
  std::vector<int64_t> kernel(w->dims.begin() + 2, w->dims.end());
  std::vector<int64_t> pads = toVector(p->pads());
  Window &win = spec.win;
  // Check the parameters before resolvePads uses them.
  if (!readWindow(win, spatial, p->strides(), p->dilations(),
                  pads.empty() ? std::vector<int64_t>(2 * spatial, 0) : pads))
    return false;
  pads = resolvePads(p->auto_pad(), inDims, kernel, win.strides,
                     win.dilations, pads);
  if (!readWindow(win, spatial, p->strides(), p->dilations(), pads))
    return false;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t span = (kernel[i] - 1) * win.dilations[i] + 1;
    int64_t room = inDims[i] + win.padsBegin[i] + win.padsEnd[i] - span;
    if (room < 0 || room / win.strides[i] + 1 != y->dim(2 + i))
      return false;
  }

  spec.ops = dnnl::post_ops();
  if (r)
    spec.ops.append_sum(1.0f);
  if (!appendActivation(spec.ops, p->activation()))
    return false;

  // ONNX's M x C/g x k... is oneDNN's g x M/g x C/g x k... row-major.
  spec.wDims = w->dims;
  if (group > 1) {
    spec.wDims[0] = m / group;
    spec.wDims.insert(spec.wDims.begin(), group);
  }
  spec.x = x, spec.w = w, spec.b = b, spec.r = r, spec.y = y;
  spec.group = group;
  spec.kernel = kernel;
  return true;
}

bool takeVariantImplementation(dnnl::primitive_desc &pd, int variant) {
  std::string first = pd.impl_info_str();
  while (pd.next_impl()) {
    std::string name = pd.impl_info_str();
    if (name == first || name.rfind("jit", 0) != 0 ||
        name.find("gemm") != std::string::npos)
      continue;
    if (variant == kConvNextImplementation ||
        name.substr(name.find(':') + 1) == "avx2")
      return true;
  }
  return false;
}

namespace {
// oneDNN 2.6 computes swish slowly, as a post-op or on its own (Swish.cpp),
// so a Conv's swish runs after it, by mlc's own loop.
bool swishAfter(const KernelArgs &args, ConvSpec &spec) {
  const format::Activation *act = args.op->params_as_ConvParams()->activation();
  if (!act || act->kind() != format::ActivationKind::swish)
    return false;
  spec.ops = dnnl::post_ops();
  if (spec.r)
    spec.ops.append_sum(1.0f);
  return true;
}
} // namespace

KernelPtr makeConv(const KernelArgs &args) {
  ConvSpec spec;
  if (!readConv(args, spec))
    return nullptr;
  if (swishAfter(args, spec))
    return withSwish(makeConvSteps(args, spec), args);
  return makeConvSteps(args, spec);
}

KernelPtr makeConvSteps(const KernelArgs &args, const ConvSpec &spec) {
  const TensorRef *x = spec.x, *w = spec.w, *b = spec.b, *r = spec.r,
                  *y = spec.y;
  const Window &win = spec.win;
  const dims &wDims = spec.wDims;
  const dnnl::post_ops &ops = spec.ops;
  const std::vector<int64_t> &kernel = spec.kernel;
  size_t spatial = x->rank() - 2;
  int64_t m = w->dim(0), group = spec.group;
  dnnl::memory::desc wAny(wDims, dnnl::memory::data_type::f32,
                          dnnl::memory::format_tag::any);
  dnnl::memory::desc bDesc =
      b ? plainDesc({m}) : dnnl::memory::desc();
  if (args.variant == kConvPhasedWinograd)
    return makePhasedWinograd(args, win, wDims, bDesc, ops);
  if (args.variant == kConvWinogradRowParts)
    return makeConvRowParts(args, spec);
  // oneDNN picks the source and destination layouts it runs fastest: for
  // f32 on AVX-512, channels-last, which is what the runtime keeps
  // activations in (chooseOneDNNLayouts). Operands in another layout are
  // reordered in and out around the conv (with plain ones oneDNN would fall
  // back to im2col and gemm, several times slower).
  //
  // Variant 1 is Winograd's algorithm, for 3x3 stride-1 convolutions when
  // the session allows it: about half the multiplications for rounding
  // errors a few times larger (still within 1e-5 of the largest output on
  // the torchvision networks, see docs/performance.md); the session keeps
  // it where it runs faster. oneDNN runs it in its blocked layout, so the
  // operands are reordered in and out through the session's staging.
  //
  // Variant 3, for a depthwise or grouped convolution, is the direct
  // algorithm by the implementation oneDNN offers next on the operands' own
  // layouts: jit_dw runs most of mobilenet_v2's depthwise convolutions in
  // 0.71-0.95x brdgmm_dw's time (and loses at 7x7); AVX2's JIT kernel runs
  // resnext101_32x8d's 16-channel groups at stride 2 in 0.6x the AVX-512
  // one's (the network 0.965x on one thread). Not for ungrouped ones:
  // jit_1x1 against brgconv_1x1 gained a few percent on a few shapes
  // measured alone, and tuning's picks of it made fcn_resnet50 2% slower.
  // Variant 5 is oneDNN's AVX2 kernel on the same layouts, where the channels
  // are not whole 16-wide vectors. Only JIT kernels: the gemm- and
  // reference-based ones are many times slower, and timing them would make
  // tuning slow.
  dnnl::algorithm algorithm = dnnl::algorithm::convolution_direct;
  bool depthwise = group == x->dim(1) && group == m;
  bool next = args.variant == kConvNextImplementation ||
              args.variant == kConvAVX2;
  if (args.variant == kConvNextImplementation && group == 1)
    return nullptr;
  // The channels a kernel's vectors run along: a group's (all of them for
  // a depthwise convolution).
  int64_t inLanes = depthwise ? group : x->dim(1) / group,
          outLanes = depthwise ? group : m / group;
  if (args.variant == kConvAVX2 &&
      (!oneDNNHasAVX512() || (inLanes % 16 == 0 && outLanes % 16 == 0)))
    return nullptr;
  if (args.variant == kConvWinograd) {
    auto *state = static_cast<State *>(args.backend);
    if (!state || !state->winograd || spatial != 2 || group != 1 ||
        kernel != std::vector<int64_t>{3, 3} ||
        win.strides != std::vector<int64_t>{1, 1} ||
        win.dilations != std::vector<int64_t>{1, 1})
      return nullptr;
    algorithm = dnnl::algorithm::convolution_winograd;
  } else if (args.variant != kConvDefault && !next) {
    return nullptr;
  }
  // The convolution on source and destination descriptors: `any` lets
  // oneDNN pick its layouts, the operands' own (descOf) holds it to them.
  auto convolutionOn = [&](const dnnl::memory::desc &src,
                           const dnnl::memory::desc &dst) {
    return dnnl::convolution_forward::desc(
        dnnl::prop_kind::forward_inference, algorithm, src, wAny, bDesc, dst,
        win.strides, dnnlDilation(win.dilations), win.padsBegin, win.padsEnd);
  };
  dnnl::memory::desc srcOwn = descOf(*x), dstOwn = descOf(*y);
  dnnl::memory::desc srcAny(x->dims, dnnl::memory::data_type::f32,
                            dnnl::memory::format_tag::any);
  dnnl::memory::desc dstAny(y->dims, dnnl::memory::data_type::f32,
                            dnnl::memory::format_tag::any);
  // A named desc: next_impl() below walks oneDNN's iterator over it.
  dnnl::convolution_forward::desc desc =
      next ? convolutionOn(srcOwn, dstOwn) : convolutionOn(srcAny, dstAny);
  dnnl::convolution_forward::primitive_desc pd(desc, makeAttr(args, ops),
                                               engine());
  // Where oneDNN prefers its blocked layout (grouped convolutions, which its
  // brgconv does not run: jit), its kernel on the operands' own layouts is
  // taken when it is one of its JIT ones: reordering the input in and the
  // output out took more than the blocked kernel saved (regnet_y_800mf's
  // first grouped 3x3: 0.66 ms against 0.35 for the jit kernel on
  // channels-last).
  if (!next && algorithm == dnnl::algorithm::convolution_direct &&
      (pd.src_desc() != srcOwn || pd.dst_desc() != dstOwn)) {
    dnnl::convolution_forward::desc ownDesc = convolutionOn(srcOwn, dstOwn);
    try {
      dnnl::convolution_forward::primitive_desc own(
          ownDesc, makeAttr(args, ops), engine());
      std::string name = own.impl_info_str();
      if (name.rfind("jit", 0) == 0 || name.rfind("brg", 0) == 0)
        pd = own;
    } catch (const dnnl::error &) {
      // None on those layouts: the blocked one, with reorders.
    }
  }
  if (next && !takeVariantImplementation(pd, args.variant))
    return nullptr;

  auto kernelPtr = std::make_unique<PrimitiveKernel>(args);
  PrimitiveKernel &k = *kernelPtr;
  dnnl::memory weights = k.weight(userMemory(*w, wDims), pd.weights_desc());
  dnnl::memory src = userMemory(*x), dst = userMemory(*y);
  if (pd.src_desc() != src.get_desc()) {
    dnnl::memory converted = k.staged(pd.src_desc(), 0);
    k.add(dnnl::reorder(src, converted),
          {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, converted}});
    src = converted;
  }
  std::vector<std::pair<int, dnnl::memory>> arguments = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}};
  if (b)
    arguments.push_back({DNNL_ARG_BIAS, userMemory(*b)});
  if (pd.dst_desc() != dst.get_desc()) {
    dnnl::memory converted = k.staged(pd.dst_desc(), 1);
    if (r) {
      // The sum post-op adds what the destination holds: the residual.
      dnnl::memory residual = userMemory(*r);
      k.add(dnnl::reorder(residual, converted),
            {{DNNL_ARG_FROM, residual}, {DNNL_ARG_TO, converted}});
    }
    arguments.push_back({DNNL_ARG_DST, converted});
    k.add(dnnl::convolution_forward(pd), arguments);
    k.add(dnnl::reorder(converted, dst),
          {{DNNL_ARG_FROM, converted}, {DNNL_ARG_TO, dst}});
    return kernelPtr;
  }
  arguments.push_back({DNNL_ARG_DST, dst});
  k.add(dnnl::convolution_forward(pd), arguments);
  // The residual is in the destination's layout (the layouts are chosen
  // so): a copy when the plan did not put them at one address.
  if (r)
    k.sumOperand = 3;
  return kernelPtr;
}

KernelPtr makeConvPool(const KernelArgs &conv, const KernelArgs &pool) {
  const format::GlobalPoolParams *p =
      pool.op ? pool.op->params_as_GlobalPoolParams() : nullptr;
  if (!p || p->kind() != format::PoolKind::average || !hasOperands(pool, 1, 1) ||
      pool.inputs[0] != conv.outputs[0])
    return nullptr;
  // Only where mlc's own loop runs over the output anyway: swish.
  ConvSpec spec;
  if (!readConv(conv, spec) || !swishAfter(conv, spec))
    return nullptr;
  const TensorRef *y = spec.y, *mean = pool.outputs[0];
  if (y->layout != Layout::channelsLast || !isF32(mean) ||
      mean->rank() != y->rank() || mean->dim(0) != y->dim(0) ||
      mean->dim(1) != y->dim(1) || mean->count() != y->dim(0) * y->dim(1) ||
      overlaps(*mean, *y))
    return nullptr;
  return withSwish(makeConvSteps(conv, spec), convPoolArgs(conv, pool), true);
}

namespace {
/// Copies the scales (scaledConvArgs' input 4) aside, then runs the scaled
/// convolution's kernel on that copy: the plan may put the output over
/// them, since they die at the Mul, and the first image's output (or the
/// residual copied into it) would overwrite the next image's scales.
class ScalesAside : public Kernel {
public:
  explicit ScalesAside(size_t bytes)
      : copy(allocateZeroed(bytes, "a convolution's input scales")),
        bytes(bytes) {}
  void run(const KernelArgs &args) override {
    std::memcpy(copy.get(), args.inputs[4]->data, bytes);
    inner->run(args);
  }
  std::string implementation() const override {
    return inner->implementation();
  }
  bool rebinds() const override { return inner->rebinds(); }

  AlignedBuffer copy;
  KernelPtr inner;

private:
  size_t bytes;
};
} // namespace

KernelPtr makeScaledConv(const KernelArgs &mul, const KernelArgs &conv) {
  const format::BinaryParams *p =
      mul.op ? mul.op->params_as_BinaryParams() : nullptr;
  const format::Activation *act = p ? p->activation() : nullptr;
  if (!p || p->kind() != format::BinaryKind::mul ||
      (act && act->kind() != format::ActivationKind::none) ||
      !hasOperands(mul, 2, 2) || conv.input(0) != mul.outputs[0] ||
      conv.variant != kConvDefault)
    return nullptr;
  ConvSpec spec;
  if (!readConv(conv, spec) || spec.group != 1)
    return nullptr;
  // The tensor has the product's dims (scaledConvArgs puts it first); the
  // scales are [N or 1, C, 1...].
  KernelArgs args = scaledConvArgs(mul, conv);
  const TensorRef *x = args.inputs[0], *s = args.inputs[4], *y = spec.y;
  if (!isF32(x) || !isF32(s))
    return nullptr;
  int64_t n = x->dim(0), c = x->dim(1);
  if (x->dims != spec.x->dims || x->layout != spec.x->layout ||
      s->rank() != x->rank() || (s->dim(0) != n && s->dim(0) != 1) ||
      s->dim(1) != c || s->count() != s->dim(0) * c)
    return nullptr;
  // Scaling and reordering the weights runs at about a third of the Mul's
  // speed per value: worth it where they are a quarter of an image's values
  // or fewer (efficientnet_b0 at 224: the blocks at 28x28 and above).
  if (4 * spec.w->count() > x->count() / n)
    return nullptr;
  // Each image's convolution reads the tensor while it writes the output.
  if (overlaps(*x, *y))
    return nullptr;
  bool swish = swishAfter(conv, spec);

  dims xImage = x->dims, yImage = y->dims;
  xImage[0] = yImage[0] = 1;
  dnnl::memory::desc src = layoutDesc(xImage, x->layout),
                     dst = layoutDesc(yImage, y->layout);
  dnnl::memory::desc wAny(spec.wDims, dnnl::memory::data_type::f32,
                          dnnl::memory::format_tag::any);
  dnnl::memory::desc bDesc =
      spec.b ? plainDesc({y->dim(1)}) : dnnl::memory::desc();
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      src, wAny, bDesc, dst, spec.win.strides, dnnlDilation(spec.win.dilations),
      spec.win.padsBegin, spec.win.padsEnd);
  dnnl::convolution_forward::primitive_desc pd(desc, makeAttr(args, spec.ops),
                                               engine());
  // The weights, scaled along their input channels by each image's scales
  // (a reorder's output scales) into the layout the convolution reads.
  dnnl::primitive_attr scaling;
  scaling.set_output_scales(1 << 1, {DNNL_RUNTIME_F32_VAL});
  dnnl::memory user = userMemory(*spec.w, spec.wDims);
  dnnl::reorder scale(dnnl::reorder::primitive_desc(
      engine(), user.get_desc(), engine(), pd.weights_desc(), scaling));
  dnnl::memory weights(pd.weights_desc(), engine());
  dnnl::convolution_forward convolution(pd);

  auto kernel = std::make_unique<PrimitiveKernel>(args);
  auto aside = std::make_unique<ScalesAside>(s->bytes());
  dims xStrides = layoutStrides(x->dims, x->layout),
       yStrides = layoutStrides(y->dims, y->layout);
  for (int64_t image = 0; image < n; ++image) {
    float *scales = static_cast<float *>(aside->copy.get()) +
                    (s->dim(0) == 1 ? 0 : image * c);
    kernel->add(scale, {{DNNL_ARG_FROM, user},
                        {DNNL_ARG_TO, weights},
                        {DNNL_ARG_ATTR_OUTPUT_SCALES,
                         dnnl::memory(plainDesc({c}), engine(), scales)}});
    std::vector<std::pair<int, dnnl::memory>> arguments = {
        {DNNL_ARG_SRC, dnnl::memory(src, engine(),
                                    x->as<float>() + image * xStrides[0])},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dnnl::memory(dst, engine(),
                                    y->as<float>() + image * yStrides[0])}};
    if (spec.b)
      arguments.push_back({DNNL_ARG_BIAS, userMemory(*spec.b)});
    kernel->add(convolution, arguments);
  }
  // The residual is in the destination's layout (the layouts are chosen
  // so): a copy when the plan did not put them at one address.
  if (spec.r)
    kernel->sumOperand = 3;
  kernel->fused = "input scaled per channel";
  aside->inner = swish ? withSwish(std::move(kernel), args) : std::move(kernel);
  return aside;
}

KernelPtr makeConvTranspose(const KernelArgs &args) {
  const format::ConvTransposeParams *p =
      args.op->params_as_ConvTransposeParams();
  if (!p || !hasOperands(args, 2, 3))
    return nullptr;
  const TensorRef *x = args.input(0), *w = args.input(1), *b = args.input(2),
                  *y = args.outputs[0];
  // The weight is reordered once: it must be one (constant).
  if (!isF32(x, 3, 5) || !isF32(w, 3, 5) || !isF32(y, 3, 5) ||
      w->rank() != x->rank() || y->rank() != x->rank() || !w->constant)
    return nullptr;
  size_t spatial = x->rank() - 2;
  int64_t n = x->dim(0), c = x->dim(1), group = p->group();
  if (group < 1 || c % group || w->dim(0) != c)
    return nullptr;
  int64_t m = w->dim(1) * group;
  if (y->dim(0) != n || y->dim(1) != m)
    return nullptr;
  if (b && (!isF32(b, 1, 1) || b->dim(0) != m))
    return nullptr;
  // The pads are resolved by the compiler; auto_pad with none given is not.
  std::vector<int64_t> pads = toVector(p->pads());
  if (p->auto_pad() != format::AutoPad::notset &&
      p->auto_pad() != format::AutoPad::valid && pads.empty())
    return nullptr;
  Window win;
  std::vector<int64_t> outPad = toVector(p->output_padding());
  if (!readWindow(win, spatial, p->strides(), p->dilations(), pads) ||
      !windowParam(outPad, spatial, 0, 0))
    return nullptr;
  dims padsEnd(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t k = w->dim(2 + i);
    int64_t out = (x->dim(2 + i) - 1) * win.strides[i] + outPad[i] +
                  (k - 1) * win.dilations[i] + 1 - win.padsBegin[i] -
                  win.padsEnd[i];
    if (out != y->dim(2 + i))
      return nullptr;
    // The output padding's rows get no input: oneDNN computes them when the
    // end padding is smaller by as much.
    padsEnd[i] = win.padsEnd[i] - outPad[i];
    if (padsEnd[i] < 0)
      return nullptr;
  }

  dnnl::post_ops ops;
  if (!appendActivation(ops, p->activation()))
    return nullptr;

  // ONNX's weights are C x M/g x k... = g x C/g x M/g x k...; oneDNN's dims
  // are (g,) M/g x C/g x k...: give the user layout as strides.
  int64_t icg = c / group, ocg = m / group, area = 1;
  for (size_t i = 0; i < spatial; ++i)
    area *= w->dim(2 + i);
  dims wDims{ocg, icg}, wStrides{area, ocg * area};
  if (group > 1) {
    wDims.insert(wDims.begin(), group);
    wStrides.insert(wStrides.begin(), icg * ocg * area);
  }
  int64_t stride = 1;
  dims kStrides(spatial);
  for (size_t i = spatial; i-- > 0;) {
    kStrides[i] = stride;
    stride *= w->dim(2 + i);
  }
  for (size_t i = 0; i < spatial; ++i) {
    wDims.push_back(w->dim(2 + i));
    wStrides.push_back(kStrides[i]);
  }
  dnnl::memory user(
      dnnl::memory::desc(wDims, dnnl::memory::data_type::f32, wStrides),
      engine(), w->data);
  dnnl::memory::desc wAny(wDims, dnnl::memory::data_type::f32,
                          dnnl::memory::format_tag::any);
  dnnl::memory::desc bDesc = b ? plainDesc({m}) : dnnl::memory::desc();
  dnnl::deconvolution_forward::desc desc(
      dnnl::prop_kind::forward_inference,
      dnnl::algorithm::deconvolution_direct, descOf(*x), wAny, bDesc,
      descOf(*y), win.strides, dnnlDilation(win.dilations), win.padsBegin,
      padsEnd);
  dnnl::deconvolution_forward::primitive_desc pd(desc, makeAttr(args, ops),
                                                 engine());

  auto kernel = std::make_unique<PrimitiveKernel>(args);
  std::vector<std::pair<int, dnnl::memory>> arguments = {
      {DNNL_ARG_SRC, userMemory(*x)},
      {DNNL_ARG_WEIGHTS, kernel->weight(user, pd.weights_desc())},
      {DNNL_ARG_DST, userMemory(*y)}};
  if (b)
    arguments.push_back({DNNL_ARG_BIAS, userMemory(*b)});
  kernel->add(dnnl::deconvolution_forward(pd), arguments);
  return kernel;
}

} // namespace mlc::rt::onednn
