"""torch to ONNX: what the scripts that export models share (utils/make_fixtures.py and the
acceptance checks utils/check_*torchvision.py). Importing this module needs neither torch
nor torchvision; its functions do.

    import torch_exports as te
    net = te.torchvision_model("fcn_resnet50")          # seed 0, eval, returns out["out"]
    te.cached(path, "fcn_resnet50 at 224", lambda tmp: te.export(
        net, [(1, 3, 224, 224)], tmp, "out"), log)         # made once, then reused
"""

import os
import time

# torchvision's segmentation models: they return a dict, of which the exports keep "out".
SEGMENTATION = ("fcn_resnet50", "fcn_resnet101", "deeplabv3_mobilenet_v3_large",
                "deeplabv3_resnet50", "deeplabv3_resnet101", "lraspp_mobilenet_v3_large")

# torchvision's video classifiers (input NCDHW: VIDEO_FRAMES frames of SIZExSIZE). MViT's
# are left out: their position embeddings fix the size, and torch 1.13 runs out of memory
# exporting them on a 24 GB machine.
VIDEO = ("r3d_18", "mc3_18", "r2plus1d_18", "s3d")
# S3D's last pooling (2x7x7 over a 32x downsampled map) needs at least 13 frames.
VIDEO_FRAMES = 16


def input_shape(name, size, batch=1):
    """The input shape of torchvision's NAME exported at SIZE (H = W, or an (H, W) pair):
    NCHW, or NCDHW of VIDEO_FRAMES frames for a video classifier."""
    frames = (VIDEO_FRAMES,) if name in VIDEO else ()
    return (batch, 3) + frames + (tuple(size) if isinstance(size, tuple) else (size, size))


def parse_size(text):
    """A size as export file names write it: "224" (H = W) or "256x320" (H x W)."""
    dims = tuple(int(d) for d in text.split("x"))
    return dims[0] if len(dims) == 1 else dims


def out_only(net):
    """net, wrapped to return only the "out" entry of the dict it returns (the wrapped
    net is the wrapper's `net`: ONNX node names start with /net/)."""
    import torch

    class Out(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net(x)["out"]

    return Out(net)


def calibrate_batch_norms(net, shape):
    """Sets the running statistics of net's BatchNorms to those its activations have
    on random inputs of SHAPE (batch included), as training would have: with
    torchvision's initial statistics (mean 0, variance 1) the activations of a deep
    random network shrink layer by layer, until its output is its last bias
    whatever the input (GoogLeNet's exactly, ShuffleNetV2's within 1e-5), and comparing
    two runtimes' outputs checks nothing. net is left in eval mode."""
    import torch
    norms = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a plain average over the batches
    net.train()
    with torch.no_grad():
        for _ in range(2):
            net(torch.randn(*shape))
    net.eval()


def torchvision_model(name):
    """torchvision's model NAME (any classification model, one of VIDEO or of
    SEGMENTATION) with random weights from torch.manual_seed(0) (weights=None,
    weights_backbone=None, no auxiliary classifier) and BatchNorm statistics from
    calibrate_batch_norms at 224 (S3D takes no smaller clip), in eval mode; a
    segmentation model wrapped by out_only."""
    net = _random_torchvision_model(name)
    calibrate_batch_norms(net, input_shape(name, 224, batch=2))
    return net


def _random_torchvision_model(name):
    import torch
    import torchvision.models as tvm
    import torchvision.models.segmentation as seg
    torch.manual_seed(0)
    if name in VIDEO:
        return getattr(tvm.video, name)(weights=None).eval()
    if name not in SEGMENTATION:
        # Any classification model of torchvision's, without auxiliary heads.
        if not hasattr(tvm, name):
            raise ValueError("unknown model %s" % name)
        kwargs = {"weights": None}
        if name in ("googlenet", "inception_v3"):
            kwargs.update(aux_logits=False, init_weights=True)
        net = getattr(tvm, name)(**kwargs).eval()
        # torchvision zero-initializes ViT's classification head: its logits would all
        # be 0, and comparing them would check nothing.
        with torch.no_grad():
            for layer in net.modules():
                if isinstance(layer, torch.nn.Linear) and not layer.weight.any():
                    torch.nn.init.normal_(layer.weight, std=0.02)
        return net
    kwargs = {"weights": None, "weights_backbone": None}
    if not name.startswith("lraspp"):  # the one without an auxiliary classifier
        kwargs["aux_loss"] = False
    return out_only(getattr(seg, name)(**kwargs)).eval()


def export(net, input_shapes, f, output_name, opset=13, input_names=("image",),
           dynamic_axes=None):
    """torch.onnx.export of net (in eval mode), traced on zeros of input_shapes (one shape
    per input, named input_names), into f (a path or a binary file object), with the
    options every export here uses: torch.no_grad() (but for attention, see below),
    do_constant_folding, one output
    named output_name."""
    import torch
    inputs = tuple(torch.zeros(*shape) for shape in input_shapes)
    # Without gradients torch 1.13 runs nn.MultiheadAttention (ViT's) as one fused
    # kernel that has no ONNX form; with them, as the ops it is made of.
    fused_attention = any(isinstance(m, torch.nn.MultiheadAttention) for m in net.modules())
    with torch.set_grad_enabled(fused_attention):
        torch.onnx.export(net, inputs, f, opset_version=opset, input_names=list(input_names),
                          output_names=[output_name], dynamic_axes=dynamic_axes,
                          do_constant_folding=True)


def cached(path, what, make, log):
    """path, made when it is missing by make(tmp), which writes a temporary name that is
    then renamed to path (an interrupted export is not reused). Logs "exporting WHAT ->
    PATH", then the seconds it took and its size."""
    if not os.path.exists(path):
        log("exporting %s -> %s" % (what, path))
        t = time.perf_counter()
        tmp = path + ".tmp"
        make(tmp)
        os.replace(tmp, path)
        log("  %.1f s, %.1f MB" % (time.perf_counter() - t, os.path.getsize(path) / 1e6))
    return path


def against_torch(net, inputs, got, rtol=1e-4):
    """An export's output in ONNX Runtime (got) against net's own (torch's, under
    torch.no_grad()) on the same numpy inputs (one per input): ort_compare.compare_arrays'
    result."""
    import torch
    import ort_compare as oc
    with torch.no_grad():
        ref = net(*[torch.from_numpy(x) for x in inputs]).numpy()
    return oc.compare_arrays(ref, got, rtol=rtol)


def sized_export(path, log=print, dynamic_batch=False, opset=13, dynamic_size=False):
    """The export at PATH, named NAME_SIZE.onnx (torchvision's NAME at SIZExSIZE, or
    at HxW where SIZE is "HxW", of VIDEO_FRAMES frames for a VIDEO model, batch 1, or
    with dynamic_batch a dynamic batch axis named "batch"; with dynamic_size dynamic
    spatial axes "H" and "W" (and "D" of a video), traced at SIZE; input "image", output
    "logits", or "out" for SEGMENTATION; at opset), made if missing."""
    name, size = os.path.basename(path)[:-len(".onnx")].rsplit("_", 1)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    output = "out" if name in SEGMENTATION else "logits"
    axes = {"image": {0: "batch"}, output: {0: "batch"}} if dynamic_batch else None
    if dynamic_size:
        axes = axes or {"image": {}}
        spatial = ("D", "H", "W") if name in VIDEO else ("H", "W")
        axes["image"].update({2 + i: a for i, a in enumerate(spatial)})
    return cached(path, "%s at %s" % (name, size), lambda tmp: export(
        torchvision_model(name), [input_shape(name, parse_size(size))], tmp, output,
        opset=opset, dynamic_axes=axes), log)
