"""Vectorised reference of chiso's full recompute (bench/recompute.ts), in numpy.

Reads the arrays written by bench/recompute.ts writeReferenceInput (meta.json, parent.bin,
depth.bin, own.bin, target.bin) from the folder given as the first argument and prints one JSON
object: timings in ms per phase (arrays already in memory, as on the TypeScript side) and the
checksums, which must equal the TypeScript ones.

Same computation: tree roll-ups bottom-up by depth (a unit's own value is authoritative; else
sum / mean / weighted_mean by the rolled denominator / min / max of the children present),
quarters to years (sum / last / mean of the present sub-periods), Open SDG progress status with a
target (CAGR ratio, bands 0.95 / 0.6 / 0), and a composite index (min-max 0-100 of 24 indicators,
4 pillars by arithmetic mean, the index by weighted arithmetic mean) of the first level for every year.
"""
import json
import os
import sys
import time

import numpy as np

np.seterr(all="ignore")
d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
nU, nI, nP = meta["units"], meta["indicators"], meta["periods"]
ppy = meta["per_year"]
years = np.array(meta["years"], dtype=np.int64)
nY = len(years)
parent = np.fromfile(os.path.join(d, "parent.bin"), dtype="<i4")
depth = np.fromfile(os.path.join(d, "depth.bin"), dtype="<i4")
own = np.fromfile(os.path.join(d, "own.bin"), dtype="<f8").reshape(nI, nP, nU)
target = np.fromfile(os.path.join(d, "target.bin"), dtype="<f8").reshape(nI, nU)
rule = np.array(meta["rule"])
den = np.array(meta["denominator"])
prule = np.array(meta["period_rule"])
direction = np.array(meta["direction"])

c0 = time.process_time()
t0 = time.perf_counter()
# Children of each depth grouped by parent, for reduceat.
levels = []
for dd in range(int(depth.max()), 0, -1):
    kids = np.nonzero(depth == dd)[0]
    kids = kids[np.argsort(parent[kids], kind="stable")]
    par = parent[kids]
    starts = np.concatenate(([0], np.nonzero(np.diff(par))[0] + 1))
    levels.append((kids, par[starts], starts))


def roll(m, r, w=None):
    """m: (S, nU) own values → rolled values."""
    out = m.copy()
    for kids, parents, starts in levels:
        v = out[:, kids]
        present = ~np.isnan(v)
        if r == 2:
            wk = w[:, kids]
            present &= ~np.isnan(wk)
            cnt = np.add.reduceat(present, starts, axis=1)
            s = np.add.reduceat(np.where(present, wk * v, 0.0), starts, axis=1)
            sw = np.add.reduceat(np.where(present, wk, 0.0), starts, axis=1)
            agg = np.where((cnt > 0) & (sw != 0), s / np.where(sw == 0, 1, sw), np.nan)
        else:
            cnt = np.add.reduceat(present, starts, axis=1)
            if r in (0, 1):
                s = np.add.reduceat(np.where(present, v, 0.0), starts, axis=1)
                agg = s if r == 0 else s / np.maximum(cnt, 1)
            elif r == 3:
                agg = np.fmin.reduceat(v, starts, axis=1)
            else:
                agg = np.fmax.reduceat(v, starts, axis=1)
            agg = np.where(cnt > 0, agg, np.nan)
        cur = out[:, parents]
        out[:, parents] = np.where(np.isnan(cur), agg, cur)
    return out


rolled = np.empty_like(own)
order = sorted(range(nI), key=lambda i: den[i] != -1)
# Group indicators by rule so each group is rolled as one (indicators × periods, units) matrix.
for r in range(6):
    idx = [i for i in range(nI) if rule[i] == r]
    if not idx:
        continue
    if r == 5:
        rolled[idx] = own[idx]
        continue
    m = own[idx].reshape(len(idx) * nP, nU)
    w = None
    if r == 2:
        w = np.concatenate([rolled[den[i]] for i in idx], axis=0)
    rolled[idx] = roll(m, r, w).reshape(len(idx), nP, nU)
t1 = time.perf_counter()

if ppy == 1:
    yearly = rolled
else:
    q = rolled.reshape(nI, nY, ppy, nU)
    present = ~np.isnan(q)
    cnt = present.sum(axis=2)
    s = np.where(present, q, 0.0).sum(axis=2)
    # last present sub-period: index of the last True along axis 2
    lastidx = ppy - 1 - np.argmax(present[:, :, ::-1, :], axis=2)
    last = np.take_along_axis(q, lastidx[:, :, None, :], axis=2)[:, :, 0, :]
    yearly = np.empty((nI, nY, nU))
    for code, val in ((0, s), (1, last), (2, s / np.maximum(cnt, 1))):
        sel = prule == code
        yearly[sel] = val[sel]
    yearly = np.where(cnt > 0, yearly, np.nan)
t2 = time.perf_counter()

# Progress status, Open SDG with target: series (nI, nY, nU) → one status per (indicator, unit).
tg = target  # (nI, nU)
has_t = ~np.isnan(tg)
present = ~np.isnan(yearly)
anyp = present.any(axis=1)
yi_last = nY - 1 - np.argmax(present[:, ::-1, :], axis=1)
yi_first = np.argmax(present, axis=1)
cur = np.take_along_axis(yearly, yi_last[:, None, :], axis=1)[:, 0, :]
base = np.take_along_axis(yearly, yi_first[:, None, :], axis=1)[:, 0, :]
cy = years[yi_last]
by = years[yi_first]
dirn = direction[:, None]


def near(a, b):
    return np.abs(a - b) <= 1e-9 * np.maximum(1, np.maximum(np.abs(a), np.abs(b)))


achieved = anyp & np.where(dirn > 0, (cur >= tg) | near(cur, tg), (cur <= tg) | near(cur, tg))
bv = np.where(base == 0, 0.001, base)
T = meta["target_year"]
tv = np.where(tg == 0, 0.001, tg)
cagr_a = (cur / bv) ** (1.0 / (cy - by)) - 1
cagr_r = (tv / bv) ** (1.0 / (T - by)) - 1
sign = np.where(base < 0, -1, 1)
p = sign * dirn * cagr_a / np.abs(cagr_r)
status = np.full(tg.shape, "", dtype=object)
codes = np.zeros(tg.shape, dtype=np.int8)  # 0 insufficient, 1 not_computable, 2.. bands
insufficient = ~anyp | (cy - by < 1)
notcomp = (
    ((bv > 0) & (cur < 0))
    | ((bv < 0) & (cur > 0))
    | ~np.isfinite(cagr_a)
    | (T <= by)
    | ((tv > 0) & (bv < 0))
    | ((tv < 0) & (bv > 0))
    | ~np.isfinite(cagr_r)
    | (cagr_r == 0)
    | ~np.isfinite(p)
)
band = np.where(p >= 0.95, 5, np.where(p >= 0.6, 4, np.where(p >= 0, 3, 2)))
codes = np.where(insufficient, 0, np.where(notcomp, 1, band))
codes = np.where(achieved, 6, codes)
names = ["insufficient_data", "not_computable", "deterioration", "limited_progress",
         "moderate_progress", "substantial_progress", "target_achieved"]
counts = np.bincount(codes[has_t], minlength=7)
t3 = time.perf_counter()

# Composite index of the first level, every year.
l1 = np.nonzero(depth == 1)[0]
npil, per = meta["index_pillars"], meta["index_per_pillar"]
ind = np.arange(1, 1 + npil * per)
x = yearly[ind][:, :, l1] * direction[ind][:, None, None]  # (24, nY, nA), direction applied
lo = np.nanmin(x, axis=2, keepdims=True)
hi = np.nanmax(x, axis=2, keepdims=True)
rng = hi - lo
norm = np.where(np.isnan(x) | ~(rng > 0), np.nan, (x - lo) / np.where(rng > 0, rng, 1) * 100)
pil = norm.reshape(npil, per, nY, len(l1))
pp = ~np.isnan(pil)
pillar = np.where(pp.any(axis=1), np.where(pp, pil, 0).sum(axis=1) / np.maximum(pp.sum(axis=1), 1), np.nan)
w = np.arange(1, npil + 1, dtype=np.float64)[:, None, None]
pr = ~np.isnan(pillar)
sw = np.where(pr, w, 0).sum(axis=0)
idx = np.where(sw > 0, np.where(pr, w * pillar, 0).sum(axis=0) / np.where(sw > 0, sw, 1), np.nan)
t4 = time.perf_counter()
c4 = time.process_time()

ms = lambda a, b: (b - a) * 1000  # noqa: E731
print(json.dumps({
    "ms": {"total": ms(t0, t4), "tree": ms(t0, t1), "periods": ms(t1, t2), "statuses": ms(t2, t3), "index": ms(t3, t4)},
    "cpu_ms": (c4 - c0) * 1000,
    "checksums": {
        "rolled_sum": float(np.nansum(rolled)),
        "rolled_count": int((~np.isnan(rolled)).sum()),
        "yearly_sum": float(np.nansum(yearly)),
        "yearly_count": int((~np.isnan(yearly)).sum()),
        "statuses": {names[k]: int(counts[k]) for k in range(7) if counts[k] > 0},
        "index_sum": float(np.nansum(idx)),
        "index_count": int((~np.isnan(idx)).sum()),
    },
    "numpy": np.__version__,
}))
