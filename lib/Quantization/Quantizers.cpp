//===- Quantizers.cpp - Float weights to fewer bits -----------------------===//
//
// Palettization is 1-D k-means per group, made cheap by sorting: the group's
// values are radix-sorted once, k-means++ picks its start from a weighted
// sketch of the distinct values (at most 16 per centroid), and each Lloyd
// iteration finds its clusters as ranges of the sorted values between the
// midpoints of the sorted centroids (binary searches, O(k log n)), with
// their means from prefix sums. The final assignment is a branchless search
// of each value among the LUT's midpoints.
//
//===----------------------------------------------------------------------===//

#include "mlc/Quantization/Quantizers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace mlc::quant {

using rt::WeightEncoding;

rt::EncodedWeight Quantized::view() const {
  rt::EncodedWeight w;
  w.encoding = encoding;
  w.bits = bits;
  w.axis = axis;
  w.isSigned = isSigned;
  w.scales = scales.data();
  w.scaleCount = scales.size();
  w.zeroPoints = zeroPoints.data();
  w.zeroPointCount = zeroPoints.size();
  w.lut = lut.data();
  w.lutCount = lut.size();
  w.groupChannels = groupChannels;
  w.bytes = bytes.data();
  w.byteCount = bytes.size();
  return w;
}

std::vector<float> Quantized::decode(const std::vector<int64_t> &shape) const {
  rt::EncodedWeight w = view();
  std::string error = rt::checkEncodedWeight(w, shape);
  if (!error.empty())
    throw std::invalid_argument("malformed encoded weight: " + error);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  std::vector<float> out(static_cast<size_t>(count));
  rt::decodeWeight(w, shape, out.data());
  return out;
}

size_t Quantized::storedBytes() const {
  return bytes.size() + 4 * (scales.size() + zeroPoints.size() + lut.size());
}

namespace {

int64_t countOf(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw std::invalid_argument("negative dimension " + std::to_string(d));
    if (__builtin_mul_overflow(count, d, &count) ||
        count > std::numeric_limits<int64_t>::max() / 8)
      throw std::invalid_argument("element count overflows");
  }
  return count;
}

void checkFinite(const float *values, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i]))
      throw std::invalid_argument("value " + std::to_string(i) +
                                  " is not finite");
}

// outer x axisLen x inner, for a normalized axis (rank 0: 1 x 1 x 1).
struct Layout {
  int axis = 0;
  int64_t outer = 1, axisLen = 1, inner = 1;
};

Layout layoutOf(const std::vector<int64_t> &shape, int axis, int64_t count) {
  Layout l;
  int rank = static_cast<int>(shape.size());
  if (rank == 0)
    return l;
  if (axis < -rank || axis >= rank)
    throw std::invalid_argument("axis " + std::to_string(axis) +
                                " outside rank " + std::to_string(rank));
  l.axis = axis < 0 ? axis + rank : axis;
  l.axisLen = shape[l.axis];
  for (int i = l.axis + 1; i < rank; ++i)
    l.inner *= shape[i];
  l.outer = l.axisLen * l.inner != 0 ? count / (l.axisLen * l.inner) : 0;
  return l;
}

// Packs codes[0..n) at `bits` bits each, low bits first.
std::vector<uint8_t> pack(const uint8_t *codes, int64_t n, int bits) {
  std::vector<uint8_t> bytes(rt::packedBytes(n, bits));
  if (bits == 8) {
    if (n)
      std::memcpy(bytes.data(), codes, static_cast<size_t>(n));
    return bytes;
  }
  if (bits == 4) {
    int64_t i = 0;
    for (; i + 1 < n; i += 2)
      bytes[i / 2] = static_cast<uint8_t>((codes[i] & 15) | (codes[i + 1] << 4));
    if (i < n)
      bytes[i / 2] = codes[i] & 15;
    return bytes;
  }
  uint32_t acc = 0, mask = (1u << bits) - 1;
  unsigned have = 0;
  uint8_t *out = bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    acc |= (codes[i] & mask) << have;
    have += bits;
    if (have >= 8) {
      *out++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      have -= 8;
    }
  }
  if (have)
    *out = static_cast<uint8_t>(acc);
  return bytes;
}

} // namespace

//===----------------------------------------------------------------------===//
// fp16
//===----------------------------------------------------------------------===//

Quantized toFP16(const float *values, const std::vector<int64_t> &shape) {
  int64_t count = countOf(shape);
  Quantized q;
  q.encoding = WeightEncoding::fp16;
  q.bits = 16;
  q.bytes.resize(static_cast<size_t>(count) * 2);
  for (int64_t i = 0; i < count; ++i) {
    uint16_t h = rt::floatToHalf(values[i]);
    q.bytes[2 * i] = static_cast<uint8_t>(h);
    q.bytes[2 * i + 1] = static_cast<uint8_t>(h >> 8);
  }
  return q;
}

//===----------------------------------------------------------------------===//
// Linear
//===----------------------------------------------------------------------===//

Quantized quantizeLinear(const float *values, const std::vector<int64_t> &shape,
                         const LinearOptions &options) {
  int bits = options.bits;
  if (bits < (options.symmetric ? 2 : 1) || bits > 8)
    throw std::invalid_argument("linear quantization to " +
                                std::to_string(bits) + " bits");
  int64_t count = countOf(shape);
  checkFinite(values, count);
  bool perChannel = options.perChannel && !shape.empty();
  Layout l = perChannel ? layoutOf(shape, options.axis, count)
                        : Layout{0, 1, 1, count};
  if (!perChannel)
    l.outer = 1;

  // Each channel's range.
  int64_t channels = l.axisLen;
  std::vector<float> lo(channels, 0.0f), hi(channels, 0.0f);
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const float *p = values + (o * channels + c) * l.inner;
      float mn = lo[c], mx = hi[c]; // Starting from 0: the range holds 0.
      for (int64_t i = 0; i < l.inner; ++i) {
        mn = std::min(mn, p[i]);
        mx = std::max(mx, p[i]);
      }
      lo[c] = mn;
      hi[c] = mx;
    }

  Quantized q;
  q.encoding = WeightEncoding::linear;
  q.bits = bits;
  q.axis = l.axis;
  q.isSigned = options.symmetric;
  q.scales.resize(channels);
  std::vector<int32_t> zeroPoints(channels, 0);
  double qmin, qmax;
  if (options.symmetric) {
    qmax = (1 << (bits - 1)) - 1;
    qmin = -qmax;
  } else {
    qmin = 0;
    qmax = (1 << bits) - 1;
  }
  for (int64_t c = 0; c < channels; ++c) {
    if (options.symmetric) {
      double maxAbs = std::max(-double(lo[c]), double(hi[c]));
      q.scales[c] = maxAbs > 0 ? static_cast<float>(maxAbs / qmax) : 1.0f;
    } else {
      double range = double(hi[c]) - double(lo[c]);
      q.scales[c] = range > 0 ? static_cast<float>(range / qmax) : 1.0f;
      double zp = std::nearbyint(-double(lo[c]) / q.scales[c]);
      zeroPoints[c] = static_cast<int32_t>(std::clamp(zp, qmin, qmax));
    }
    if (q.scales[c] == 0 || !std::isfinite(q.scales[c])) // Subnormal ranges.
      q.scales[c] = q.scales[c] == 0 ? std::numeric_limits<float>::min() : 1.0f;
  }

  // Each channel is rounded to nearest (half to even), then the roundings
  // nearest to going the other way are flipped until the channel's rounding
  // errors sum to under half a step. The dequantized channel then keeps the
  // float channel's sum, so its dot products do not drift by (the input's
  // mean) x (the errors' sum): after a ReLU, whose outputs have a positive
  // mean, that drift adds up coherently and is most of the error a network
  // accumulates. Each value still moves by less than one step.
  std::vector<uint8_t> codes(static_cast<size_t>(count));
  uint32_t mask = (1u << bits) - 1;
  std::vector<int64_t> index;
  std::vector<int32_t> level;
  std::vector<float> error;
  std::vector<size_t> order;
  // Flips the roundings of elements [begin, end) of the channel nearest to
  // going the other way until their errors sum to under half a step.
  auto keepSum = [&](size_t begin, size_t end) {
    double sum = 0;
    for (size_t k = begin; k < end; ++k)
      sum += error[k];
    int64_t flips = static_cast<int64_t>(std::nearbyint(sum));
    if (flips == 0)
      return;
    // Down (sum > 0) the values rounded up the most, else up those rounded
    // down the most; never past the integer range.
    int step = flips > 0 ? -1 : 1;
    order.clear();
    for (size_t k = begin; k < end; ++k)
      if (level[k] + step >= qmin && level[k] + step <= qmax &&
          error[k] * step < 0)
        order.push_back(k);
    size_t n = std::min<size_t>(std::llabs(flips), order.size());
    auto furthest = [&](size_t a, size_t b) {
      return std::abs(error[a]) > std::abs(error[b]) ||
             (std::abs(error[a]) == std::abs(error[b]) && a < b);
    };
    std::partial_sort(order.begin(), order.begin() + n, order.end(), furthest);
    for (size_t k = 0; k < n; ++k) {
      level[order[k]] += step;
      error[order[k]] += step;
    }
  };
  // A conv weight's kernel window: the dims after the input channels'.
  size_t window = 1;
  if (perChannel && l.axis == 0)
    for (size_t d = 2; d < shape.size(); ++d)
      window *= shape[d];
  for (int64_t c = 0; c < channels; ++c) {
    index.clear();
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < l.inner; ++i)
        index.push_back((o * channels + c) * l.inner + i);
    level.resize(index.size());
    error.resize(index.size());
    double inv = 1.0 / double(q.scales[c]), zp = zeroPoints[c];
    for (size_t k = 0; k < index.size(); ++k) {
      double exact = double(values[index[k]]) * inv + zp;
      double v = std::clamp(std::nearbyint(exact), qmin, qmax);
      level[k] = static_cast<int32_t>(v);
      error[k] = static_cast<float>(v - exact);
    }
    // Sums kept within each kernel window first (a conv weight's k x k taps
    // of one input channel: neighbouring inputs are alike), then the
    // channel's.
    if (window > 1)
      for (size_t first = 0; first + window <= index.size(); first += window)
        keepSum(first, first + window);
    keepSum(0, index.size());
    for (size_t k = 0; k < index.size(); ++k)
      codes[index[k]] = static_cast<uint8_t>(static_cast<uint32_t>(level[k]) & mask);
  }
  q.bytes = pack(codes.data(), count, bits);
  if (std::any_of(zeroPoints.begin(), zeroPoints.end(),
                  [](int32_t z) { return z != 0; }))
    q.zeroPoints = std::move(zeroPoints);
  return q;
}

//===----------------------------------------------------------------------===//
// Palette
//===----------------------------------------------------------------------===//

namespace {

// splitmix64: the same numbers on every platform.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
};

// Float bits mapped so that unsigned order is float order.
inline uint32_t sortKey(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u ^ ((u >> 31) ? 0xffffffffu : 0x80000000u);
}
inline float fromSortKey(uint32_t k) {
  uint32_t u = k ^ ((k >> 31) ? 0x80000000u : 0xffffffffu);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Sorts `keys` (LSD radix, 11 bits a pass), using `tmp` as scratch.
void radixSort(std::vector<uint32_t> &keys, std::vector<uint32_t> &tmp) {
  size_t n = keys.size();
  if (n < 512) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  tmp.resize(n);
  uint32_t *src = keys.data(), *dst = tmp.data();
  for (int shift = 0; shift < 32; shift += 11) {
    size_t counts[2048] = {};
    for (size_t i = 0; i < n; ++i)
      ++counts[(src[i] >> shift) & 2047];
    if (counts[(src[0] >> shift) & 2047] == n)
      continue; // All equal in these bits.
    size_t sum = 0;
    for (size_t &c : counts) {
      size_t t = c;
      c = sum;
      sum += t;
    }
    for (size_t i = 0; i < n; ++i)
      dst[counts[(src[i] >> shift) & 2047]++] = src[i];
    std::swap(src, dst);
  }
  if (src != keys.data())
    std::memcpy(keys.data(), src, n * sizeof(uint32_t));
}

// Reusable buffers for the groups of one tensor.
struct Scratch {
  std::vector<uint32_t> keys, tmp;
  std::vector<float> sorted, uniques;
  std::vector<uint32_t> uniqueCounts;
  std::vector<double> prefix;
  std::vector<double> points, weights, dist, contrib, blockSums;
};

// k-means++ on weighted points (sorted, distinct): k centers, chosen by
// D^2 * weight sampling. In 1-D a new center only changes the distances of
// the points between it and the midpoints to its neighbours: those are
// updated by scanning outwards from it, and the sampling walks block sums.
std::vector<double> kmeansPlusPlus(Scratch &s, int k, SplitMix64 &rng) {
  const std::vector<double> &x = s.points, &w = s.weights;
  size_t m = x.size();
  constexpr size_t B = 64;
  size_t blocks = (m + B - 1) / B;
  s.dist.assign(m, std::numeric_limits<double>::infinity());
  s.contrib.assign(m, 0.0);
  s.blockSums.assign(blocks, 0.0);
  std::vector<double> centers;
  centers.reserve(k);

  auto recomputeBlocks = [&](size_t from, size_t to) { // [from, to] points
    for (size_t b = from / B; b <= to / B; ++b) {
      double sum = 0;
      for (size_t i = b * B, e = std::min(m, b * B + B); i < e; ++i)
        sum += s.contrib[i];
      s.blockSums[b] = sum;
    }
  };
  auto addCenter = [&](size_t i) {
    double c = x[i];
    centers.push_back(c);
    s.dist[i] = 0;
    s.contrib[i] = 0;
    size_t from = i, to = i;
    for (size_t j = i; j-- > 0;) {
      double d = (x[j] - c) * (x[j] - c);
      if (!(d < s.dist[j]))
        break;
      s.dist[j] = d;
      s.contrib[j] = d * w[j];
      from = j;
    }
    for (size_t j = i + 1; j < m; ++j) {
      double d = (x[j] - c) * (x[j] - c);
      if (!(d < s.dist[j]))
        break;
      s.dist[j] = d;
      s.contrib[j] = d * w[j];
      to = j;
    }
    recomputeBlocks(from, to);
  };

  // The first center: proportional to weight (a uniformly drawn value).
  {
    double total = 0;
    for (double v : w)
      total += v;
    double r = rng.uniform() * total, acc = 0;
    size_t i = 0;
    for (; i + 1 < m; ++i) {
      acc += w[i];
      if (acc > r)
        break;
    }
    addCenter(i);
  }
  while (static_cast<int>(centers.size()) < k) {
    double total = 0;
    for (double b : s.blockSums)
      total += b;
    if (!(total > 0))
      break; // Fewer distinct points than centers (not reached by callers).
    double r = rng.uniform() * total, acc = 0;
    size_t chosen = m;
    for (size_t b = 0; b < blocks && chosen == m; ++b) {
      if (acc + s.blockSums[b] <= r && b + 1 < blocks) {
        acc += s.blockSums[b];
        continue;
      }
      for (size_t i = b * B, e = std::min(m, b * B + B); i < e; ++i) {
        if (s.contrib[i] <= 0)
          continue;
        chosen = i;
        acc += s.contrib[i];
        if (acc > r)
          break;
      }
    }
    if (chosen == m) // Rounding: the last point still far from every center.
      for (size_t i = m; i-- > 0;)
        if (s.contrib[i] > 0) {
          chosen = i;
          break;
        }
    if (chosen == m)
      break;
    addCenter(chosen);
  }
  return centers;
}

// Fits the LUT (2^bits sorted entries) to the `n` values of one group.
void fitGroup(const float *groupValues, size_t n, int bits, int maxIterations,
              SplitMix64 &rng, Scratch &s, float *lut) {
  int k = 1 << bits;
  if (n == 0) {
    std::fill(lut, lut + k, 0.0f);
    return;
  }
  s.keys.resize(n);
  for (size_t i = 0; i < n; ++i)
    s.keys[i] = sortKey(groupValues[i]);
  radixSort(s.keys, s.tmp);
  s.sorted.resize(n);
  for (size_t i = 0; i < n; ++i)
    s.sorted[i] = fromSortKey(s.keys[i]);
  const float *x = s.sorted.data();

  // Distinct values (-0 and +0 are one) and their counts.
  s.uniques.clear();
  s.uniqueCounts.clear();
  for (size_t i = 0; i < n; ++i) {
    if (s.uniques.empty() || x[i] != s.uniques.back()) {
      s.uniques.push_back(x[i]);
      s.uniqueCounts.push_back(1);
    } else {
      ++s.uniqueCounts.back();
    }
  }
  size_t u = s.uniques.size();
  if (u <= static_cast<size_t>(k)) { // Exact.
    for (int j = 0; j < k; ++j)
      lut[j] = s.uniques[std::min<size_t>(j, u - 1)];
    return;
  }

  // The sketch k-means++ starts from: the distinct values, or (beyond 16
  // per center) the weighted means of runs of them.
  size_t m = std::min<size_t>(u, 16 * static_cast<size_t>(k));
  s.points.resize(m);
  s.weights.resize(m);
  for (size_t b = 0; b < m; ++b) {
    size_t from = b * u / m, to = (b + 1) * u / m;
    double sum = 0, weight = 0;
    for (size_t i = from; i < to; ++i) {
      sum += double(s.uniques[i]) * s.uniqueCounts[i];
      weight += s.uniqueCounts[i];
    }
    s.points[b] = sum / weight;
    s.weights[b] = weight;
  }
  std::vector<double> c = kmeansPlusPlus(s, k, rng);
  std::sort(c.begin(), c.end());

  // Lloyd on the sorted values: cluster j holds x in [mid(j-1), mid(j)).
  s.prefix.resize(n + 1);
  s.prefix[0] = 0;
  for (size_t i = 0; i < n; ++i)
    s.prefix[i + 1] = s.prefix[i] + x[i];
  size_t kc = c.size();
  std::vector<size_t> ends(kc, 0), previous(kc, n + 1);
  for (int it = 0; it < maxIterations; ++it) {
    for (size_t j = 0; j + 1 < kc; ++j) {
      double mid = 0.5 * (c[j] + c[j + 1]);
      ends[j] = std::lower_bound(x, x + n, mid,
                                 [](float v, double t) { return v < t; }) -
                x;
    }
    ends[kc - 1] = n;
    if (ends == previous)
      break;
    size_t begin = 0;
    for (size_t j = 0; j < kc; ++j) {
      size_t end = std::max(ends[j], begin);
      if (end > begin)
        c[j] = (s.prefix[end] - s.prefix[begin]) / double(end - begin);
      begin = end;
    }
    // Empty clusters keep their center; keep the order.
    std::sort(c.begin(), c.end());
    previous = ends;
  }
  for (int j = 0; j < k; ++j)
    lut[j] = static_cast<float>(c[std::min<size_t>(j, kc - 1)]);
  std::sort(lut, lut + k);
}

// Nearest-entry search among a sorted LUT of k = 2^bits entries: the number
// of midpoints at or below the value (ties go to the upper entry).
struct Assigner {
  int k;
  double mids[256];
  explicit Assigner(const float *lut, int bits) : k(1 << bits) {
    for (int j = 0; j + 1 < k; ++j)
      mids[j] = 0.5 * (double(lut[j]) + double(lut[j + 1]));
    mids[k - 1] = std::numeric_limits<double>::infinity();
  }
  uint8_t operator()(float value) const {
    double v = value;
    int idx = 0;
    for (int step = k >> 1; step > 0; step >>= 1)
      idx += (mids[idx + step - 1] <= v) ? step : 0;
    return static_cast<uint8_t>(idx);
  }
};

} // namespace

Quantized palettize(const float *values, const std::vector<int64_t> &shape,
                    const PaletteOptions &options) {
  int bits = options.bits;
  if (bits < 1 || bits > 8)
    throw std::invalid_argument("palettization to " + std::to_string(bits) +
                                " bits");
  if (options.groupChannels < 0)
    throw std::invalid_argument("negative groupChannels");
  if (options.maxIterations < 0)
    throw std::invalid_argument("negative maxIterations");
  int64_t count = countOf(shape);
  checkFinite(values, count);

  Quantized q;
  q.encoding = WeightEncoding::palette;
  q.bits = bits;
  q.groupChannels = options.groupChannels;
  Layout l;
  int64_t groups = 1, runsPerGroup = 1, runLength = count;
  if (options.groupChannels > 0) {
    if (shape.empty())
      throw std::invalid_argument("groupChannels on a rank-0 tensor");
    l = layoutOf(shape, options.axis, count);
    if (l.axisLen % options.groupChannels != 0)
      throw std::invalid_argument(
          "groupChannels " + std::to_string(options.groupChannels) +
          " does not divide dimension " + std::to_string(l.axisLen));
    groups = l.axisLen / options.groupChannels;
    runsPerGroup = l.outer;
    runLength = options.groupChannels * l.inner;
  } else if (!shape.empty()) {
    l = layoutOf(shape, options.axis, count); // Validates the axis.
  }
  q.axis = l.axis;
  int k = 1 << bits;
  q.lut.resize(static_cast<size_t>(groups) * k);

  std::vector<uint8_t> codes(static_cast<size_t>(count));
  std::vector<float> gathered;
  Scratch scratch;
  int64_t done = 0;
  double lastReported = -1;
  if (options.progress)
    options.progress(0.0);
  for (int64_t g = 0; g < groups; ++g) {
    // The group's runs: run r starts at (r * axisLen + g * groupChannels) *
    // inner (one run: the whole tensor).
    auto runStart = [&](int64_t r) {
      return options.groupChannels > 0
                 ? (r * l.axisLen + g * options.groupChannels) * l.inner
                 : int64_t(0);
    };
    const float *groupValues = values;
    size_t n = static_cast<size_t>(runsPerGroup * runLength);
    if (runsPerGroup > 1) {
      gathered.resize(n);
      for (int64_t r = 0; r < runsPerGroup; ++r)
        std::memcpy(gathered.data() + r * runLength, values + runStart(r),
                    runLength * sizeof(float));
      groupValues = gathered.data();
    } else {
      groupValues = values + runStart(0);
    }
    // Each group its own stream, so that groups do not depend on each other.
    SplitMix64 rng{options.seed ^ (0x632be59bd9b4e019ull * uint64_t(g + 1))};
    float *lut = q.lut.data() + g * k;
    fitGroup(groupValues, n, bits, options.maxIterations, rng, scratch, lut);
    Assigner assign(lut, bits);
    for (int64_t r = 0; r < runsPerGroup; ++r) {
      int64_t start = runStart(r);
      for (int64_t i = 0; i < runLength; ++i)
        codes[start + i] = assign(values[start + i]);
    }
    done += static_cast<int64_t>(n);
    if (options.progress && count > 0) {
      double fraction = double(done) / double(count);
      if (fraction - lastReported >= 0.01 || g + 1 == groups) {
        options.progress(fraction);
        lastReported = fraction;
      }
    }
  }
  q.bytes = pack(codes.data(), count, bits);
  return q;
}

double snrDb(const float *reference, const float *test, size_t count) {
  double signal = 0, noise = 0;
  for (size_t i = 0; i < count; ++i) {
    double r = reference[i], d = r - double(test[i]);
    signal += r * r;
    noise += d * d;
  }
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

} // namespace mlc::quant
