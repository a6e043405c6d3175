#!/usr/bin/python3
"""Writes the committed fixture models: small realistic CNN exports and hand-made ONNX files
for the importer's tests. Run with Debian's Python (python3-onnx, python3-torch,
python3-torchvision):

    /usr/bin/python3 utils/make_fixtures.py                 # writes into the repository
    /usr/bin/python3 utils/make_fixtures.py --out /tmp/fx   # the same tree under /tmp/fx
    /usr/bin/python3 utils/make_fixtures.py --verify        # also run each model in ONNX
                                                            # Runtime (utils/ort_compare.py)
    /usr/bin/python3 utils/make_fixtures.py --only analysis --verify
                                                            # only test/Analysis/Inputs,
                                                            # checked at several sizes
    /usr/bin/python3 utils/make_fixtures.py --only merge --verify --diff
                                                            # only test/Merge/Inputs; --diff
                                                            # prints what differs between
                                                            # the sizes
    /usr/bin/python3 utils/make_fixtures.py --only custom   # only the custom-layer models
                                                            # (onnx + numpy, no torch)

Deterministic: fixed seeds, one thread, no timestamps; running it again gives byte-identical
files (check: generate with --out into two folders and `diff -r`, or compare the sha256
list it prints).

examples/models/  (torch.onnx.export, eval mode, input "image", output "logits" or "out";
                   weights from torch.manual_seed(0), BatchNorm statistics randomised from the
                   same seed so that folding them is not a no-op; the exporter folds
                   BatchNorm into Conv in eval mode)
  tiny_resnet_{64,96}.onnx          opset 13. ResNet-style: conv stem + BN + ReLU + MaxPool,
                                    four stages of torchvision BasicBlock (8-16-32-48
                                    channels, stride 2 + 1x1 downsample from stage 2),
                                    GlobalAveragePool + Flatten + Gemm (10 classes).
  tiny_resnet_64_dynbatch.onnx      as tiny_resnet_64, batch dim symbolic ("batch").
  tiny_mobilenetv2_{64,96}.onnx     opset 13. torchvision MobileNetV2(width_mult=0.5,
                                    shortened inverted-residual setting, 10 classes) with its
                                    last 1x1 conv cut from 1280 to 128 channels: ReLU6 as
                                    Clip, depthwise convs, residual Adds, GlobalAveragePool,
                                    Flatten, Gemm.
  tiny_mobilenetv2_64_opset17.onnx  the same at opset 17.
  tiny_fcn_{64,96}.onnx             opset 13. torchvision's FCN class: a small dilated
                                    ResNet backbone (BasicBlock, Bottleneck with dilation 2,
                                    output stride 8) + FCNHead (5 classes), then
                                    F.interpolate(size=input size, bilinear) back to the
                                    input size: Shape/Slice/Concat with the size baked in as a
                                    constant, then Resize(sizes). Output "out" [1,5,H,W].
  tiny_fcn_{64,96}_dynbatch.onnx    the same with the batch dim symbolic ("batch"): the
                                    Resize's sizes take the batch from the tensor's shape.
  tiny_blocks_{64,96}.onnx          opset 13. torchvision's building blocks of the newer
                                    classifiers, in one small net: a SiLU stem (x *
                                    Sigmoid(x)) and SqueezeExcitation (its squeeze a
                                    global pool of the stem's output), a 3x3 average
                                    pool padded by 1 (Pad, then AveragePool),
                                    SqueezeExcitation again (a Sigmoid gate broadcast
                                    over H, W, the product read by the next 1x1 conv
                                    alone), SqueezeNet's fire module
                                    (its squeeze conv reads the gated tensor; its Concat read by
                                    the next conv), a Hardswish conv (x *
                                    HardSigmoid(x)), ShuffleNetV2's InvertedResidual
                                    (Split, channel shuffle by Reshape-Transpose-Reshape,
                                    Concat), DenseNet's dense block of 2 layers and
                                    transition (each a Concat of the features before it,
                                    BatchNorm with its own statistics per channel, ReLU),
                                    ConvNeXt's CNBlock (7x7 depthwise, Transpose to
                                    channels-last rows, LayerNorm as ReduceMean/Sub/Pow/Div,
                                    MatMul MLP with GELU as Div/Erf/Add/Mul/Mul, layer
                                    scale, residual), then pool and Linear (10 classes).
  tiny_blocks_64_opset17.onnx       the same at opset 17: ConvNeXt's LayerNorm as one
                                    LayerNormalization node (torch 2's default opset).
  tiny_vit_32.onnx                  opset 13. torchvision's VisionTransformer (32x32, 8x8
                                    patches, one encoder layer of 2 heads, 16 wide): the
                                    class token's expand(n, -1, -1) as Equal and Where over
                                    the shape, attention as MatMul/Softmax (exported with
                                    gradients on: torch 1.13's fused attention has no ONNX
                                    form), LayerNorm's pieces, GELU as Erf; the head,
                                    zero-initialized by torchvision, given random weights.
                                    The position embedding fixes the size: one export.
  tiny_swin_{48,64}.onnx            opset 13. torchvision's SwinTransformer (4x4 patches,
                                    8 wide, one stage of 2 blocks, windows of 4x4): pads
                                    computed from the shape with Mod and reversed as an
                                    [n, 2] matrix, shifted windows by Slice and Concat, the
                                    attention masks built with Range and ScatterND, Equal,
                                    Not and Where, dropout(p=0) in training mode. At 16
                                    (a 4x4 map, one window) the shift is off: another graph.
  tiny_maxvit_32.onnx               opset 13. torchvision's MaxVit (32x32, partitions of 2,
                                    two stages of 8 and 16 channels): MBConv blocks, window
                                    and grid attention with relative position bias, its
                                    products as Einsum.
  tiny_video_{8x32,4x48}.onnx       opset 13. torchvision's video ResNets in small (NCDHW
                                    input 1x3x8x32x32 and 1x3x4x48x48): a 3x7x7 Conv3d stem,
                                    MaxPool3d, BasicBlocks of 3x3x3 and (2+1)-D Conv3d,
                                    AdaptiveAvgPool3d, Linear: frames, height and width
                                    differ between the two.
  The files of one net at several sizes have identical weights (same seed, same code).

examples/models/  (custom layers; onnx.helper, no torch: the plugin example of
                   examples/plugins and docs/plugins.md)
  custom_ops_{64,96}.onnx           opset 13 + com.example v1. image [1,3,S,S] -> Conv
                                    '/conv1' (3->8, 3x3, pad 1) -> com.example::Swish
                                    '/swish' (beta 1.5, mlc_shape_rule "same") -> Conv
                                    '/conv2' (8->8, 3x3, pad 1) -> com.example::L2Pool
                                    '/l2pool' (kernel 2, per-channel weight initializer
                                    pool.weight [8], mlc_shape_rule "divide_spatial:2") ->
                                    Conv '/conv3' (8->4, 1x1) -> "features" [1,4,S/2,S/2].
                                    value_info gives the custom ops' output shapes. Weights
                                    from numpy RandomState(7), the same in both files.
  custom_ops_weights.npz            those weights by initializer name (conv1.weight ...
                                    pool.weight ...), for test/Custom/custom_plugin.py's
                                    numpy reference (written with fixed zip timestamps).

test/Import/ONNX/Inputs/  (onnx.helper; every valid model passes onnx.checker with
                          full_check)
  qdq_conv.onnx        opset 13, QDQ format: x [1,3,8,8] -> QuantizeLinear (uint8, scale
                       0.02, zp 128) -> DequantizeLinear -> Conv 3x3 pad 1 (weight int8
                       [4,3,3,3] per-channel DequantizeLinear axis 0, bias int32 [4] with
                       scale x_scale*w_scale) -> Relu -> QuantizeLinear (int8, scale 0.05,
                       zp -3) -> DequantizeLinear -> "out" [1,4,8,8].
  external_data.onnx   opset 13: x [1,3,8,8] -> Conv (W [8,3,3,3], B [8]) -> Relu ->
  external_data.bin    GlobalAveragePool -> Flatten -> Gemm (W [10,8] transB, B [10]) -> "out"
                       [1,10]. conv.weight and fc.weight (>= 128 bytes) live in
                       external_data.bin at 64-byte aligned offsets (conv.weight at 0,
                       fc.weight at 896), with location "external_data.bin" (relative), offset
                       and length set; the biases stay inline (raw_data).
  truncated.onnx       the first half of the bytes of external_data.onnx's model with all
                       weights inline (the cut falls inside the graph field: protobuf refuses
                       it).
  not_protobuf.onnx    a PNG signature + IHDR-like bytes + 1000 random bytes (numpy seed 0);
                       protobuf refuses it.
  custom_op.onnx       opset 13 + com.example v1: x [1,4,8,8] -> com.example.Swish(x, beta
                       [4] initializer) with attributes alpha (float 1.5), mode (int 2), label
                       (string "swish"), table (tensor float [3]), floats [0.5,-1,2.25], ints
                       [1,-2,3], strings ["a","bc",""] -> Relu -> "out" [1,4,8,8].
  opset_old_7.onnx     opset 7: Pad (pads/value attrs, constant) -> Clip (min/max attrs) ->
                       Upsample (scales attr, nearest) -> Slice (starts/ends/axes attrs,
                       negative start, huge end) -> Split (split attr) -> Add -> Squeeze (axes
                       attr) -> ReduceMean (axes attr, keepdims 0) -> Unsqueeze (axes attr) ->
                       Softmax (opset-1 semantics: axis 1 of a 3-D input flattens to 2-D).
  opset_old_9.onnx     opset 9: Upsample (scales input, linear) -> Pad (reflect, attrs) -> Clip
                       (attrs, 0..6) -> BatchNormalization -> Split (equal, no split attr) ->
                       Concat (reordered) -> Slice (attrs, no axes) -> MaxPool -> Unsqueeze/
                       Squeeze (attrs) -> ReduceMean (axes attr) -> Flatten -> Softmax.
  opset_old_10.onnx    opset 10: Resize (scales input only, nearest) -> Resize (linear) ->
                       MaxPool (ceil_mode) -> Slice (inputs, with steps) -> Clip (attrs) ->
                       Pad (edge, attrs) -> Split (attr) -> Mul -> Squeeze/Unsqueeze (attrs)
                       -> ReduceMean (axes attr).
  opset_old_11.onnx    opset 11: Softmax axis=1 on a 4-D input (coerced-to-2-D semantics) ->
                       Pad (pads input, constant_value input) -> Clip (min omitted "", max
                       input) -> Resize (roi, empty scales, sizes; align_corners, linear) ->
                       Split (attr, axis -1) -> ReduceMean (axes [-1] attr) -> Add ->
                       Unsqueeze/Squeeze (negative axes attrs) -> Softmax (default axis 1,
                       4-D again) -> "y" [1,3,9,4].

test/Analysis/Inputs/  (fixtures of `mlc check-flexible`; torch.onnx.export opset 13, eval
                       mode, do_constant_folding, input "image" [1,3,H,W] float32, output
                       "out" or "logits"; default torch init from torch.manual_seed(0), no
                       BatchNorm; each file under 200 KB)
  <net>_static.onnx is the fixed-size export (all dims static: what users feed mlc);
  <net>_dynamic.onnx is the same net and weights exported with dynamic_axes {2: "height",
  3: "width"} on the input (and the output dims noted below), from the net written size-
  independently: it is what ONNX Runtime runs at other sizes to check a formula. Declared
  output dims of the dynamic files are torch's guesses and partly wrong (fcn_dynamic says
  [Resizeout_dim_0, Resizeout_dim_1, height, width]; resize_const20_dynamic says
  [Convout_dim_0, 4, Convout_dim_2, Convout_dim_3] for a constant [1,4,20,20]): do not
  trust them. Formulas below use H, W for the input's dims 2 and 3; ceil(H/2) is what the
  conv formula floor((H + 2 - 3)/2) + 1 gives for a 3x3 stride-2 pad-1 conv. "runs in ORT"
  lists what `make_fixtures.py --verify` checks (output dims, and the numbers equal torch's
  at 1e-4); "fails" lists sizes ORT must refuse.
  fcn_{static,dynamic}.onnx   FCN-style segmentation: 3x3 convs stride 2 (3->8->16->16,
                       /backbone/conv1..3), a 3x3 conv with dilation 2 (/backbone/conv4),
                       1x1 classifier (21 classes), F.interpolate(size=x.shape[-2:],
                       bilinear, align_corners=False). Static at 64x64: Resize '/Resize'
                       takes sizes = Concat('/Concat': Slice(Shape(classifier out))[0:2],
                       Constant '/Constant_3' [64, 64]): the input size, baked. Verdict
                       baked (sizes[2] = 64 = H, sizes[3] = 64 = W; 8*ceil(H/8) also gives
                       64 but is wrong elsewhere: the dynamic export computes sizes from
                       Shape(image) -> Gather 2, 3). Output [1, 21, H, W]; constraints
                       none beyond H, W >= 1. Dynamic (output dims 2, 3 "height",
                       "width"): flexible, [1, 21, H, W]; runs in ORT at 96x128 ->
                       1x21x96x128 and 75x50 -> 1x21x75x50.
  unet_{static,dynamic}.onnx  UNet, 6 levels: 3x3 conv + ReLU per level (widths 4, 8, 8,
                       16, 16, 16), MaxPool(2) x5 down to 1/32 ('/pool/MaxPool',
                       '/pool_1/MaxPool'..'/pool_4/MaxPool'); up by 2 per level with nearest
                       Upsample (Resize with constant scales [1,1,2,2]: '/up.4/Resize',
                       '/up.1/Resize') or ConvTranspose k=2 s=2 ('/up.3', '/up.2', '/up.0'),
                       torch.cat with the skip ('/Concat' .. '/Concat_4', deepest first),
                       3x3 conv, 1x1 head (2 classes). No size-derived constant: the static
                       export (64x64) is flexible too. Constraints: H >= 32, H % 32 == 0,
                       W >= 32, W % 32 == 0 (each Concat needs 2*floor(h/2) == h at its
                       level); output [1, 2, H, W]. Dynamic runs in ORT at 96x96, 128x64,
                       32x32; fails at 80x64 ("Non-zero status code returned while running
                       Concat node. Name:'/Concat' ... Non concat axis dimensions must match:
                       Axis 2 has mismatched dimensions of 5 and 4"), 64x48 (same, "Axis 3
                       ... 3 and 2") and 16x16 (same, "Axis 2 ... 1 and 2": ORT's MaxPool
                       k=2 s=2 makes 1x1 out of a 1x1 input where the ONNX formula says 0).
  classifier_gap_{static,dynamic}.onnx  3x3 convs (stride 2, 2, 1; 3->8->16->16),
                       AdaptiveAvgPool2d(1) -> GlobalAveragePool '/pool/GlobalAveragePool',
                       Flatten '/flat/Flatten', Gemm '/fc/Gemm' (16 -> 1000). Flexible,
                       output [1, 1000], constraints none beyond H, W >= 1. Dynamic runs in
                       ORT at 96x128, 33x17, 1x1 -> 1x1000.
  classifier_flatten_static.onnx  3x3 convs stride 2 x3 (3->12->12->12, total stride 8),
                       Flatten '/flat/Flatten', Gemm '/fc/Gemm' (fc.weight [10, 768],
                       transB). Static at 64x64 only. Blocked: Gemm needs K = 768 = 12*8*8;
                       the Flatten gives K = 12*ceil(H/8)*ceil(W/8), which is 768 only when
                       ceil(H/8)*ceil(W/8) = 64 (H, W in 57..64, or e.g. H in 25..32 with W
                       in 121..128); fix: global average pooling before the Flatten. Output
                       [1, 10]. (Checked with a dynamic re-export that is not committed: runs
                       in ORT at 60x57 and 32x128, fails at 96x96 with "GEMM: Dimension
                       mismatch, W: {10,768} K: 1728 N:10" and at 64x65 with K: 864.)
  resize_const_{static,dynamic}.onnx  3x3 convs stride 2 x2 (3->8->8: 1/4 of the input),
                       F.interpolate(size=(56, 56), bilinear) '/Resize', 1x1 conv (8->4).
                       Static at 112x112: sizes = Concat(Slice(Shape)[0:2], Constant
                       '/Constant_3' [56, 56]). The source with the literal (56, 56) and the
                       one with (x.shape[-2] // 2, x.shape[-1] // 2) export byte-identical
                       graphs at 112 (this script checks it), so the file cannot tell them
                       apart: verdict baked (56 = floor(H/2) at H = 112; also ceil(H/2),
                       and 2x the Resize's input dim 28 = 2*ceil(H/4); the three agree only
                       when H % 4 == 0: test at multiples of 4). Generalized output [1, 4,
                       floor(H/2), floor(W/2)]. The dynamic export is the x.shape // 2 source
                       (output dims 2, 3 "out_height", "out_width"; Shape -> Gather -> Div 2
                       -> Cast -> Concat): runs in ORT at 96x128 -> 1x4x48x64, 100x60 -> 1x4x50x30,
                       75x50 -> 1x4x37x25 (where ceil(H/2) would say 38x25 and 2*ceil(H/4)
                       38x26).
  resize_const20_{static,dynamic}.onnx  the same net with F.interpolate(size=(20, 20)) at
                       64x64: the Resize's input is 16x16 there, and 20 is no multiple or
                       fraction of 64, 32 or 16 (20/16 = 5/4). Flexible by design: output
                       [1, 4, 20, 20] whatever the input; no baked constant; constraints
                       none beyond H, W >= 1. Dynamic (same source) runs in ORT at 96x128
                       and 40x72 -> 1x4x20x20.
  reshape_baked_{static,dynamic}.onnx  3x3 convs stride 2 x2 (3->6->6) -> [1, 6, ceil(H/4),
                       ceil(W/4)], x.view(1, 6, 96) -> Reshape '/Reshape' with Constant
                       [1, 6, 96], Conv1d 1x1 (6->4), Softmax over the last axis. Static at
                       H=32, W=48 (not square, so that H and W cannot be swapped unseen):
                       verdict baked: 96 = ceil(H/4)*ceil(W/4) = 8*12 (what the element
                       count requires; 3*H, 2*W and H*W/16 are also 96 at 32x48, and wrong
                       elsewhere); 6 is the channel count, not a size. Generalized output
                       [1, 4, ceil(H/4)*ceil(W/4)]. The dynamic export is the flatten(2)
                       source (Reshape to Concat(Slice(Shape)[0:2], [-1]); torch emits the
                       same for flatten(2) even in a fixed-size export; output dim 2
                       "out_length"): runs in ORT at 64x40 -> 1x4x160, 30x50 -> 1x4x104.
  channel_shuffle_{static,dynamic}.onnx  3x3 conv stride 2 (3->8) -> [1, 8, ceil(H/2),
                       ceil(W/2)], then twice: ShuffleNetV2's channel_shuffle (x.view(1, 2,
                       4, h, w), transpose(1, 2), x.view(1, -1, h, w)) and a 1x1 conv (8->8).
                       Static at H=32, W=48, with the sizes literal as torch's trace of
                       x.size() leaves them: Reshapes with Constants [1, 2, 4, 16, 24] and
                       [1, -1, 16, 24]. Verdict baked (4 Reshapes: 16 = ceil(H/2), 24 =
                       ceil(W/2); the 2 and 4 split the 8 channels); each Reshape's input is
                       a size again only once the one before is generalized. Generalized
                       output [1, 8, ceil(H/2), ceil(W/2)]. Dynamic: the sizes from
                       x.size(), runs in ORT at 64x40 -> 1x8x32x20, 31x17 -> 1x8x16x9.
  dynamic_dims_dynamic.onnx   no static twin: exported with dim_params ["batch", 3,
                       "height", "width"], output ["batch", 4, "out_height", "out_width"].
                       3x3 conv (3->8), 3x3 conv stride 2 (8->8), ConvTranspose '/up/
                       ConvTranspose' k=4 s=2 pad 1 (8->4). Flexible: output [N, 4,
                       2*ceil(H/2), 2*ceil(W/2)] (H + 1 for odd H); constraints none beyond
                       H, W >= 1. Runs in ORT at 1x3x32x32 -> 1x4x32x32, 2x3x48x40 ->
                       2x4x48x40, 1x3x33x17 -> 1x4x34x18.
  depth_to_space_sr_{static,dynamic}.onnx  ESPCN-like super-resolution: 5x5 conv (3->16),
                       Tanh, 3x3 conv (16->8), Tanh, 3x3 conv (8->27), PixelShuffle(3) ->
                       DepthToSpace '/pixel_shuffle/DepthToSpace' (blocksize 3, CRD). Static
                       at 32x32 -> [1, 3, 96, 96]. Flexible, output [1, 3, 3*H, 3*W];
                       constraints none beyond H, W >= 1. Dynamic (output dims 2, 3
                       "out_height", "out_width") runs in ORT at 48x40 -> 1x3x144x120 and
                       17x23 -> 1x3x51x69.

test/Merge/Inputs/  (fixtures of `mlc merge`: per-size exports of one network; torch.onnx.export
                    opset 13, eval mode, do_constant_folding, input "image" [1,3,H,W] float32
                    unless said otherwise; default torch init from torch.manual_seed(0)
                    unless said otherwise, so that the exports of one net hold
                    byte-identical initializers (same names, same bytes); each file under
                    150 KB. What differs between two files is checked on every run
                    (MERGE_DIFFS; `--only merge --diff` prints it): node names, ops, edges,
                    attributes, initializers by name and bytes, graph inputs and outputs.
                    torch never stores a size-derived constant as an initializer here: each
                    is a Constant node whose `value` differs. Every file runs in ORT at its
                    size with torch's numbers (--verify). "S" below is the input size.)
  unet_{64,96,128}.onnx  3-level UNet (widths 8, 16, 16, 24; 2 classes; output "out"
                       [1,2,H,W]): 3x3 conv + ReLU per level, MaxPool(2) x3 down to 1/8; at
                       1/8 a spatial-attention block (1x1 conv '/attn/Conv' -> view(n, 1,
                       h*w) '/Reshape' -> Softmax -> view(n, 1, h, w) '/Reshape_1' -> x + x*a);
                       decoder up by 2 per level, each concatenated with the encoder's skip:
                       F.interpolate(size=(2h, 2w), nearest) '/Resize' (1/8 -> 1/4),
                       ConvTranspose k=2 s=2 '/up1/ConvTranspose' (1/4 -> 1/2),
                       F.interpolate(size=(2h, 2w), bilinear) '/Resize_1' (1/2 -> 1); 1x1 head.
                       Valid where H % 8 == 0 and W % 8 == 0 (each Concat needs the x2 map to
                       equal the skip; checked in ORT on a dynamic re-export, not committed:
                       runs at 72x80 and 136x64, fails at 68x64, 64x60, 66x64 with "Non concat
                       axis dimensions must match"). Differs between the sizes (S = 64, 96,
                       128), nothing else but the input and output dims:
                         /Constant   -> '/Reshape' shape     [1, 1, 64 | 144 | 256]
                                        = [1, 1, (S/8)^2]: dims 2 * 3 of the Reshape's input
                         /Constant_1 -> '/Reshape_1' shape   [1, 1, 8 | 12 | 16, same]
                                        = [1, 1, S/8, S/8]: dims 2, 3 of '/attn/Conv''s output
                                        (not of the Reshape's own input, [1, 1, (S/8)^2])
                         /Constant_5 -> '/Concat' -> '/Resize' sizes[2:4]  [16 | 24 | 32, same]
                                        = S/4: 2x dims 2, 3 of the Resize's input; also dims
                                        of the skip '/Relu_2' (floor(H/4); equal where valid)
                         /Constant_9 -> '/Concat_3' -> '/Resize_1' sizes[2:4]  [64 | 96 | 128]
                                        = S: dims 2, 3 of the image (2x the Resize's input)
                       (the Resize sizes are Concat(Slice(Shape(x))[0:2], Constant): the
                       constant is the Concat's second operand, Resize sizes[2], [3]).
                       Expected merge: exit 0, each of the 4 constants generalized; `--shapes
                       64..128:16` (or :8) too. Which sizes the merged model takes depends on
                       the provenance chosen for /Constant_5: as 2x the Resize's input
                       (2*floor(H/8)) it keeps the source's H % 8 == 0; as the skip's dims
                       (floor(H/4)) the 1/8 -> 1/4 Concat always fits, and only the
                       ConvTranspose level (floor(H/2) even) is left: H % 8 in {0, 1, 4, 5},
                       so 100 is then valid in the merged model though torch's net fails
                       there. Sizes that break both, e.g. 66 or 70 (floor(H/2) odd), must
                       exit 1.
  unet_112.onnx        the same net exported at 112 (fresh, for a range's in-between check:
                       112 is in 64..128:16); differs from unet_64 in the same 4 constants.
  fcn_{64,96}.onnx     = test/Analysis/Inputs/fcn_static.onnx's net (byte-identical at 64):
                       strided 3x3 convs, dilated conv, 1x1 classifier (21 classes),
                       F.interpolate(size=x.shape[-2:], bilinear). Differs: /Constant_3 ->
                       '/Concat' -> '/Resize' sizes[2:4] = [64, 64] | [96, 96] (dims 2, 3 of the
                       image); input and output dims. Valid at any H, W >= 1. Expected merge:
                       exit 0, sizes[2] = H, sizes[3] = W; `--shapes 64..96:16` too.
  fcn_80.onnx          the same net at 80 (fresh, for `--shapes 64..96:16` or `64..96:8`):
                       /Constant_3 [80, 80].
  nhwc_{64,96}.onnx    the same net taking a channels-last image (1x64x64x3, 1x96x96x3), as
                       TensorFlow and Keras models do: a Transpose (perm 0,3,1,2) first. H and
                       W are dims 1 and 2. Differs: /net/Constant_3 (the Resize's sizes) and
                       the input and output dims. Expected merge: exit 0, sizes name H, W.
  fcn_dynamic.onnx     the same net exported with dynamic H and W ("height", "width"): the
                       Resize's sizes come from Shape -> Slice -> Concat on the input. Takes
                       any size as it is; expected merge alone: exit 2, and with --shapes
                       (64,80,96 or a range) exit 0, merged at the first size.
  hw_64x96.onnx        the FCN net at 64x96 and 96x128 (H != W): /Constant_3 = [64, 96] |
  hw_96x128.onnx       [96, 128]. sizes[2] must become H and sizes[3] W: with two exports an
                       affine fit in H alone also "fits" sizes[3] (W = H + 32 at both), so only
                       provenance (dim 3 of the image) or preferring the plain dims tells them
                       apart. Expected merge: exit 0, "image: 1x3x64x96, 1x3x96x128".
  classifier_{64,96}.onnx  = test/Analysis/Inputs/classifier_gap_static.onnx's net (byte-
                       identical at 64): 3x3 convs (stride 2, 2, 1), GlobalAveragePool,
                       Flatten, Gemm 16 -> 1000 (output "logits" [1, 1000]). Nothing differs
                       but the input's dims. Expected merge: exit 0, nothing generalized.
  Bad pairs (merged with classifier_96.onnx unless said otherwise; expected exit 1, no
  output file):
  other_net_64.onnx    the classifier with one more 3x3 conv + ReLU (16->16, '/conv4/Conv')
                       after conv3: a different network. Differs: node 6 is Conv
                       '/conv4/Conv' vs GlobalAveragePool '/pool/GlobalAveragePool' (the first
                       differing node; the 6 before are the same, with the same weights);
                       conv4.weight/bias only here; fc.weight/bias bytes differ (the seed's
                       stream moved on).
  other_weights_64.onnx the classifier from torch.manual_seed(1): the same graph (only the
                       input dims differ) with every initializer's bytes different (conv1..3,
                       fc: weight and bias): "not one network" by the weights' hashes.
  renamed_input_96.onnx the classifier at 96 with its input named "input": differs from
                       classifier_96 only in the input's name (and so '/conv1/Conv''s input
                       0); merged with classifier_64: different input names.
  two_inputs_64.onnx   inputs "image" [1,3,64,64] and "mask" [1,1,64,64]: image * mask ->
                       two strided 3x3 convs + ReLU -> GlobalAveragePool -> Flatten -> Gemm
                       16 -> 10 ("logits" [1, 10]): different input counts (2 vs 1).
  adaptive_{64,96}.onnx two strided 3x3 convs (3->8->8, to S/4) -> AdaptiveAvgPool2d((2, 2)) ->
                       Flatten -> Gemm 32 -> 10. torch 1.13 exports the adaptive pool as
                       AveragePool '/pool/AveragePool' with kernel_shape = strides = the
                       feature map / 2: [8, 8] at 64, [12, 12] at 96 (it refuses sizes where
                       the map is not a multiple of 2 - "output size that are not factor of
                       input size" - and a dynamic export - "input size not accessible").
                       Only those two attributes and the input dims differ. A size-derived
                       attribute has no shape-op form: expected merge: exit 1 naming
                       '/pool/AveragePool' and kernel_shape (8,8 vs 12,12) (and strides).
"""

import argparse
import hashlib
import io
import os
import shutil
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
import torch_exports as te  # noqa: E402

MODELS_DIR = os.path.join("examples", "models")
INPUTS_DIR = os.path.join("test", "Import", "ONNX", "Inputs")
MAX_MODEL_BYTES = 300 * 1024
MAX_MODELS_DIR_BYTES = 3 * 1024 * 1024
PRODUCER = "mlc utils/make_fixtures.py"


# ----------------------------------------------------------------------------------------
# examples/models: realistic exports with torch

def _torch():
    import torch
    torch.set_num_threads(1)
    return torch


def export_checked(net, input_shapes, output_name, path=None, opset=13,
                   input_names=("image",), dynamic_axes=None):
    """torch_exports.export in memory, made reproducible (the doc strings cleared: source
    locations, if any, differ between checkouts) and checked (onnx.checker, full_check);
    written to path when one is given. Returns the ModelProto."""
    import onnx
    buf = io.BytesIO()
    te.export(net, input_shapes, buf, output_name, opset, input_names, dynamic_axes)
    model = onnx.load_from_string(buf.getvalue())
    model.doc_string = ""
    for node in model.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(model, full_check=True)
    if path:
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
    return model


def randomize_batchnorm(model, torch):
    """Non-trivial BatchNorm statistics (from the global torch seed), so that the exporter's
    BatchNorm folding changes the weights as it would for a trained net."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(c) + 0.5)
                m.bias.copy_(torch.randn(c) * 0.1)
                m.running_mean.copy_(torch.randn(c) * 0.1)
                m.running_var.copy_(torch.rand(c) + 0.5)


def tiny_resnet(torch):
    import torch.nn as nn
    from torchvision.models.resnet import BasicBlock

    class TinyResNet(nn.Module):
        def __init__(self, widths=(8, 16, 32, 48), num_classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, widths[0], 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            layers, cin = [], widths[0]
            for i, w in enumerate(widths):
                stride = 1 if i == 0 else 2
                down = None
                if stride != 1 or cin != w:
                    down = nn.Sequential(nn.Conv2d(cin, w, 1, stride=stride, bias=False),
                                         nn.BatchNorm2d(w))
                layers.append(BasicBlock(cin, w, stride=stride, downsample=down))
                cin = w
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(cin, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return TinyResNet()


def tiny_mobilenetv2(torch):
    import torch.nn as nn
    from torchvision.models import mobilenet_v2
    from torchvision.ops.misc import Conv2dNormActivation

    # t (expansion), c (channels), n (repeats), s (stride): torchvision's setting, shortened.
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2], [6, 96, 1, 1]]
    m = mobilenet_v2(weights=None, width_mult=0.5, num_classes=10,
                     inverted_residual_setting=setting)
    # torchvision keeps the last 1x1 conv at >= 1280 channels whatever width_mult; cut it
    # (and the classifier) to 128 so that the file stays small.
    last_in = m.features[-1][0].in_channels
    m.features[-1] = Conv2dNormActivation(last_in, 128, kernel_size=1,
                                          norm_layer=nn.BatchNorm2d,
                                          activation_layer=nn.ReLU6)
    m.classifier[1] = nn.Linear(128, 10)
    m.last_channel = 128
    for mod in m.modules():  # the same init torchvision uses for its own layers
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out")
        elif isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0, 0.01)
            nn.init.zeros_(mod.bias)
    return m


def tiny_fcn(torch):
    import torch.nn as nn
    from torchvision.models.resnet import BasicBlock, Bottleneck
    from torchvision.models._utils import IntermediateLayerGetter
    from torchvision.models.segmentation.fcn import FCN, FCNHead

    class Backbone(nn.Module):
        # Children in forward order: IntermediateLayerGetter runs them one after another.
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = BasicBlock(16, 16)
            self.layer2 = BasicBlock(16, 32, stride=2, downsample=nn.Sequential(
                nn.Conv2d(16, 32, 1, stride=2, bias=False), nn.BatchNorm2d(32)))
            # Dilated instead of strided, as in torchvision's FCN backbones: stride stays 8.
            self.layer3 = Bottleneck(32, 16, dilation=2, downsample=nn.Sequential(
                nn.Conv2d(32, 64, 1, bias=False), nn.BatchNorm2d(64)))

    backbone = IntermediateLayerGetter(Backbone(), return_layers={"layer3": "out"})
    return te.out_only(FCN(backbone, FCNHead(64, 5), aux_classifier=None))


def tiny_blocks(torch):
    import torch.nn as nn
    from torchvision.models.convnext import CNBlock
    from torchvision.models.densenet import _DenseBlock, _Transition
    from torchvision.models.shufflenetv2 import InvertedResidual
    from torchvision.models.squeezenet import Fire
    from torchvision.ops import Conv2dNormActivation, SqueezeExcitation

    dense = nn.Sequential(
        _DenseBlock(2, 24, bn_size=2, growth_rate=8, drop_rate=0.0),
        _Transition(40, 24))
    # Statistics and scales of every channel their own (a fresh BatchNorm is the
    # identity), so that a channel normalized with another's shows in the check.
    for mod in dense.modules():
        if isinstance(mod, nn.BatchNorm2d):
            c = mod.num_features
            with torch.no_grad():
                mod.running_mean.copy_(torch.rand(c) * 0.4 - 0.2)
                mod.running_var.copy_(torch.rand(c) + 0.5)
                mod.weight.copy_(torch.rand(c) + 0.5)
                mod.bias.copy_(torch.rand(c) * 0.4 - 0.2)
    return nn.Sequential(
        Conv2dNormActivation(3, 16, stride=2, activation_layer=nn.SiLU),
        # Its squeeze a global pool of the SiLU conv's output (efficientnet's).
        SqueezeExcitation(16, 4),
        # Exported as a Pad, then an AveragePool (as inception_v3's).
        nn.AvgPool2d(3, stride=1, padding=1),
        # Its gated output read by a 1x1 conv alone (the next module's first),
        # as in efficientnet's blocks.
        SqueezeExcitation(16, 4),
        # SqueezeNet's fire module: a squeeze, then 1x1 and 3x3 expansions
        # concatenated, which the next conv reads.
        Fire(16, 8, 12, 12),
        Conv2dNormActivation(24, 24, activation_layer=nn.Hardswish),
        InvertedResidual(24, 24, 1),
        # DenseNet's: each layer normalizes the concatenation of the features
        # before it (Concat, BatchNorm, ReLU, 1x1 and 3x3 convs); the transition
        # normalizes the block's, then a 1x1 conv and a 2x2 average pool.
        dense,
        # A layer scale of 0.5 rather than ConvNeXt's 1e-6, so that the block's
        # output counts in the check.
        CNBlock(24, layer_scale=0.5, stochastic_depth_prob=0.0),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(24, 10))


def tiny_vit(torch):
    from torchvision.models.vision_transformer import VisionTransformer
    net = VisionTransformer(image_size=32, patch_size=8, num_layers=1, num_heads=2,
                            hidden_dim=16, mlp_dim=32, num_classes=10)
    # torchvision zero-initializes the head: its logits would all be 0.
    with torch.no_grad():
        torch.nn.init.normal_(net.heads.head.weight, std=0.2)
    return net


def tiny_swin(torch):
    from torchvision.models.swin_transformer import SwinTransformer
    return SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2], num_heads=[2],
                           window_size=[4, 4], num_classes=10)


def tiny_maxvit(torch):
    from torchvision.models.maxvit import MaxVit
    return MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2,
                  block_channels=[8, 16], block_layers=[1, 1], head_dim=4,
                  stochastic_depth_prob=0.0, num_classes=10)


def tiny_video(torch):
    """torchvision's video ResNets (r3d_18, r2plus1d_18) in small: their stem (a 3x7x7
    Conv3d of spatial stride 2), a 3-D max pool as S3D has, a BasicBlock of 3x3x3 Conv3d
    (r3d) and one of (2+1)-D convolutions (1x3x3 then 3x1x1, r2plus1d) with stride 2 and a
    1x1x1 downsample, then AdaptiveAvgPool3d and a Linear: input NCDHW."""
    import torch.nn as nn
    from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, Conv3DSimple

    class TinyVideo(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.stem = nn.Sequential(
                nn.Conv3d(3, 8, (3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
                nn.BatchNorm3d(8), nn.ReLU(inplace=True),
                nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)))
            self.layer1 = BasicBlock(8, 8, Conv3DSimple)
            down = nn.Sequential(nn.Conv3d(8, 16, 1, stride=2, bias=False), nn.BatchNorm3d(16))
            self.layer2 = BasicBlock(8, 16, Conv2Plus1D, stride=2, downsample=down)
            self.avgpool = nn.AdaptiveAvgPool3d(1)
            self.fc = nn.Linear(16, num_classes)

        def forward(self, x):
            x = self.layer2(self.layer1(self.stem(x)))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return TinyVideo()


TORCH_NETS = {
    "tiny_resnet": (tiny_resnet, "logits"),
    "tiny_mobilenetv2": (tiny_mobilenetv2, "logits"),
    "tiny_fcn": (tiny_fcn, "out"),
    "tiny_blocks": (tiny_blocks, "logits"),
    "tiny_vit": (tiny_vit, "logits"),
    "tiny_swin": (tiny_swin, "logits"),
    "tiny_maxvit": (tiny_maxvit, "logits"),
    "tiny_video": (tiny_video, "logits"),
}

# (file stem, net, input size (H = W; or (D, H, W) of a video), opset, dynamic batch)
TORCH_EXPORTS = [
    ("tiny_resnet_64", "tiny_resnet", 64, 13, False),
    ("tiny_resnet_96", "tiny_resnet", 96, 13, False),
    ("tiny_resnet_64_dynbatch", "tiny_resnet", 64, 13, True),
    ("tiny_mobilenetv2_64", "tiny_mobilenetv2", 64, 13, False),
    ("tiny_mobilenetv2_96", "tiny_mobilenetv2", 96, 13, False),
    ("tiny_mobilenetv2_64_opset17", "tiny_mobilenetv2", 64, 17, False),
    ("tiny_fcn_64", "tiny_fcn", 64, 13, False),
    ("tiny_fcn_96", "tiny_fcn", 96, 13, False),
    ("tiny_fcn_64_dynbatch", "tiny_fcn", 64, 13, True),
    ("tiny_fcn_96_dynbatch", "tiny_fcn", 96, 13, True),
    ("tiny_blocks_64", "tiny_blocks", 64, 13, False),
    ("tiny_blocks_96", "tiny_blocks", 96, 13, False),
    ("tiny_blocks_64_opset17", "tiny_blocks", 64, 17, False),
    ("tiny_vit_32", "tiny_vit", 32, 13, False),
    ("tiny_swin_48", "tiny_swin", 48, 13, False),
    ("tiny_swin_64", "tiny_swin", 64, 13, False),
    ("tiny_maxvit_32", "tiny_maxvit", 32, 13, False),
    ("tiny_video_8x32", "tiny_video", (8, 32, 32), 13, False),
    ("tiny_video_4x48", "tiny_video", (4, 48, 48), 13, False),
]


def input_shape(size, batch=1):
    """The NCHW (or NCDHW) input shape of a TORCH_EXPORTS entry's size."""
    return (batch, 3) + (tuple(size) if isinstance(size, tuple) else (size, size))


def build_net(name):
    torch = _torch()
    torch.manual_seed(0)
    make, out_name = TORCH_NETS[name]
    net = make(torch)
    randomize_batchnorm(net, torch)
    net.eval()
    return net, out_name


def make_torch_models(root):
    out_dir = os.path.join(root, MODELS_DIR)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    nets = {}
    for stem, net_name, size, opset, dynbatch in TORCH_EXPORTS:
        if net_name not in nets:
            nets[net_name] = build_net(net_name)
        net, out_name = nets[net_name]
        path = os.path.join(out_dir, stem + ".onnx")
        axes = {"image": {0: "batch"}, out_name: {0: "batch"}} if dynbatch else None
        export_checked(net, [input_shape(size)], out_name, path, opset, dynamic_axes=axes)
        written.append(path)
    check_same_weights(out_dir)
    return written


def check_same_weights(out_dir):
    """The exports of one net (sizes, opsets, dynamic batch) must hold identical
    initializers: the merge tests rely on it. Their contents, that is: the exporter numbers
    unnamed ones by node, and an opset's other node count (LayerNormalization at 17)
    renumbers them."""
    import onnx
    by_net = {}

    def contents(tensor):
        copy = onnx.TensorProto()
        copy.CopyFrom(tensor)
        copy.name = ""
        return copy.SerializeToString()

    for stem, net_name, _, _, _ in TORCH_EXPORTS:
        model = onnx.load(os.path.join(out_dir, stem + ".onnx"))
        inits = sorted(contents(t) for t in model.graph.initializer)
        if net_name in by_net and by_net[net_name][1] != inits:
            raise AssertionError("%s.onnx: weights differ from %s.onnx"
                                 % (stem, by_net[net_name][0]))
        by_net.setdefault(net_name, (stem, inits))


# ----------------------------------------------------------------------------------------
# test/Import/ONNX/Inputs: hand-made models

def _h():
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    return onnx, helper, numpy_helper, TensorProto


IR_FOR_OPSET = {7: 3, 9: 4, 10: 5, 11: 6, 13: 7, 17: 8}


def make_model(graph, opset, extra_opsets=()):
    onnx, helper, _, _ = _h()
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, producer_name=PRODUCER,
                              producer_version="1")
    model.ir_version = IR_FOR_OPSET[opset]
    return model


def save_checked(model, path, full_check=True):
    onnx, _, _, _ = _h()
    onnx.checker.check_model(model, full_check=full_check)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def qdq_conv():
    onnx, helper, nph, TP = _h()
    rng = np.random.RandomState(1)
    x_scale, x_zp = np.float32(0.02), np.uint8(128)
    w_scale = (rng.uniform(0.002, 0.01, 4)).astype(np.float32)
    w_q = rng.randint(-127, 128, size=(4, 3, 3, 3)).astype(np.int8)
    b_scale = (x_scale * w_scale).astype(np.float32)
    b_q = rng.randint(-2000, 2000, size=(4,)).astype(np.int32)
    inits = [
        nph.from_array(np.array(x_scale, np.float32), "x_scale"),
        nph.from_array(np.array(x_zp, np.uint8), "x_zero_point"),
        nph.from_array(w_q, "conv.weight_quantized"),
        nph.from_array(w_scale, "conv.weight_scale"),
        nph.from_array(np.zeros(4, np.int8), "conv.weight_zero_point"),
        nph.from_array(b_q, "conv.bias_quantized"),
        nph.from_array(b_scale, "conv.bias_scale"),
        nph.from_array(np.zeros(4, np.int32), "conv.bias_zero_point"),
        nph.from_array(np.array(0.05, np.float32), "y_scale"),
        nph.from_array(np.array(-3, np.int8), "y_zero_point"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero_point"], ["x_q"], "x_quant"),
        helper.make_node("DequantizeLinear", ["x_q", "x_scale", "x_zero_point"], ["x_dq"], "x_dequant"),
        helper.make_node("DequantizeLinear", ["conv.weight_quantized", "conv.weight_scale",
                                              "conv.weight_zero_point"], ["conv.weight"],
                         "conv.weight_dequant", axis=0),
        helper.make_node("DequantizeLinear", ["conv.bias_quantized", "conv.bias_scale",
                                              "conv.bias_zero_point"], ["conv.bias"],
                         "conv.bias_dequant", axis=0),
        helper.make_node("Conv", ["x_dq", "conv.weight", "conv.bias"], ["conv_out"], "conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv_out"], ["relu_out"], "relu"),
        helper.make_node("QuantizeLinear", ["relu_out", "y_scale", "y_zero_point"], ["y_q"], "y_quant"),
        helper.make_node("DequantizeLinear", ["y_q", "y_scale", "y_zero_point"], ["out"], "y_dequant"),
    ]
    graph = helper.make_graph(
        nodes, "qdq_conv",
        [helper.make_tensor_value_info("x", TP.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("out", TP.FLOAT, [1, 4, 8, 8])], inits)
    return make_model(graph, 13)


def small_conv_net():
    """x [1,3,8,8] -> Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> out [1,10]."""
    onnx, helper, nph, TP = _h()
    rng = np.random.RandomState(2)
    inits = [
        nph.from_array(f32(rng, 8, 3, 3, 3, scale=0.3), "conv.weight"),
        nph.from_array(f32(rng, 8, scale=0.1), "conv.bias"),
        nph.from_array(f32(rng, 10, 8, scale=0.3), "fc.weight"),
        nph.from_array(f32(rng, 10, scale=0.1), "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], "conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], "relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], "pool"),
        helper.make_node("Flatten", ["p"], ["f"], "flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["out"], "fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "small_conv_net",
        [helper.make_tensor_value_info("x", TP.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("out", TP.FLOAT, [1, 10])], inits)
    return make_model(graph, 13)


def write_external_data(model, path, location, threshold=128, align=64):
    """Moves initializers of >= threshold bytes to the file `location` next to path, at
    `align`-aligned offsets, through onnx.external_data_helper."""
    onnx, _, _, _ = _h()
    from onnx import external_data_helper as edh
    data_path = os.path.join(os.path.dirname(path), location)
    if os.path.exists(data_path):
        os.remove(data_path)  # the helper appends to an existing file
    edh.convert_model_to_external_data(model, all_tensors_to_one_file=True, location=location,
                                       size_threshold=threshold)
    offset = 0
    for t in model.graph.initializer:
        if edh.uses_external_data(t):
            n = len(t.raw_data)
            edh.set_external_data(t, location, offset=offset, length=n)
            offset = (offset + n + align - 1) // align * align
    onnx.save_model(model, path)  # writes the tensors at their offsets, clears raw_data
    onnx.checker.check_model(path, full_check=True)  # by path: resolves the external file


def custom_op():
    onnx, helper, nph, TP = _h()
    rng = np.random.RandomState(3)
    node = helper.make_node(
        "Swish", ["x", "beta"], ["s"], "swish", domain="com.example",
        alpha=1.5, mode=2, label="swish",
        table=nph.from_array(np.array([0.25, -1.0, 4.0], np.float32), "table"),
        floats=[0.5, -1.0, 2.25], ints=[1, -2, 3], strings=[b"a", b"bc", b""])
    relu = helper.make_node("Relu", ["s"], ["out"], "relu")
    graph = helper.make_graph(
        [node, relu], "custom_op",
        [helper.make_tensor_value_info("x", TP.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("out", TP.FLOAT, [1, 4, 8, 8])],
        [nph.from_array(f32(rng, 4), "beta")],
        value_info=[helper.make_tensor_value_info("s", TP.FLOAT, [1, 4, 8, 8])])
    return make_model(graph, 13, extra_opsets=[("com.example", 1)])


def _graph(name, nodes, x_shape, y_shape, inits=(), outputs=None):
    _, helper, _, TP = _h()
    outs = outputs or [("y", y_shape)]
    return helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TP.FLOAT, x_shape)],
        [helper.make_tensor_value_info(n, TP.FLOAT, s) for n, s in outs], list(inits))


def opset_old_7():
    _, helper, nph, TP = _h()
    n = helper.make_node
    nodes = [
        n("Pad", ["x"], ["pad"], "pad", pads=[0, 0, 1, 1, 0, 0, 1, 1], mode="constant", value=0.5),
        n("Clip", ["pad"], ["clip"], "clip", min=-0.25, max=0.75),
        n("Upsample", ["clip"], ["up"], "upsample", scales=[1.0, 1.0, 2.0, 2.0], mode="nearest"),
        n("Slice", ["up"], ["slice"], "slice", axes=[2, 3], starts=[1, -11], ends=[11, 1 << 40]),
        n("Split", ["slice"], ["split_a", "split_b"], "split", axis=1, split=[1, 1]),
        n("Add", ["split_a", "split_b"], ["sum"], "add"),
        n("Squeeze", ["sum"], ["sq"], "squeeze", axes=[1]),
        n("ReduceMean", ["sq"], ["mean"], "reduce_mean", axes=[2], keepdims=0),
        n("Unsqueeze", ["mean"], ["unsq"], "unsqueeze", axes=[1]),
        n("Softmax", ["unsq"], ["y"], "softmax", axis=1),
    ]
    return make_model(_graph("opset_old_7", nodes, [1, 2, 4, 4], [1, 1, 10]), 7)


def opset_old_9():
    _, helper, nph, TP = _h()
    n = helper.make_node
    rng = np.random.RandomState(9)
    inits = [
        nph.from_array(np.array([1, 1, 2, 2], np.float32), "up_scales"),
        nph.from_array((rng.rand(3) + 0.5).astype(np.float32), "bn.weight"),
        nph.from_array(f32(rng, 3, scale=0.1), "bn.bias"),
        nph.from_array(f32(rng, 3, scale=0.1), "bn.running_mean"),
        nph.from_array((rng.rand(3) + 0.5).astype(np.float32), "bn.running_var"),
    ]
    nodes = [
        n("Upsample", ["x", "up_scales"], ["up"], "upsample", mode="linear"),
        n("Pad", ["up"], ["pad"], "pad", pads=[0, 0, 2, 1, 0, 0, 0, 1], mode="reflect"),
        n("Clip", ["pad"], ["clip"], "relu6", min=0.0, max=6.0),
        n("BatchNormalization", ["clip", "bn.weight", "bn.bias", "bn.running_mean",
                                 "bn.running_var"], ["bn"], "bn", epsilon=1e-3),
        n("Split", ["bn"], ["s0", "s1", "s2"], "split", axis=1),
        n("Concat", ["s2", "s0", "s1"], ["cat"], "concat", axis=1),
        n("Slice", ["cat"], ["slice"], "slice", starts=[0, 0, 2, 2], ends=[1, 3, 12, 12]),
        n("MaxPool", ["slice"], ["pool"], "maxpool", kernel_shape=[2, 2], strides=[2, 2]),
        n("Unsqueeze", ["pool"], ["unsq"], "unsqueeze", axes=[0]),
        n("Squeeze", ["unsq"], ["sq"], "squeeze", axes=[0]),
        n("ReduceMean", ["sq"], ["mean"], "reduce_mean", axes=[2, 3], keepdims=1),
        n("Flatten", ["mean"], ["flat"], "flatten", axis=1),
        n("Softmax", ["flat"], ["y"], "softmax"),
    ]
    return make_model(_graph("opset_old_9", nodes, [1, 3, 6, 6], [1, 3], inits), 9)


def opset_old_10():
    _, helper, nph, TP = _h()
    n = helper.make_node
    inits = [
        nph.from_array(np.array([1, 1, 2, 2], np.float32), "resize1_scales"),
        nph.from_array(np.array([1, 1, 1.5, 1.5], np.float32), "resize2_scales"),
        nph.from_array(np.array([1, -6], np.int64), "slice_starts"),
        nph.from_array(np.array([6, 1 << 40], np.int64), "slice_ends"),
        nph.from_array(np.array([2, 3], np.int64), "slice_axes"),
        nph.from_array(np.array([1, 2], np.int64), "slice_steps"),
    ]
    nodes = [
        n("Resize", ["x", "resize1_scales"], ["r1"], "resize_nearest", mode="nearest"),
        n("Resize", ["r1", "resize2_scales"], ["r2"], "resize_linear", mode="linear"),
        n("MaxPool", ["r2"], ["pool"], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
          ceil_mode=1),
        n("Slice", ["pool", "slice_starts", "slice_ends", "slice_axes", "slice_steps"],
          ["slice"], "slice"),
        n("Clip", ["slice"], ["clip"], "clip", min=-0.5, max=0.5),
        n("Pad", ["clip"], ["pad"], "pad", pads=[0, 0, 1, 0, 0, 0, 0, 1], mode="edge"),
        n("Split", ["pad"], ["a", "b"], "split", axis=1, split=[1, 1]),
        n("Mul", ["a", "b"], ["prod"], "mul"),
        n("Squeeze", ["prod"], ["sq"], "squeeze", axes=[1]),
        n("Unsqueeze", ["sq"], ["unsq"], "unsqueeze", axes=[3]),
        n("ReduceMean", ["unsq"], ["y"], "reduce_mean", axes=[1], keepdims=1),
    ]
    return make_model(_graph("opset_old_10", nodes, [1, 2, 5, 5], [1, 1, 4, 1], inits), 10)


def opset_old_11():
    _, helper, nph, TP = _h()
    n = helper.make_node
    inits = [
        nph.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"),
        nph.from_array(np.array(0.01, np.float32), "pad_value"),
        nph.from_array(np.array(0.025, np.float32), "clip_max"),
        nph.from_array(np.zeros([0], np.float32), "resize_roi"),
        nph.from_array(np.zeros([0], np.float32), "resize_scales"),
        nph.from_array(np.array([1, 3, 9, 9], np.int64), "resize_sizes"),
    ]
    nodes = [
        n("Softmax", ["x"], ["sm"], "softmax_4d", axis=1),
        n("Pad", ["sm", "pads", "pad_value"], ["pad"], "pad", mode="constant"),
        n("Clip", ["pad", "", "clip_max"], ["clip"], "clip_max_only"),
        n("Resize", ["clip", "resize_roi", "resize_scales", "resize_sizes"], ["resize"],
          "resize", mode="linear", coordinate_transformation_mode="align_corners"),
        n("Split", ["resize"], ["a", "b"], "split", axis=-1, split=[4, 5]),
        n("ReduceMean", ["b"], ["b_mean"], "reduce_mean", axes=[-1], keepdims=1),
        n("Add", ["a", "b_mean"], ["sum"], "add"),
        n("Unsqueeze", ["sum"], ["unsq"], "unsqueeze", axes=[-1]),
        n("Squeeze", ["unsq"], ["sq"], "squeeze", axes=[-1]),
        n("Softmax", ["sq"], ["y"], "softmax"),
    ]
    return make_model(_graph("opset_old_11", nodes, [1, 3, 4, 4], [1, 3, 9, 4], inits), 11)


def not_protobuf_bytes():
    rng = np.random.RandomState(0)
    head = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + bytes(range(13))
    return head + rng.randint(0, 256, size=1000).astype(np.uint8).tobytes()


def _refused(data):
    """True if protobuf refuses the bytes as a ModelProto. Python's binding only warns
    where C++ ParseFromString (what mlc and ONNX Runtime use) returns false, e.g. at a
    stray end-group or zero tag: warnings count as refusals."""
    import warnings
    import onnx
    from google.protobuf.message import DecodeError
    m = onnx.ModelProto()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            m.ParseFromString(data)
        except (DecodeError, RuntimeWarning, SystemError):
            return True
    return False


def make_import_inputs(root):
    onnx, _, _, _ = _h()
    out_dir = os.path.join(root, INPUTS_DIR)
    os.makedirs(out_dir, exist_ok=True)
    written = []

    def put(name, model):
        path = os.path.join(out_dir, name)
        save_checked(model, path)
        written.append(path)

    put("qdq_conv.onnx", qdq_conv())
    put("custom_op.onnx", custom_op())
    for opset, make in ((7, opset_old_7), (9, opset_old_9), (10, opset_old_10),
                        (11, opset_old_11)):
        put("opset_old_%d.onnx" % opset, make())

    # External data: both files are fixtures.
    path = os.path.join(out_dir, "external_data.onnx")
    write_external_data(small_conv_net(), path, "external_data.bin")
    written += [path, os.path.join(out_dir, "external_data.bin")]

    # Invalid files: check that protobuf really refuses them.
    full = small_conv_net().SerializeToString()
    truncated = full[:len(full) // 2]
    assert _refused(truncated), "truncated.onnx still parses"
    path = os.path.join(out_dir, "truncated.onnx")
    with open(path, "wb") as f:
        f.write(truncated)
    written.append(path)

    junk = not_protobuf_bytes()
    assert _refused(junk), "not_protobuf.onnx parses as a ModelProto"
    path = os.path.join(out_dir, "not_protobuf.onnx")
    with open(path, "wb") as f:
        f.write(junk)
    written.append(path)
    return written


# ----------------------------------------------------------------------------------------
# examples/models/custom_ops_*: custom layers (com.example Swish and L2Pool, which the plugin
# in examples/plugins implements), hand-made with onnx.helper

CUSTOM_SIZES = (64, 96)
CUSTOM_WEIGHTS = "custom_ops_weights.npz"


def custom_ops_weights():
    """The network's initializers by name, from numpy RandomState(7): He-like conv
    weights, small biases, L2Pool's per-channel weight in [0.5, 1.5)."""
    rng = np.random.RandomState(7)
    w = {}
    w["conv1.weight"] = f32(rng, 8, 3, 3, 3, scale=np.sqrt(2.0 / 27))
    w["conv1.bias"] = f32(rng, 8, scale=0.1)
    w["conv2.weight"] = f32(rng, 8, 8, 3, 3, scale=np.sqrt(2.0 / 72))
    w["conv2.bias"] = f32(rng, 8, scale=0.1)
    w["pool.weight"] = rng.uniform(0.5, 1.5, 8).astype(np.float32)
    w["conv3.weight"] = f32(rng, 4, 8, 1, 1, scale=np.sqrt(2.0 / 8))
    w["conv3.bias"] = f32(rng, 4, scale=0.1)
    return w


def custom_ops_model(size, weights):
    _, helper, nph, TP = _h()
    s, h = size, size // 2
    nodes = [
        helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"], ["c1"], "/conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Swish", ["c1"], ["sw"], "/swish", domain="com.example",
                         beta=1.5, mlc_shape_rule="same"),
        helper.make_node("Conv", ["sw", "conv2.weight", "conv2.bias"], ["c2"], "/conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("L2Pool", ["c2", "pool.weight"], ["pool"], "/l2pool",
                         domain="com.example", kernel=2,
                         mlc_shape_rule="divide_spatial:2"),
        helper.make_node("Conv", ["pool", "conv3.weight", "conv3.bias"], ["features"],
                         "/conv3", kernel_shape=[1, 1]),
    ]
    graph = helper.make_graph(
        nodes, "custom_ops",
        [helper.make_tensor_value_info("image", TP.FLOAT, [1, 3, s, s])],
        [helper.make_tensor_value_info("features", TP.FLOAT, [1, 4, h, h])],
        [nph.from_array(v, k) for k, v in weights.items()],
        value_info=[helper.make_tensor_value_info("sw", TP.FLOAT, [1, 8, s, s]),
                    helper.make_tensor_value_info("pool", TP.FLOAT, [1, 8, h, h])])
    return make_model(graph, 13, extra_opsets=[("com.example", 1)])


def save_npz_deterministic(path, arrays):
    """np.savez, but with fixed zip timestamps (np.savez stamps the current time)."""
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, buf.getvalue())


def make_custom_models(root):
    out_dir = os.path.join(root, MODELS_DIR)
    os.makedirs(out_dir, exist_ok=True)
    weights = custom_ops_weights()
    written = []
    for size in CUSTOM_SIZES:
        path = os.path.join(out_dir, "custom_ops_%d.onnx" % size)
        save_checked(custom_ops_model(size, weights), path)
        written.append(path)
    path = os.path.join(out_dir, CUSTOM_WEIGHTS)
    save_npz_deterministic(path, weights)
    written.append(path)
    return written


# ----------------------------------------------------------------------------------------
# test/Analysis/Inputs: fixtures of `mlc check-flexible` (see the header for each one)

ANALYSIS_DIR = os.path.join("test", "Analysis", "Inputs")
MAX_ANALYSIS_BYTES = 200 * 1024


def _seq(nn, *layers):
    """nn.Sequential of named layers, so that the ONNX node names read like the layers
    (/fc/Gemm, /flat/Flatten) rather than /7/Gemm."""
    import collections
    return nn.Sequential(collections.OrderedDict(layers))


def _conv_relu(nn, name, cin, cout, stride=1, dilation=1):
    """(name, 3x3 conv with 'same' padding), (name_relu, ReLU)"""
    return [(name, nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation)),
            (name + "_relu", nn.ReLU())]


def flex_fcn(torch, flexible):
    import torch.nn as nn
    import torch.nn.functional as F

    class Fcn(nn.Module):
        def __init__(self, classes=21):
            super().__init__()
            self.backbone = _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                                 *_conv_relu(nn, "conv2", 8, 16, stride=2),
                                 *_conv_relu(nn, "conv3", 16, 16, stride=2),
                                 *_conv_relu(nn, "conv4", 16, 16, dilation=2))
            self.classifier = nn.Conv2d(16, classes, 1)

        def forward(self, x):
            y = self.classifier(self.backbone(x))
            return F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)

    return Fcn()


def flex_unet(torch, flexible):
    import torch.nn as nn

    class UNet(nn.Module):
        """Six levels (full size, then 1/2 .. 1/32 after five MaxPool(2)); the decoder goes
        back up by 2 per level (nearest Upsample at levels 4 and 1, ConvTranspose(k=2, s=2)
        elsewhere) and concatenates each encoder level's output as the skip."""

        def __init__(self, widths=(4, 8, 8, 16, 16, 16), classes=2):
            super().__init__()
            self.enc = nn.ModuleList()
            cin = 3
            for w in widths:
                self.enc.append(nn.Conv2d(cin, w, 3, padding=1))
                cin = w
            self.pool = nn.MaxPool2d(2)
            self.up = nn.ModuleList()
            self.dec = nn.ModuleList()
            for i in range(len(widths) - 1):
                below = widths[i + 1]
                if i in (1, 4):
                    self.up.append(nn.Upsample(scale_factor=2, mode="nearest"))
                else:
                    self.up.append(nn.ConvTranspose2d(below, below, 2, stride=2))
                self.dec.append(nn.Conv2d(below + widths[i], widths[i], 3, padding=1))
            self.head = nn.Conv2d(widths[0], classes, 1)

        def forward(self, x):
            skips = []
            for i, enc in enumerate(self.enc):
                if i:
                    x = self.pool(x)
                x = torch.relu(enc(x))
                skips.append(x)
            for i in reversed(range(len(self.dec))):
                x = torch.relu(self.dec[i](torch.cat([self.up[i](x), skips[i]], 1)))
            return self.head(x)

    return UNet()


def flex_classifier_gap(torch, flexible):
    import torch.nn as nn
    return _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                *_conv_relu(nn, "conv2", 8, 16, stride=2), *_conv_relu(nn, "conv3", 16, 16),
                ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()),
                ("fc", nn.Linear(16, 1000)))


def flex_classifier_flatten(torch, flexible):
    import torch.nn as nn
    return _seq(nn, *_conv_relu(nn, "conv1", 3, 12, stride=2),
                *_conv_relu(nn, "conv2", 12, 12, stride=2),
                *_conv_relu(nn, "conv3", 12, 12, stride=2),
                ("flat", nn.Flatten()), ("fc", nn.Linear(12 * 8 * 8, 10)))


def _resize_net(torch, size_of):
    """Two stride-2 convs (1/4 of the input), a bilinear resize to size_of(x), a 1x1 conv."""
    import torch.nn as nn
    import torch.nn.functional as F

    class ResizeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                                 *_conv_relu(nn, "conv2", 8, 8, stride=2))
            self.head = nn.Conv2d(8, 4, 1)

        def forward(self, x):
            y = F.interpolate(self.features(x), size=size_of(x), mode="bilinear",
                              align_corners=False)
            return self.head(y)

    return ResizeNet()


def flex_resize_const(torch, flexible):
    # The fixed-size source has the literal (56, 56); the flexible one computes half the
    # input size. torch exports both identically at 112x112 (checked in make_analysis_inputs).
    if flexible:
        return _resize_net(torch, lambda x: (x.shape[-2] // 2, x.shape[-1] // 2))
    return _resize_net(torch, lambda x: (56, 56))


def flex_resize_const20(torch, flexible):
    return _resize_net(torch, lambda x: (20, 20))


def flex_reshape_baked(torch, flexible):
    import torch.nn as nn

    class ReshapeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = _seq(nn, *_conv_relu(nn, "conv1", 3, 6, stride=2),
                                 ("conv2", nn.Conv2d(6, 6, 3, stride=2, padding=1)))
            self.proj = nn.Conv1d(6, 4, 1)

        def forward(self, x):
            y = self.features(x)
            # The literal is what the fixed-size source says; flatten(2) computes it (as
            # Shape/Slice/Concat with -1, even in a fixed-size export).
            y = y.flatten(2) if flexible else y.view(1, 6, 96)
            return torch.softmax(self.proj(y), dim=-1)

    return ReshapeNet()


def flex_channel_shuffle(torch, flexible):
    import torch.nn as nn

    class ShuffleNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2))
            self.mix = nn.Conv2d(8, 8, 1)

        def shuffle(self, x):
            # torchvision's channel_shuffle; the fixed-size source is what torch's trace of
            # x.size() leaves in a fixed-size export.
            h, w = (x.size(2), x.size(3)) if flexible else (16, 24)
            x = x.view(1, 2, 4, h, w).transpose(1, 2).contiguous()
            return x.view(1, -1, h, w)

        def forward(self, x):
            return self.shuffle(self.mix(self.shuffle(self.stem(x))))

    return ShuffleNet()


def flex_dynamic_dims(torch, flexible):
    import torch.nn as nn
    return _seq(nn, *_conv_relu(nn, "conv1", 3, 8), *_conv_relu(nn, "conv2", 8, 8, stride=2),
                ("up", nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)))


def flex_depth_to_space_sr(torch, flexible):
    import torch.nn as nn
    return _seq(nn, ("conv1", nn.Conv2d(3, 16, 5, padding=2)), ("tanh1", nn.Tanh()),
                ("conv2", nn.Conv2d(16, 8, 3, padding=1)), ("tanh2", nn.Tanh()),
                ("conv3", nn.Conv2d(8, 3 * 3 * 3, 3, padding=1)),
                ("pixel_shuffle", nn.PixelShuffle(3)))


# net: (builder, output name, output dims made dynamic in the dynamic export)
ANALYSIS_NETS = {
    "fcn": (flex_fcn, "out", {2: "height", 3: "width"}),
    "unet": (flex_unet, "out", {2: "height", 3: "width"}),
    "classifier_gap": (flex_classifier_gap, "logits", {}),
    "classifier_flatten": (flex_classifier_flatten, "logits", {}),
    "resize_const": (flex_resize_const, "out", {2: "out_height", 3: "out_width"}),
    "resize_const20": (flex_resize_const20, "out", {}),
    "reshape_baked": (flex_reshape_baked, "out", {2: "out_length"}),
    "channel_shuffle": (flex_channel_shuffle, "out", {2: "out_height", 3: "out_width"}),
    "dynamic_dims": (flex_dynamic_dims, "out", {0: "batch", 2: "out_height", 3: "out_width"}),
    "depth_to_space_sr": (flex_depth_to_space_sr, "out", {2: "out_height", 3: "out_width"}),
}

# (file stem, net, traced input (H, W), input dims made dynamic). The dynamic exports come
# from the net written size-independently (flexible=True); the static ones from the
# fixed-size source.
DYN_HW = {2: "height", 3: "width"}
DYN_NHW = {0: "batch", 2: "height", 3: "width"}
ANALYSIS_EXPORTS = [
    ("fcn_static", "fcn", (64, 64), None),
    ("fcn_dynamic", "fcn", (64, 64), DYN_HW),
    ("unet_static", "unet", (64, 64), None),
    ("unet_dynamic", "unet", (64, 64), DYN_HW),
    ("classifier_gap_static", "classifier_gap", (64, 64), None),
    ("classifier_gap_dynamic", "classifier_gap", (64, 64), DYN_HW),
    ("classifier_flatten_static", "classifier_flatten", (64, 64), None),
    ("resize_const_static", "resize_const", (112, 112), None),
    ("resize_const_dynamic", "resize_const", (112, 112), DYN_HW),
    ("resize_const20_static", "resize_const20", (64, 64), None),
    ("resize_const20_dynamic", "resize_const20", (64, 64), DYN_HW),
    ("reshape_baked_static", "reshape_baked", (32, 48), None),
    ("reshape_baked_dynamic", "reshape_baked", (32, 48), DYN_HW),
    ("channel_shuffle_static", "channel_shuffle", (32, 48), None),
    ("channel_shuffle_dynamic", "channel_shuffle", (32, 48), DYN_HW),
    ("dynamic_dims_dynamic", "dynamic_dims", (32, 32), DYN_NHW),
    ("depth_to_space_sr_static", "depth_to_space_sr", (32, 32), None),
    ("depth_to_space_sr_dynamic", "depth_to_space_sr", (32, 32), DYN_HW),
]

# What ONNX Runtime must do with each file (make_fixtures.py --verify checks it, and that
# the numbers equal torch's): input NxCxHxW -> output dims, or None: ORT must refuse to run.
ANALYSIS_RUNS = {
    "fcn_static": [((1, 3, 64, 64), (1, 21, 64, 64))],
    "fcn_dynamic": [((1, 3, 96, 128), (1, 21, 96, 128)), ((1, 3, 75, 50), (1, 21, 75, 50))],
    "unet_static": [((1, 3, 64, 64), (1, 2, 64, 64))],
    "unet_dynamic": [((1, 3, 96, 96), (1, 2, 96, 96)), ((1, 3, 128, 64), (1, 2, 128, 64)),
                     ((1, 3, 32, 32), (1, 2, 32, 32)),
                     ((1, 3, 80, 64), None), ((1, 3, 64, 48), None), ((1, 3, 16, 16), None)],
    "classifier_gap_static": [((1, 3, 64, 64), (1, 1000))],
    "classifier_gap_dynamic": [((1, 3, 96, 128), (1, 1000)), ((1, 3, 33, 17), (1, 1000)),
                               ((1, 3, 1, 1), (1, 1000))],
    "classifier_flatten_static": [((1, 3, 64, 64), (1, 10))],
    "resize_const_static": [((1, 3, 112, 112), (1, 4, 56, 56))],
    "resize_const_dynamic": [((1, 3, 96, 128), (1, 4, 48, 64)), ((1, 3, 100, 60), (1, 4, 50, 30)),
                             ((1, 3, 75, 50), (1, 4, 37, 25))],
    "resize_const20_static": [((1, 3, 64, 64), (1, 4, 20, 20))],
    "resize_const20_dynamic": [((1, 3, 96, 128), (1, 4, 20, 20)), ((1, 3, 40, 72), (1, 4, 20, 20))],
    "reshape_baked_static": [((1, 3, 32, 48), (1, 4, 96))],
    "reshape_baked_dynamic": [((1, 3, 64, 40), (1, 4, 160)), ((1, 3, 30, 50), (1, 4, 104))],
    "channel_shuffle_static": [((1, 3, 32, 48), (1, 8, 16, 24))],
    "channel_shuffle_dynamic": [((1, 3, 64, 40), (1, 8, 32, 20)), ((1, 3, 31, 17), (1, 8, 16, 9))],
    "dynamic_dims_dynamic": [((1, 3, 32, 32), (1, 4, 32, 32)), ((2, 3, 48, 40), (2, 4, 48, 40)),
                             ((1, 3, 33, 17), (1, 4, 34, 18))],
    "depth_to_space_sr_static": [((1, 3, 32, 32), (1, 3, 96, 96))],
    "depth_to_space_sr_dynamic": [((1, 3, 48, 40), (1, 3, 144, 120)),
                                  ((1, 3, 17, 23), (1, 3, 51, 69))],
}

# Re-exports made only to check a claim in ORT (written to a temporary folder, not
# committed): classifier_flatten with dynamic H and W runs where ceil(H/8)*ceil(W/8) == 64
# (Gemm's K = 12*64) and nowhere else.
ANALYSIS_PROBES = [
    ("classifier_flatten", (64, 64), DYN_HW,
     [((1, 3, 60, 57), (1, 10)), ((1, 3, 32, 128), (1, 10)), ((1, 3, 96, 96), None),
      ((1, 3, 64, 65), None)]),
]


def build_analysis_net(name, flexible):
    torch = _torch()
    torch.manual_seed(0)
    make, out_name, out_axes = ANALYSIS_NETS[name]
    net = make(torch, flexible)
    net.eval()
    return net, out_name, out_axes


def export_analysis(name, hw, in_axes, path):
    """torch.onnx.export at opset 13, eval mode, input "image" [1,3,H,W]; in_axes (a dict
    dim -> dim_param) makes input dims dynamic, and the net's listed output dims too."""
    net, out_name, out_axes = build_analysis_net(name, flexible=in_axes is not None)
    dynamic_axes = None
    if in_axes:
        dynamic_axes = {"image": dict(in_axes)}
        if out_axes:
            dynamic_axes[out_name] = dict(out_axes)
    return export_checked(net, [(1, 3, hw[0], hw[1])], out_name, path,
                          dynamic_axes=dynamic_axes)


def _graph_bytes(model):
    g = type(model.graph)()
    g.CopyFrom(model.graph)
    return g.SerializeToString()


def make_analysis_inputs(root):
    out_dir = os.path.join(root, ANALYSIS_DIR)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    models = {}
    for stem, name, hw, in_axes in ANALYSIS_EXPORTS:
        path = os.path.join(out_dir, stem + ".onnx")
        models[stem] = export_analysis(name, hw, in_axes, path)
        written.append(path)
    # The static and dynamic exports of one net hold the same weights.
    by_net = {}
    for stem, name, _, _ in ANALYSIS_EXPORTS:
        inits = sorted((t.name, t.SerializeToString()) for t in models[stem].graph.initializer)
        if name in by_net and by_net[name][1] != inits:
            raise AssertionError("%s.onnx: weights differ from %s.onnx" % (stem, by_net[name][0]))
        by_net.setdefault(name, (stem, inits))
    # The header says that the literal (56, 56) and x.shape[-2:] // 2 export the same graph
    # at 112x112 (torch folds the size arithmetic): check it.
    net, out_name, _ = build_analysis_net("resize_const", flexible=True)
    flexible_static = export_checked(net, [(1, 3, 112, 112)], out_name)
    if _graph_bytes(flexible_static) != _graph_bytes(models["resize_const_static"]):
        raise AssertionError("resize_const: the x.shape // 2 source no longer exports like "
                             "the literal (56, 56) at 112x112")
    return written


def _run_expecting(oc, net, path, shape, want, work):
    """Runs path in ONNX Runtime at shape (on the sin pattern) where want is the output's
    dims (its numbers must be net's, torch's, at 1e-4) or None (ORT must refuse it).
    Returns (good, reason, got, r): reason is ORT's (on one line) when it refused, else
    None, got the output and r torch_exports.against_torch's result (None where ORT had
    to refuse)."""
    try:
        outs, _ = oc.run_model(path, os.path.join(work, "out"), shape=list(shape))
    except oc.OrtError as e:
        return want is None, " ".join(str(e).split("Status Message: ")[-1].split()), None, None
    got = list(outs.values())[0]
    if want is None:
        return False, None, got, None
    r = te.against_torch(net, [oc.sin_pattern(list(shape))], got)
    return tuple(got.shape) == tuple(want) and r["ok"], None, got, r


def verify_analysis(root):
    """Runs each test/Analysis/Inputs model in ONNX Runtime at the sizes of ANALYSIS_RUNS
    (and the probes): the output dims must be the listed ones, the numbers torch's, and the
    sizes listed as failing must fail. Returns True if all is well."""
    import ort_compare as oc
    ok = True
    work = tempfile.mkdtemp(prefix="mlc-fixtures-verify-analysis.")

    def check(label, path, name, flexible, runs):
        nonlocal ok
        net, _, _ = build_analysis_net(name, flexible)
        for shape, want in runs:
            tag = "%-34s %-13s" % (label, oc.format_dims(shape))
            good, reason, got, r = _run_expecting(oc, net, path, shape, want, work)
            ok &= good
            if reason is not None and want is None:
                print("  %s fails, as it must: %s" % (tag, reason[:110]))
            elif reason is not None:
                print("  %s FAILS in ORT (expected %s): %s"
                      % (tag, oc.format_dims(want), reason[:110]))
            elif r is None:
                print("  %s RUNS (%s) but must fail" % (tag, oc.format_dims(got.shape)))
            else:
                print("  %s -> %-14s torch vs ORT ratio %.2g  %s"
                      % (tag, oc.format_dims(got.shape), r["ratio"],
                         "ok" if good else "MISMATCH (expected %s) %s"
                         % (oc.format_dims(want), r["note"])))

    try:
        for stem, name, _, in_axes in ANALYSIS_EXPORTS:
            check(stem + ".onnx", os.path.join(root, ANALYSIS_DIR, stem + ".onnx"), name,
                  in_axes is not None, ANALYSIS_RUNS[stem])
        for name, hw, in_axes, runs in ANALYSIS_PROBES:
            path = os.path.join(work, name + "_probe.onnx")
            export_analysis(name, hw, in_axes, path)
            check("(probe) %s dynamic" % name, path, name, True, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ok


# ----------------------------------------------------------------------------------------
# test/Merge/Inputs: per-size exports of one network, for `mlc merge` (see the header)

MERGE_DIR = os.path.join("test", "Merge", "Inputs")
MAX_MERGE_BYTES = 150 * 1024


def merge_nhwc(torch):
    """The FCN of flex_fcn taking a channels-last (NHWC) image, as TensorFlow and Keras
    models do: a Transpose to NCHW first."""
    fcn = flex_fcn(torch, False)

    class ChannelsLast(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = fcn

        def forward(self, x):
            return self.net(x.permute(0, 3, 1, 2))

    return ChannelsLast()


def merge_unet(torch):
    import torch.nn as nn
    import torch.nn.functional as F

    class UNet(nn.Module):
        """Three levels below the full size (MaxPool(2) x3 to 1/8), a spatial-attention
        block at the bottom (1x1 conv -> view(n, 1, h*w) -> softmax -> view(n, 1, h, w)),
        and a decoder that goes up by 2 per level and concatenates the encoder's skip:
        F.interpolate to twice its input's size (nearest at 1/8 -> 1/4, bilinear at 1/2 ->
        1), ConvTranspose(k=2, s=2) at 1/4 -> 1/2."""

        def __init__(self, widths=(8, 16, 16, 24), classes=2):
            super().__init__()
            w0, w1, w2, w3 = widths
            self.enc0 = nn.Conv2d(3, w0, 3, padding=1)
            self.enc1 = nn.Conv2d(w0, w1, 3, padding=1)
            self.enc2 = nn.Conv2d(w1, w2, 3, padding=1)
            self.enc3 = nn.Conv2d(w2, w3, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.attn = nn.Conv2d(w3, 1, 1)
            self.dec2 = nn.Conv2d(w3 + w2, w2, 3, padding=1)
            self.up1 = nn.ConvTranspose2d(w2, w2, 2, stride=2)
            self.dec1 = nn.Conv2d(w2 + w1, w1, 3, padding=1)
            self.dec0 = nn.Conv2d(w1 + w0, w0, 3, padding=1)
            self.head = nn.Conv2d(w0, classes, 1)

        def forward(self, x):
            e0 = torch.relu(self.enc0(x))
            e1 = torch.relu(self.enc1(self.pool(e0)))
            e2 = torch.relu(self.enc2(self.pool(e1)))
            b = torch.relu(self.enc3(self.pool(e2)))
            n, _, h, w = b.shape
            a = torch.softmax(self.attn(b).view(n, 1, h * w), dim=-1).view(n, 1, h, w)
            b = b + b * a
            d = F.interpolate(b, size=(2 * h, 2 * w), mode="nearest")
            d = torch.relu(self.dec2(torch.cat([d, e2], 1)))
            d = torch.relu(self.dec1(torch.cat([self.up1(d), e1], 1)))
            d = F.interpolate(d, size=(2 * d.shape[-2], 2 * d.shape[-1]), mode="bilinear",
                              align_corners=False)
            d = torch.relu(self.dec0(torch.cat([d, e0], 1)))
            return self.head(d)

    return UNet()


def merge_classifier_deeper(torch):
    """flex_classifier_gap with one more 3x3 conv (16->16) after conv3: conv1..conv3 get
    the classifier's weights (same seed, same order), fc does not."""
    import torch.nn as nn
    return _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                *_conv_relu(nn, "conv2", 8, 16, stride=2), *_conv_relu(nn, "conv3", 16, 16),
                *_conv_relu(nn, "conv4", 16, 16),
                ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()),
                ("fc", nn.Linear(16, 1000)))


def merge_two_inputs(torch):
    import torch.nn as nn

    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                                 *_conv_relu(nn, "conv2", 8, 16, stride=2))
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(16, 10)

        def forward(self, image, mask):
            return self.fc(torch.flatten(self.pool(self.features(image * mask)), 1))

    return TwoInputs()


def merge_adaptive(torch):
    import torch.nn as nn
    return _seq(nn, *_conv_relu(nn, "conv1", 3, 8, stride=2),
                *_conv_relu(nn, "conv2", 8, 8, stride=2),
                ("pool", nn.AdaptiveAvgPool2d((2, 2))), ("flat", nn.Flatten()),
                ("fc", nn.Linear(8 * 2 * 2, 10)))


# net: (builder, input channels per input, output name)
MERGE_NETS = {
    "unet": (merge_unet, (3,), "out"),
    "fcn": (lambda torch: flex_fcn(torch, False), (3,), "out"),
    "fcn_nhwc": (merge_nhwc, (3,), "out"),
    "classifier": (lambda torch: flex_classifier_gap(torch, False), (3,), "logits"),
    "classifier_deeper": (merge_classifier_deeper, (3,), "logits"),
    "two_inputs": (merge_two_inputs, (3, 1), "logits"),
    "adaptive": (merge_adaptive, (3,), "logits"),
}

# (file stem, net, torch seed, input (H, W), input names)
MERGE_EXPORTS = [
    ("unet_64", "unet", 0, (64, 64), ("image",)),
    ("unet_96", "unet", 0, (96, 96), ("image",)),
    ("unet_128", "unet", 0, (128, 128), ("image",)),
    ("unet_112", "unet", 0, (112, 112), ("image",)),
    ("fcn_64", "fcn", 0, (64, 64), ("image",)),
    ("fcn_96", "fcn", 0, (96, 96), ("image",)),
    ("fcn_80", "fcn", 0, (80, 80), ("image",)),
    ("hw_64x96", "fcn", 0, (64, 96), ("image",)),
    ("hw_96x128", "fcn", 0, (96, 128), ("image",)),
    ("classifier_64", "classifier", 0, (64, 64), ("image",)),
    ("classifier_96", "classifier", 0, (96, 96), ("image",)),
    ("other_net_64", "classifier_deeper", 0, (64, 64), ("image",)),
    ("other_weights_64", "classifier", 1, (64, 64), ("image",)),
    ("renamed_input_96", "classifier", 0, (96, 96), ("input",)),
    ("two_inputs_64", "two_inputs", 0, (64, 64), ("image", "mask")),
    ("adaptive_64", "adaptive", 0, (64, 64), ("image",)),
    ("adaptive_96", "adaptive", 0, (96, 96), ("image",)),
    ("nhwc_64", "fcn_nhwc", 0, (64, 64), ("image",)),
    ("nhwc_96", "fcn_nhwc", 0, (96, 96), ("image",)),
]
# Exported with dynamic H and W (same tuple).
MERGE_DYNAMIC_EXPORTS = [
    ("fcn_dynamic", "fcn", 0, (64, 64), ("image",)),
]

# What differs between two files (diff_models' keys; the header says the values). Checked
# on every run, so that the header stays true: "input image" / "output out" are the graph
# input's / output's dims, "node NAME ATTR" an attribute of the node NAME (for a Constant:
# its value), "initializer NAME" an initializer's bytes, "inputs" the graph inputs' names
# or count, "nodes" the node list (ops or names, first difference only).
_UNET_CONSTS = ["node /Constant value", "node /Constant_1 value", "node /Constant_5 value",
                "node /Constant_9 value"]
MERGE_DIFFS = [
    ("unet_64", "unet_96", ["input image", "output out"] + _UNET_CONSTS),
    ("unet_64", "unet_128", ["input image", "output out"] + _UNET_CONSTS),
    ("unet_64", "unet_112", ["input image", "output out"] + _UNET_CONSTS),
    ("fcn_64", "fcn_96", ["input image", "output out", "node /Constant_3 value"]),
    ("fcn_64", "fcn_80", ["input image", "output out", "node /Constant_3 value"]),
    ("hw_64x96", "hw_96x128", ["input image", "output out", "node /Constant_3 value"]),
    ("classifier_64", "classifier_96", ["input image"]),
    ("other_net_64", "classifier_96", ["input image", "nodes", "initializer fc.weight",
                                       "initializer fc.bias", "initializer conv4.weight",
                                       "initializer conv4.bias"]),
    ("other_weights_64", "classifier_96", ["input image"] + [
        "initializer %s.%s" % (layer, kind) for layer in ("conv1", "conv2", "conv3", "fc")
        for kind in ("weight", "bias")]),
    ("classifier_96", "renamed_input_96", ["inputs", "node /conv1/Conv input"]),
    ("two_inputs_64", "classifier_96", ["inputs", "input image", "output logits", "nodes"] + [
        "initializer %s.%s" % (layer, kind) for layer in ("features.conv1", "features.conv2",
                                                          "fc", "conv1", "conv2", "conv3")
        for kind in ("weight", "bias")]),
    ("adaptive_64", "adaptive_96", ["input image", "node /pool/AveragePool kernel_shape",
                                    "node /pool/AveragePool strides"]),
    ("nhwc_64", "nhwc_96", ["input image", "output out", "node /net/Constant_3 value"]),
]

# Sizes at which a dynamic re-export (not committed) of the UNet runs in ONNX Runtime, or
# must fail (None): the header's constraint H % 8 == 0, W % 8 == 0.
MERGE_UNET_PROBES = [((1, 3, 72, 80), (1, 2, 72, 80)), ((1, 3, 136, 64), (1, 2, 136, 64)),
                     ((1, 3, 68, 64), None), ((1, 3, 64, 60), None), ((1, 3, 66, 64), None)]


def build_merge_net(name, seed):
    torch = _torch()
    torch.manual_seed(seed)
    make, channels, out_name = MERGE_NETS[name]
    net = make(torch)
    net.eval()
    return net, channels, out_name


# Nets of MERGE_NETS whose inputs are channels-last (NHWC).
CHANNELS_LAST = ("fcn_nhwc",)


def merge_input_shapes(name, channels, hw):
    if name in CHANNELS_LAST:
        return [(1, hw[0], hw[1], c) for c in channels]
    return [(1, c, hw[0], hw[1]) for c in channels]


def export_merge(name, seed, hw, input_names, path, dynamic=False):
    """torch.onnx.export at opset 13, eval mode, one [1, C, H, W] input per name; dynamic
    makes dims 2 and 3 of every input "height", "width" (MERGE_DYNAMIC_EXPORTS, probes)."""
    net, channels, out_name = build_merge_net(name, seed)
    dynamic_axes = {n: {2: "height", 3: "width"} for n in input_names} if dynamic else None
    return export_checked(net, merge_input_shapes(name, channels, hw), out_name, path,
                          input_names=input_names, dynamic_axes=dynamic_axes)


def _value_dims(value):
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in value.type.tensor_type.shape.dim]


def _short(values, limit=8):
    values = list(values)
    text = ", ".join(str(v) for v in values[:limit])
    return "[%s%s]" % (text, ", ..." if len(values) > limit else "")


def _attr_text(attr):
    from onnx import helper, numpy_helper
    value = helper.get_attribute_value(attr)
    if attr.type == attr.TENSOR:
        a = numpy_helper.to_array(value)
        return "%s %s" % (a.dtype, _short(a.reshape(-1).tolist()) if a.ndim else a.item())
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def diff_models(a, b):
    """What differs between the graphs of two ONNX models, as [(key, text)] in graph order:
    graph inputs and outputs (names, dims), value_info, nodes (op and name sequence; for
    each matched node its inputs, outputs and attributes), initializers (by name and
    bytes). The keys are listed in MERGE_DIFFS."""
    diffs = []
    for kind, la, lb in (("input", a.graph.input, b.graph.input),
                         ("output", a.graph.output, b.graph.output)):
        na, nb = [v.name for v in la], [v.name for v in lb]
        if na != nb:
            diffs.append((kind + "s", "%s names %s vs %s" % (kind, na, nb)))
        for va in la:
            vb = next((v for v in lb if v.name == va.name), None)
            if vb is not None and va.type != vb.type:
                diffs.append(("%s %s" % (kind, va.name), "%s vs %s" % (
                    "x".join(map(str, _value_dims(va))), "x".join(map(str, _value_dims(vb))))))
    via = {v.name: v for v in a.graph.value_info}
    vib = {v.name: v for v in b.graph.value_info}
    for name in sorted(set(via) | set(vib)):
        if via.get(name) != vib.get(name):
            diffs.append(("value_info " + name, "differs"))
    for i, (x, y) in enumerate(zip(a.graph.node, b.graph.node)):
        if (x.op_type, x.name) != (y.op_type, y.name):
            diffs.append(("nodes", "node %d: %s %s vs %s %s" % (i, x.op_type, x.name,
                                                                y.op_type, y.name)))
            break
        for what, ea, eb in (("input", x.input, y.input), ("output", x.output, y.output)):
            if list(ea) != list(eb):
                diffs.append(("node %s %s" % (x.name, what), "%s vs %s" % (list(ea), list(eb))))
        aa = {t.name: t for t in x.attribute}
        ab = {t.name: t for t in y.attribute}
        for name in sorted(set(aa) | set(ab)):
            if aa.get(name) != ab.get(name):
                diffs.append(("node %s %s" % (x.name, name), "%s: %s vs %s" % (
                    x.op_type, _attr_text(aa[name]) if name in aa else "-",
                    _attr_text(ab[name]) if name in ab else "-")))
    else:
        if len(a.graph.node) != len(b.graph.node):
            diffs.append(("nodes", "%d nodes vs %d" % (len(a.graph.node), len(b.graph.node))))
    ia = {t.name: t.SerializeToString() for t in a.graph.initializer}
    ib = {t.name: t.SerializeToString() for t in b.graph.initializer}
    for name in list(ia) + [n for n in ib if n not in ia]:
        if ia.get(name) != ib.get(name):
            diffs.append(("initializer " + name, "only in the first" if name not in ib else
                          "only in the second" if name not in ia else "bytes differ"))
    return diffs


def make_merge_inputs(root):
    out_dir = os.path.join(root, MERGE_DIR)
    os.makedirs(out_dir, exist_ok=True)
    written, models = [], {}
    for stem, name, seed, hw, input_names in MERGE_EXPORTS:
        path = os.path.join(out_dir, stem + ".onnx")
        models[stem] = export_merge(name, seed, hw, input_names, path)
        written.append(path)
    for stem, name, seed, hw, input_names in MERGE_DYNAMIC_EXPORTS:
        path = os.path.join(out_dir, stem + ".onnx")
        export_merge(name, seed, hw, input_names, path, dynamic=True)
        written.append(path)
    problems = []
    for a, b, want in MERGE_DIFFS:
        got = diff_models(models[a], models[b])
        keys = [k for k, _ in got]
        if sorted(set(keys)) != sorted(want) or len(keys) != len(set(keys)):
            problems.append("%s vs %s: differ in %s; the header says %s"
                            % (a, b, keys, want))
    if problems:
        raise AssertionError("test/Merge/Inputs:\n  " + "\n  ".join(problems))
    return written


def print_merge_diffs(root):
    """Prints what differs between the pairs of MERGE_DIFFS (the header's source)."""
    import onnx
    for a, b, _ in MERGE_DIFFS:
        ma = onnx.load(os.path.join(root, MERGE_DIR, a + ".onnx"))
        mb = onnx.load(os.path.join(root, MERGE_DIR, b + ".onnx"))
        print("%s vs %s:" % (a, b))
        for key, text in diff_models(ma, mb):
            print("    %-40s %s" % (key, text))


def verify_merge(root):
    """Runs each test/Merge/Inputs model in ONNX Runtime at its size against torch, and a
    dynamic re-export of the UNet at the sizes of MERGE_UNET_PROBES (its constraint).
    Returns True if all is well."""
    import ort_compare as oc
    ok = True
    work = tempfile.mkdtemp(prefix="mlc-fixtures-verify-merge.")
    try:
        for stem, name, seed, hw, input_names in MERGE_EXPORTS:
            net, channels, _ = build_merge_net(name, seed)
            shapes = merge_input_shapes(name, channels, hw)
            xs = [oc.sin_pattern(list(s)) for s in shapes]
            inputs = {}
            for n, s, x in zip(input_names, shapes, xs):
                inputs[n] = (oc.write_input(os.path.join(work, n + ".bin"), x).rsplit(":", 1)[0],
                             list(s))
            outs, _ = oc.run_model(os.path.join(root, MERGE_DIR, stem + ".onnx"),
                                   os.path.join(work, "out"), inputs=inputs)
            got = list(outs.values())[0]
            r = te.against_torch(net, xs, got)
            ok &= r["ok"]
            print("  %-24s %-22s -> %-12s torch vs ORT ratio %.2g  %s"
                  % (stem + ".onnx", ", ".join(oc.format_dims(s) for s in shapes),
                     oc.format_dims(got.shape), r["ratio"],
                     "ok" if r["ok"] else "MISMATCH " + r["note"]))
        path = os.path.join(work, "unet_dynamic.onnx")
        export_merge("unet", 0, (64, 64), ("image",), path, dynamic=True)
        net, _, _ = build_merge_net("unet", 0)
        for shape, want in MERGE_UNET_PROBES:
            tag = "  (probe) unet dynamic     %-22s" % oc.format_dims(shape)
            good, reason, got, r = _run_expecting(oc, net, path, shape, want, work)
            ok &= good
            if reason is not None:
                print("%s fails%s: %s" % (tag, ", as it must" if want is None else
                                          " (MUST RUN)", reason[:100]))
            elif r is None:
                print("%s RUNS (%s) but must fail" % (tag, oc.format_dims(got.shape)))
            else:
                print("%s -> %-12s torch vs ORT ratio %.2g  %s" % (
                    tag, oc.format_dims(got.shape), r["ratio"], "ok" if good else "MISMATCH"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ok


# ----------------------------------------------------------------------------------------
# verification in ONNX Runtime (optional: needs Node.js and onnxruntime-node)

def verify(root):
    """Runs every runnable fixture in ONNX Runtime; for the torch exports, compares ORT's
    output with torch's on the same (sin pattern) input. Returns True if all is well."""
    import ort_compare as oc
    ok = True
    work = tempfile.mkdtemp(prefix="mlc-fixtures-verify.")
    try:
        nets = {}
        for stem, net_name, size, opset, dynbatch in TORCH_EXPORTS:
            if net_name not in nets:
                nets[net_name] = build_net(net_name)
            net, _ = nets[net_name]
            batches = [1, 3] if dynbatch else [1]
            for batch in batches:
                shape = list(input_shape(size, batch))
                outs, _ = oc.run_model(os.path.join(root, MODELS_DIR, stem + ".onnx"),
                                       os.path.join(work, stem), shape=shape)
                got = list(outs.values())[0]
                r = te.against_torch(net, [oc.sin_pattern(shape)], got)
                ok &= r["ok"]
                print("  %-30s batch %d  %-14s torch vs ORT max|diff| %.3g (ratio %.3g)  %s"
                      % (stem + ".onnx", batch, oc.format_dims(got.shape), r["max_abs_diff"],
                         r["ratio"], "ok" if r["ok"] else "MISMATCH " + r["note"]))
        inputs = os.path.join(root, INPUTS_DIR)
        runnable = {"qdq_conv": [1, 3, 8, 8], "external_data": [1, 3, 8, 8],
                    "opset_old_7": [1, 2, 4, 4], "opset_old_9": [1, 3, 6, 6],
                    "opset_old_10": [1, 2, 5, 5], "opset_old_11": [1, 3, 4, 4]}
        for stem, shape in runnable.items():
            try:
                outs, _ = oc.run_model(os.path.join(inputs, stem + ".onnx"),
                                       os.path.join(work, stem), shape=shape)
                desc = ", ".join("%s %s" % (k, oc.format_dims(v.shape)) for k, v in outs.items())
                print("  %-30s runs: %s" % (stem + ".onnx", desc))
            except oc.OrtError as e:
                ok = False
                print("  %-30s FAILS in ORT: %s" % (stem + ".onnx", e))
        for stem in ("truncated", "not_protobuf", "custom_op"):
            try:
                oc.run_model(os.path.join(inputs, stem + ".onnx"), os.path.join(work, stem),
                             shape=[1, 4, 8, 8])
                ok = False
                print("  %-30s unexpectedly runs in ORT" % (stem + ".onnx"))
            except oc.OrtError as e:
                print("  %-30s refused by ORT, as expected: %s"
                      % (stem + ".onnx", str(e).split(": ", 2)[-1][:90]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ok


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=REPO, help="root to write under (default: the repository)")
    p.add_argument("--only", choices=["models", "inputs", "analysis", "merge", "custom"],
                   help="write only one group")
    p.add_argument("--diff", action="store_true",
                   help="with --only merge: print what differs between the sizes")
    p.add_argument("--verify", action="store_true",
                   help="run the fixtures in ONNX Runtime (needs node + onnxruntime-node)")
    args = p.parse_args()
    written = []
    if args.only in (None, "models"):
        written += make_torch_models(args.out)
    if args.only in (None, "inputs"):
        written += make_import_inputs(args.out)
    if args.only in (None, "custom"):
        written += make_custom_models(args.out)
    if args.only in (None, "analysis"):
        written += make_analysis_inputs(args.out)
    if args.only in (None, "merge"):
        written += make_merge_inputs(args.out)
        if args.diff:
            print_merge_diffs(args.out)
    status = 0
    for path in written:
        size = os.path.getsize(path)
        flag = ""
        if path.endswith(".onnx") and MODELS_DIR in path and size > MAX_MODEL_BYTES:
            flag, status = "  TOO LARGE (> %d KB)" % (MAX_MODEL_BYTES // 1024), 1
        if ANALYSIS_DIR in path and size > MAX_ANALYSIS_BYTES:
            flag, status = "  TOO LARGE (> %d KB)" % (MAX_ANALYSIS_BYTES // 1024), 1
        if MERGE_DIR in path and size > MAX_MERGE_BYTES:
            flag, status = "  TOO LARGE (> %d KB)" % (MAX_MERGE_BYTES // 1024), 1
        print("%9d  %s  %s%s" % (size, sha256(path)[:16], os.path.relpath(path, args.out), flag))
    models_dir = os.path.join(args.out, MODELS_DIR)
    if os.path.isdir(models_dir):
        total = sum(os.path.getsize(os.path.join(models_dir, f)) for f in os.listdir(models_dir))
        print("%9d  total of %s" % (total, MODELS_DIR))
        if total > MAX_MODELS_DIR_BYTES:
            print("examples/models is over %d MB" % (MAX_MODELS_DIR_BYTES >> 20))
            status = 1
    if args.verify:
        print("verifying in ONNX Runtime:")
        if args.only in (None, "models", "inputs") and not verify(args.out):
            status = 1
        if args.only in (None, "analysis") and not verify_analysis(args.out):
            status = 1
        if args.only in (None, "merge") and not verify_merge(args.out):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
