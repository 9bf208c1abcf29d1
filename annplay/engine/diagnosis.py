"""The training doctor's diagnoses: instruments (:class:`~.instruments.Report`) → findings in words, with fixes.

Codes (the fixed vocabulary): diverged, exploding_gradients, vanishing_gradients, dead_units,
saturated_units, lr_too_high, lr_too_low, overfitting, underfitting, and target_scale (a regression whose targets
are so large that the first errors saturate or kill units or blow the weights up: annplay standardises the
inputs of a CSV, never its target, so the advice is to rescale that column).  A finding is a ``warning``
when the run is hurt by it and ``info`` when it is worth knowing but harmless so far.  A healthy run
gets no warning: every threshold below was tuned on healthy set-ups (tests/test_doctor_rules.py and
benchmarks/doctor.py list them) to leave a margin of at least 2× before a false alarm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from statistics import median
from typing import Any

from .datasets import DATASETS
from .fixes import Fix, activation, fewer_layers, higher_lr, lower_lr, make_fixes, nice
from .instruments import Report, Sample
from .settings import MAX_HIDDEN_LAYERS, MAX_NEURONS
from .setup import Setup

CODES = ("diverged", "exploding_gradients", "vanishing_gradients", "dead_units", "saturated_units",
         "lr_too_high", "lr_too_low", "overfitting", "underfitting", "target_scale")
SEVERITIES = ("warning", "info")

# --- thresholds, each with its source ---------------------------------------------------------------
# "Stalled": the train loss is still at least this share of the chance loss (the loss of the best constant
# guess).  CS231n's sanity check: a classifier starts at ln C; not getting well below it means no learning.
STALLED = 0.85
# Vanishing gradients: first layer's gradient norm / last layer's below this, median over the second half of
# the run (AUTOTRAINER flags first-to-last gradient ratios under 1e-3 in deep nets).  Own measurement: healthy
# runs with 2 to 6 hidden layers had medians ≥ 0.42 (circle and xor with logistic layers 0.42–0.60, tanh and
# ReLU 0.6–10); stalled 6-layer logistic nets 0.005–0.07.  A warning only when the run also stalled.
VANISHING_RATIO = 0.1
# Exploding gradients: a layer's gradient norm grows this many times over its starting value
# (DeepDiagnosis "exploding tensor" checks growth; healthy runs grew ≤ 30×, own measurement), or the first
# layer's is this many times the last's (the mirror image of VANISHING_RATIO).
EXPLODING_GROWTH = 1e3
EXPLODING_RATIO = 1e2
EXPLODING_DEPTH = 3           # hidden layers a net needs before the first/last ratio alone is evidence
# Dead ReLU units: share of hidden units with z ≤ 0 on every training point.  CS231n: "as much as 40 % of
# your network can be dead" with a too-high rate; healthy runs here stay below 25 % (own measurement).
DEAD_SHARE = 0.4
DEAD_INFO_SHARE = 0.2
# ... but a run whose train loss fell below LEARNED chance losses learned with the units it kept: its dead
# units are worth knowing, not a warning (sine 8-8 ReLU, adam 0.01: 8 of 16 dead at a loss of 0.006 chance
# losses; own measurement). A whole dead layer still warns: nothing passes it.
LEARNED = 0.1                  # (the same line also silences vanishing gradients: see _Context.learned)
# Saturated tanh/logistic units: share of hidden units flat on ≥ 90 % of the points (see instruments).
SATURATED_SHARE = 0.5
# Update-to-weight ratio per update: CS231n says "somewhere around 1e-3"; with a median below 1e-5 over the
# run the weights hardly move (own measurement: healthy runs ≥ 6e-5, e.g. circle at lr 0.003; runs at
# 1e-4 and below that stay near chance measured ≤ 6.3e-6; moons on ReLU 8 at lr 3e-5, 86 % after 1,000
# epochs where lr 0.03 reaches 100 %, 1.01e-5: a probe's find, so a run still creeping down at a rate of
# SLOW_RATE or less, without Adam, counts too; a net that learns and then slows, as 4-2 on spiral at 0.03, does not).
UPDATE_LOW = 1e-5
SLOW_RATE = 1e-4
# ... and a rate too low to learn barely moves the loss either: below LOW_PROGRESS of its start. A loss that fell
# 99.6 % to the mean's level and then sat still is a stuck net, not a slow one (multigauss regression, ReLU 4-2,
# momentum 0.01, batch 1: "raise the rate" made it worse, dead units; own measurement).
LOW_PROGRESS = 0.5
# Adam at its paper's default rate (Kingma & Ba: 0.001) or above is never "too low": its steps are normalised,
# so tiny updates there come from noisy or vanishing gradients, not from the rate (checkerboard 4-2 ReLU, adam
# 0.001, batch 1: raising the rate to 0.01–0.1 killed its units; own measurement).
ADAM_DEFAULT_LR = 0.001
# ... and a run whose whole length gives the rate too little room: its "learning budget", the rate (momentum's
# effective rate lr/(1−β)) times the updates of the run (its planned epochs, or at least 1,000 in an open run), is
# the distance a unit gradient would move the weights. Below LOW_BUDGET (Adam: LOW_BUDGET_ADAM, whose steps are lr
# in weight units, not lr times a gradient) a run that has not learned (train loss above SLOW_LEFT chance losses)
# is too slow to finish: raise the rate (own measurement: gauss at lr 0.001 with full batches, 300 updates, a
# budget of 0.3, ends at 0.38–1.14 chance losses where lr 0.03 reaches 0.06–0.09; the smallest budgets of healthy
# runs: circle for 20 epochs 15, slow circle at lr 0.003 22, Adam 0.003 on 5,000 moons at batch 128 for 30 epochs 1.8).
LOW_BUDGET = 3.0
LOW_BUDGET_ADAM = 0.3
SLOW_LEFT = 0.2
UPDATE_HIGH = 1e-1
# Early steps this big (median over layers, first samples) saturate tanh/logistic or kill ReLU units: with
# such a finding the rate is named as its cause (own measurement: healthy runs' early ratio ≤ 3e-3).
UPDATE_EARLY_HIGH = 2e-2
# Oscillating loss: summed over the run, the train loss climbed by at least OSCILLATING_UPS chance losses and
# at least OSCILLATING_SHARE of all its movement was upwards (the Tuning Playbook: "training instability"
# shows as a loss that jumps up; healthy runs measured ups ≤ 0.95 and share ≤ 0.32, own measurement).
OSCILLATING_UPS = 2.0
OSCILLATING_SHARE = 0.4
# With dead or saturated units, the rate is named as their cause when the loss climbed by this much (in
# chance losses), or when this share of the hidden units was already dead or flat at the first sample after
# the start (CS231n: with a too-high rate "as much as 40 % of your network can be dead" at once).
CAUSE_UPS = 0.5
EARLY_FLAT = 0.4
# Overfitting: the test loss rose from its best by OVERFIT_RISE× and by OVERFIT_DELTA chance losses while the
# train loss kept falling (Keras' EarlyStopping watches val_loss stop improving; the sizes are our own
# measurement: the spiral rose 0.25 → 0.63, i.e. 0.55 chance losses, the default spiral at 5000 epochs
# by 0.41; iris at lr 0.1 rose by 0.16–0.21 at unchanged test accuracy, and gets an info).
OVERFIT_RISE = 1.5
OVERFIT_DELTA = 0.25
OVERFIT_INFO_RISE = 1.2
# ... and even as info it must rise by OVERFIT_INFO_DELTA chance losses: near zero a rise of 0.003 → 0.005 is
# 1.6× yet noise (circle 8-8 leaky ReLU at 100 % test accuracy was told it overfits; own measurement), and so is
# the default circle 4-2's 0.016 → 0.031 at epoch 230, back to 0.016 soon after (seen on the projector layout).
OVERFIT_INFO_DELTA = 0.03
# Memorising: the train loss fell below MEMORISE_TRAIN chance losses while the test loss stayed at or above
# chance, i.e. new points are predicted worse than by always guessing the class shares or the mean. It needs
# no rise from a best (20 sine points on a 32-32 net: test loss fell 0.50 → 0.29 against chance 0.087, train
# 1e-5; own measurement). Healthy runs never reach it: their test loss ends well below chance. The train loss
# read is the median of the last quarter of samples: Adam's late spikes (40 multigauss points on 64-64, lr 0.01:
# 0.000 for 1,500 epochs, 0.18 chance losses at the last sample) must not hide it.
MEMORISE_TRAIN = 0.1
# ... and a regression memorises with a test loss of this share of chance or more: its test loss over chance is
# 1 − R² on new points, so a net that fits its training points (R² ≥ 0.9) and explains less than half of the
# variance of new ones learned its points, not the function (sine with 10 training points on 32-32: train 0.000,
# test 0.58–0.93 chance losses, told nothing or an info; a classifier's test loss is not read this way, since a few
# confident misses inflate it: checkerboard 64-64 at 0.71 chance losses had 90 % of its test points right).
MEMORISE_TEST_REGRESSION = 0.5
# ... unless the test points are mostly right: a test error at most ACCURATE_ERROR of guessing's (the largest
# class's) means a few wrong points, predicted with huge confidence, carry that loss. That is overconfidence,
# not memorising (blobs, ELU 16, Adam at lr 3: test loss 2.8 at 99.7 % test accuracy; a probe's find).
ACCURATE_ERROR = 0.25
# Weights that grew this many times their starting norm, in an overconfident run, were pushed there by the rate
# (own measurement: healthy runs grew at most 22× in 5,000 epochs of spiral, Adam 0.01; Adam at lr 1–3 on
# blobs, circle and xor grew 28–118× within 300 epochs).
WEIGHT_BLOWUP = 25.0
# A weight penalty this strong, in a run that stalled near chance, is named as the cause of underfitting: it
# pins the weights near zero (own measurement: spiral 8-8 with L2 0.1 and 0.01 stays at chance with
# vanishing gradients, at 0.001 it learns; TF Playground offers rates 0.001 to 10).
STRONG_PENALTY = 0.01
# Underfitting is a warning only after this many weight updates (the default spiral run sits on a plateau
# near chance for its first ~4000 updates and then learns: own measurement).
UNDERFIT_UPDATES = 6000
# A run (classifier or regression) whose train loss levelled off above this share of chance on generated data of
# little noise is too small or too constrained for its data (own measurement: spiral on 4-2 levels at 0.72,
# checkerboard 4-2 at 0.66, spiral 3 at 0.88, multigauss on 2 at 0.67; the noisiest healthy runs, TF's noise 50
# on gauss, circle, xor and moons with 8-8 or 4-2, level at 0.19–0.54, but noise above LEVELLED_NOISE is never
# judged). 0.6 missed rings3 on tanh 2 at 0.58 (told "underfitting" at one sample, not at the end) and spiral on
# ReLU 3-3-3 at 0.45–0.6, where 32-32 nets reach 0.01; the highest healthy floors on low-noise generated data after
# 6,000 updates were 0.43 (checkerboard 16-16, Adam, stopped by patience 30) and 0.47 (circle at lr 0.003, still
# falling; own measurement, benchmarks/doctor_unseen2.py).
LEVELLED_OFF = 0.5
# Neuroevolution still near chance (STALLED) after this many generations is stuck: the README's ga and es runs
# on xor and circle are well below chance by generation 60 (own measurement); spiral with σ 20 sat at 0.98 of
# chance for 300 generations and was told nothing (a probe's find).
EVOLUTION_STUCK = 100
# A late loss that fell at every sample, by at least this many chance losses in all, is still falling (see
# _underfitting; a levelled net's loss moves less: spiral on 4-2 at 5,000 epochs, own measurement).
STEADY_DROP = 0.005
# ... and at least this many chance losses per weight update: slower than that, a loss that falls at every sample is
# settling onto its floor, not on its way down (spiral on tanh 2 fell 0.908 → 0.901 chance losses over its last
# 37,500 updates, 2e-7 an update, and was told nothing at 3,000 epochs, though "underfitting" at earlier samples;
# the plateau of spiral 8-8 with L2 0.001 fell 0.022 in 6,200 updates, 3.5e-6 an update, and then learned).
STEADY_RATE = 1e-6
CRAWL_EPOCHS = 500          # a loss still crawling down is judged after this many epochs (see _crawling)
# ... on generated data with at most this much noise (percent): noisier data, and real data (a CSV, iris, ...),
# can have a floor this high of their own.
LEVELLED_NOISE = 10.0
# Overfitting with fewer points than this (the set-up's points): more points is the first fix.
FEW_POINTS = 200
# The L2 penalty offered against overfitting: a stronger one when fewer than FEW_POINTS points train (lesson 5,
# circle at noise 40 with 10 % of 500 points training 8-8-8 tanh: L2 0.03 reached its goal, a test loss below 0.5
# at 500 epochs, on 4 of 5 seeds, 0.01 on 2 of 5 and left the overfitting warning on one; own measurement).
L2_FIX = 0.01
L2_FIX_FEW = 0.03
MIN_SAMPLES = 4                 # no judgement on fewer samples than this (the run is too short to tell)
# Regression targets whose root mean square is this big or more: an untrained net outputs about 0, so its first
# errors, and gradients, are this big, and they saturate tanh units, kill ReLUs or blow the weights up (own
# measurement: built-in regression data have RMS 0.3–0.7, iris petal length 4.2; a CSV target near 5,000 on
# tanh 8 levelled at 0.50 chance losses with every unit flat where the same column standardised reaches 0.003,
# penguins' flipper length, RMS 202, on ReLU 8-8 sat at chance with a dead layer, standardised 0.13).
TARGET_RMS = 10.0
# ... a warning when the scale visibly broke the run: it diverged, or another warning (dead units, a rate too high),
# or it sits near chance. A loss that only levels off far above zero stays an info: on a CSV the doctor can't tell
# the data's own floor, and the same symptom (every tanh unit flat, a flat loss) came at 0.27–0.43 chance losses on
# penguins' body mass (RMS 4,300; standardised by hand 0.14) and 0.30–0.50 on our CSV near 5,000 (standardised
# 0.003): no line between them is more than a guess (own measurement, benchmarks/doctor_unseen2.py).


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what, how bad, where, in words, the numbers behind it, and the cures."""

    code: str
    severity: str
    layer: int | None
    message: str
    evidence: dict[str, Any]
    fixes: tuple[Fix, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "layer": self.layer, "message": self.message,
                "evidence": self.evidence, "fixes": [f.as_dict() for f in self.fixes]}


def _r(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


def _times(x: float) -> str:
    """A factor in at most 4 characters: 219×, 2e5×."""
    if not math.isfinite(x):
        return "∞×"
    return f"{x:.0f}×" if x < 1000 else f"{x:.0e}".replace("e+0", "e").replace("e+", "e") + "×"


def _num(x: float) -> str:
    """A number in at most 6 characters: 0.25, 1.1, 3e-05, 2e+12."""
    if not math.isfinite(x):
        return str(x)
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e4):
        return f"{x:.0e}"
    return f"{x:.2g}"


def _finite(samples: tuple[Sample, ...]) -> list[Sample]:
    return [s for s in samples if math.isfinite(s.train_loss)]


class _Context:
    """Numbers several rules read, computed once."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.samples = _finite(report.samples)
        s = self.samples
        self.enough = len(s) >= MIN_SAMPLES
        self.chance = report.chance if math.isfinite(report.chance) and report.chance > 0 else math.nan
        self.start = s[0].train_loss if s else math.nan
        self.final = s[-1].train_loss if s else math.nan
        self.best = min((x.train_loss for x in s), default=math.nan)
        half = s[len(s) // 2:] if s else []
        self.late = half
        self.late_min = min((x.train_loss for x in half), default=math.nan)
        rel = self.final / self.chance if self.chance == self.chance else math.nan
        self.stalled = self.enough and rel >= STALLED and report.kind != "regression"
        if report.kind == "regression":
            self.stalled = self.enough and rel >= STALLED
        self.progress = (self.start - self.best) / self.start if self.start and self.start > 0 else 0.0
        late = [x.train_loss for x in half]
        # still falling in the run's second half, by more than noise (a stuck net is flat there)
        self.creeping = len(late) > 1 and late[0] - late[-1] > 0.02 * (self.chance if self.chance == self.chance
                                                                       else max(self.start, 1e-12))
        losses = [x.train_loss for x in s]
        steps = [b - a for a, b in zip(losses, losses[1:], strict=False)]
        up = sum(d for d in steps if d > 0)
        moved = sum(abs(d) for d in steps)
        scale = self.chance if self.chance == self.chance else max(self.start, 1e-12)
        self.ups = up / scale if scale > 0 else 0.0               # how far the loss climbed, in chance losses
        self.up_share = up / moved if moved > 0 else 0.0          # of all its movement, the share upwards
        tail = s[-max(1, len(s) // 4):]
        self.final_smooth = median(x.train_loss for x in tail) if tail else math.nan
        trained = [x for x in s if x.epoch > 0][:1]
        units = sum(s[0].units) if s else 0
        self.early_flat = (sum(trained[0].dead) + sum(trained[0].saturated)) / units if trained and units else 0.0
        early = [median(x.update_ratios) for x in s if x.update_ratios][:3]
        self.early_update = max((v for v in early if math.isfinite(v)), default=math.nan)
        grown = [b / a for a, b in zip(s[0].weight_norms, s[-1].weight_norms, strict=True) if a > 0] if s else []
        self.growth = max((g for g in grown if math.isfinite(g)), default=math.nan)   # weights' norm: end / start
        tests = [(x.test_loss, x.test_acc) for x in s if x.test_loss is not None and math.isfinite(x.test_loss)]
        self.test_final = median(loss for loss, _ in tests[-3:]) if tests else math.nan
        self.test_acc = tests[-1][1] if tests else None

    levelled = False            # set by diagnose(): see _levelled

    @property
    def learned(self) -> bool:
        """The run learned anyway: its train loss fell below LEARNED chance losses (nan: never)."""
        return self.final_smooth <= LEARNED * self.chance

    @property
    def overconfident(self) -> bool:
        """Train loss near zero, test loss at or above guessing's, yet most test points right: a few wrong ones
        carry huge losses (see ACCURATE_ERROR)."""
        chance_error = 1.0 - self.report.chance_acc
        return (self.test_acc is not None and chance_error > 0 and self.final_smooth <= MEMORISE_TRAIN * self.chance
                and self.test_final >= self.chance and 1.0 - self.test_acc <= ACCURATE_ERROR * chance_error)

    @property
    def hurt(self) -> bool:
        """The run is failing: stalled near chance, or levelled off far above zero."""
        return self.stalled or self.levelled

    @cached_property
    def median_update(self) -> float:
        """The run's typical update-to-weight ratio: the median over samples of each sample's median over layers."""
        vals = [median(s.update_ratios) for s in self.samples if s.update_ratios]
        vals = [v for v in vals if math.isfinite(v)]
        return median(vals) if vals else math.nan

    def median_late(self, values: list[float]) -> float:
        vals = [v for v in values if math.isfinite(v)]
        return median(vals) if vals else math.nan


def diagnose(report: Report, setup: Setup) -> list[Finding]:
    """Findings for a run, warnings first; a healthy run gets no warning."""
    c = _Context(report)
    c.levelled = _levelled(c, setup)
    found: list[Finding] = []
    for rule in (_diverged, _exploding, _over_regularized, _vanishing, _dead, _saturated, _lr_high, _lr_low,
                 _overfitting, _underfitting):
        f = rule(c, setup, found)
        if f is not None:
            found.append(f)
    scale = _target_scale(c, setup, found)
    if scale is not None:                  # the cause of what else it made go wrong: first
        found.insert(0, scale)
    found = [_demoted(f, found) for f in found]
    return sorted(found, key=lambda f: SEVERITIES.index(f.severity))


# A warning whose cause is another warning becomes info: the cause is what to fix first.
CAUSES = {
    "vanishing_gradients": ("diverged", "lr_too_high", "saturated_units", "dead_units", "target_scale"),
    "saturated_units": ("diverged", "lr_too_high", "target_scale"),
    "dead_units": ("target_scale",),
    "lr_too_high": ("target_scale",),
    "overfitting": ("diverged", "lr_too_high"),
    "underfitting": ("diverged", "lr_too_high", "dead_units", "vanishing_gradients", "saturated_units",
                     "target_scale"),
}


def _demoted(f: Finding, found: list[Finding]) -> Finding:
    causes = set(CAUSES.get(f.code, ())) & _codes(found)
    if f.severity != "warning" or not causes:
        return f
    return replace(f, severity="info")


def _codes(found: list[Finding], severity: str = "warning") -> set[str]:
    return {f.code for f in found if f.severity == severity}


def _high_floor_judgeable(c: _Context, setup: Setup) -> bool:
    """A back-propagation run on generated data of little noise, with enough samples, not stalled: one whose loss
    far above zero says something of the net (real or noisy data may have a floor this high). Regression too: the
    generated targets are smooth functions a net fits to a loss near zero (multigauss on tanh 2 levelled at 0.67
    of the mean's loss where 32-32 reaches 0.02; own measurement)."""
    return (c.enough and c.report.family == "backprop" and not c.stalled
            and not _real_data(setup) and setup.noise <= LEVELLED_NOISE)


def _levelled(c: _Context, setup: Setup) -> bool:
    """A back-propagation run whose train loss levelled off far above zero after enough updates."""
    if not _high_floor_judgeable(c, setup):
        return False
    late = [s.train_loss for s in c.late]
    updates = c.report.epoch * c.report.updates_per_epoch
    return (c.final_smooth >= LEVELLED_OFF * c.chance and bool(late) and late[0] - late[-1] <= 0.02 * c.chance
            and updates >= UNDERFIT_UPDATES)


def _crawling(c: _Context, setup: Setup) -> bool:
    """A back-propagation run still far above zero after enough updates and epochs, though its loss still
    falls, on a net that could be bigger (spiral on 4-2 at 64 % after 3,000 epochs, seeds 17 and 99: a probe's
    find; the same net levels off at seed 0): it is worth knowing that a bigger net learns it, never a warning.
    (6 × 64 at batch 1 on 10,000 points passes 6,000 updates in its first epoch: too soon, and not small.)"""
    if not _high_floor_judgeable(c, setup):
        return False
    can_grow = len(setup.hidden) < MAX_HIDDEN_LAYERS or any(h < MAX_NEURONS for h in setup.hidden)
    return (can_grow and c.final_smooth >= LEVELLED_OFF * c.chance and c.report.epoch >= CRAWL_EPOCHS
            and c.report.epoch * c.report.updates_per_epoch >= UNDERFIT_UPDATES)


def _real_data(setup: Setup) -> bool:
    spec = DATASETS.get(setup.dataset)
    return setup.csv is not None or (spec is not None and spec.real)


# --- the rules ----------------------------------------------------------------------------------------

def _diverged(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    last = c.report.last
    if c.report.state != "diverged" and (last is None or math.isfinite(last.train_loss)):
        return None
    deep = c.report.family == "backprop" and len(c.report.activations) >= EXPLODING_DEPTH
    message = "Diverged: the loss or the weights became infinite. Lower the rate."
    if deep:
        # Through three or more layers the gradient is a product of each layer's factors: a step too big blows it
        # up at once (every deep run that diverged here did so before the doctor's second look, so it is named
        # here, as exploding gradients). A tenth of the rate still diverged on 2 of 3 seeds (reg-maximum 6 × 16 ELU
        # at 0.3 → 0.03, xor 6 × 32 ELU momentum 0.3 → 0.03, sine 4 × 32 ReLU momentum 0.1 → 0.01; own measurement),
        # a hundredth trained. annplay has no gradient clipping or init setting: fewer layers and Adam come next.
        fixes = make_fixes(setup, lower_lr(setup, 100), fewer_layers(setup), {"optimizer": "adam", "lr": 0.003},
                           lower_lr(setup))
        message = f"Diverged: gradients exploded through {len(c.report.activations)} layers; the loss became infinite."
    elif c.report.family == "backprop":
        fixes = make_fixes(setup, lower_lr(setup), lower_lr(setup, 100), {"optimizer": "adam", "lr": 0.003})
    else:
        fixes = make_fixes(setup, {"sigma": 0.05})
    return Finding("diverged", "warning", None, message,
                   {"epoch": c.report.epoch, "lr": setup.lr, "hidden_layers": len(c.report.activations),
                    "grad_growth": _r(_grad_growth(c)[0])}, fixes)


def _target_scale(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    """Regression targets too large for a net that starts near 0 (see TARGET_RMS): rescale the column."""
    rms = c.report.target_rms
    if c.report.kind != "regression" or c.report.family != "backprop" or not rms >= TARGET_RMS:
        return None
    if not c.enough and "diverged" not in _codes(found):
        return None
    # near chance judged on the smoothed loss: one spike (our CSV at lr 0.001, 0.17 → 0.93 → 0.22 chance losses at
    # epoch 234) is not a run the scale broke (a diverged run, the one judged early, is hurt: its code is found)
    hurt = bool(_codes(found)) or c.final_smooth >= STALLED * c.chance
    column = f"the {setup.csv_y[:20]} column" if setup.csv_y else "the target column"
    size = f"{rms:,.0f}" if rms < 1e6 else _num(rms)
    # annplay standardises a CSV's inputs, never its target (a prediction must come out in the target's own units),
    # so the cure is the user's: rescale the column. A smaller rate is what a setting can do meanwhile (own
    # measurement: lr ÷ 30 took the CSV target near 5,000 from 0.50 to 0.25 chance losses, flipper length from 1.0
    # with a dead layer to 0.17; Adam at 0.01 helped one of them).
    fixes = make_fixes(setup, lower_lr(setup, 30), {"optimizer": "adam", "lr": 0.01})
    return Finding("target_scale", "warning" if hurt else "info", None,
                   f"Targets near {size}: standardise {column} in the CSV.",
                   {"target_rms": _r(rms), "train_loss": _r(c.final), "chance_loss": _r(c.chance)}, fixes)


def _grad_series(c: _Context) -> list[tuple[float, ...]]:
    return [s.grad_norms for s in c.samples if all(math.isfinite(g) for g in s.grad_norms)]


def _grad_growth(c: _Context) -> tuple[float, int]:
    """The largest growth of a layer's gradient norm over its first sample's, and that layer (0: none)."""
    series = _grad_series(c)
    growth, layer = 0.0, 0
    for g in series[1:]:
        for i, (a, b) in enumerate(zip(series[0], g, strict=True)):
            if a > 0 and b / a > growth:
                growth, layer = b / a, i
    return growth, layer


def _exploding(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    if c.report.family != "backprop":
        return None
    series = _grad_series(c)
    if len(series) < 2:
        return None
    growth, layer = _grad_growth(c)
    ratios = [g[0] / g[-1] for g in series if g[-1] > 0]
    top = max(ratios, default=0.0)
    if growth < EXPLODING_GROWTH and top < EXPLODING_RATIO:
        return None
    # Only the first/last ratio is high, yet the weights hardly move: the last layer's gradient is small (its
    # inputs are near zero), not the first's big; "lower the rate" would then contradict "too low" (checkerboard
    # 4-2 ReLU, adam 0.001, batch 1: ratio 2e4 at updates of 5e-6, given both warnings; own measurement).
    if growth < EXPLODING_GROWTH and c.median_update < UPDATE_LOW:
        return None
    # ... nor in a shallow net: with two hidden layers no product of many layers' factors can blow up, and a big
    # first/last ratio means a small output gradient (spiral 4-2 tanh at lr 0.03: 254×, and "lower the rate" made
    # it worse; a probe's find). Bengio et al. (1994) and Glorot & Bengio (2010) tie it to depth.
    if growth < EXPLODING_GROWTH and len(c.report.activations) < EXPLODING_DEPTH:
        return None
    hurt = "diverged" in _codes(found) or c.stalled or c.ups >= OSCILLATING_UPS
    if growth >= EXPLODING_GROWTH:
        msg = f"Exploding gradients: layer {layer + 1}'s grew {_times(growth)} since the start. Lower the rate."
    else:
        layer = 0
        msg = f"Exploding gradients: layer 1's is {_times(top)} the output layer's. Lower the rate."
    fixes = make_fixes(setup, lower_lr(setup), fewer_layers(setup), {"optimizer": "adam", "lr": 0.003})
    return Finding("exploding_gradients", "warning" if hurt else "info", layer + 1, msg,
                   {"growth": _r(growth), "first_last_ratio": _r(top)}, fixes)


def _over_regularized(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    """Underfitting whose cause is a too-strong weight penalty (it hides the vanishing gradients it makes)."""
    if setup.regularization == "none" or setup.reg_rate < STRONG_PENALTY or not c.stalled or found:
        return None
    if c.report.family != "backprop":
        return None
    name = setup.regularization.upper()
    weaker = nice(min(setup.reg_rate, STRONG_PENALTY) / 10)       # below the strong range in one step
    fixes = make_fixes(setup, {"reg_rate": weaker},
                       {"regularization": "none"})
    return Finding("underfitting", "warning", None,
                   f"Underfitting: {name} at {_num(setup.reg_rate)} pins the weights near zero; lower the rate.",
                   {"train_loss": _r(c.final), "chance_loss": _r(c.chance), "reg_rate": setup.reg_rate}, fixes)


def _vanishing(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    if c.report.family != "backprop" or len(setup.hidden) < 2 or not c.enough:
        return None
    ratios = [s.grad_ratio for s in c.late]
    ratio = c.median_late(ratios)
    if not ratio < VANISHING_RATIO:
        return None
    if _codes(found) & {"dead_units", "diverged", "underfitting"}:
        return None
    first = c.median_late([s.grad_norms[0] for s in c.late])
    hurt = c.hurt
    # A run that learned anyway needs no word on it: the default gauss run (tanh 4-2) ends near a loss of 0 with
    # layer 1's gradient 15× below the output's, and was told "it barely learns" (own check).
    if not hurt and c.learned:
        return None
    acts = set(c.report.activations)
    candidates = []
    if acts & {"logistic", "tanh"}:
        candidates += [activation(setup, "relu"), activation(setup, "tanh") if "logistic" in acts else {}]
    candidates += [fewer_layers(setup), {"optimizer": "adam", "lr": 0.01}]
    fixes = make_fixes(setup, *[x for x in candidates if x])
    factor = _times(1 / ratio if ratio > 0 else math.inf)
    effect = "it barely learns" if hurt else "it learns slowly"
    return Finding("vanishing_gradients", "warning" if hurt else "info", 1,
                   f"Vanishing gradients: layer 1 gets {factor} less than the output: {effect}.",
                   {"first_last_ratio": _r(ratio), "first_layer_grad": _r(first)}, fixes)


def _dead(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    last = c.report.last
    if last is None or not any(last.dead) or c.report.family != "backprop":
        return None
    total = sum(u for u, a in zip(last.units, c.report.activations, strict=True) if a == "relu")
    dead = sum(last.dead)
    share = dead / total if total else 0.0
    worst = max(range(len(last.dead)), key=lambda i: last.dead[i] / max(1, last.units[i]))
    whole = last.dead[worst] == last.units[worst]
    if share < DEAD_INFO_SHARE and not whole:
        return None
    # Fewer dead units are still the cause when the run learned nothing (a stalled run with a fifth or more of
    # its ReLUs dead: an outside check found xor 16-16 at lr 2 at chance with 12 of 16 units of layer 2 dead).
    # ... but only when the rate killed them or the net froze (updates below UPDATE_LOW: xor 8-8 at lr 3, seed 2,
    # 6 of 16 dead, moves by 1e-9). Units left alive that still learn mean a net too small for its data: its few
    # dead units are a symptom, and a leaky ReLU doesn't help (checkerboard on ReLU 4: 1 of 4 dead, levelled at
    # 0.94 chance losses with updates of 1e-4; 32-32 reaches 0.01; own measurement).
    frozen = c.median_update < UPDATE_LOW
    severity = "warning" if whole or share >= DEAD_SHARE or (c.hurt and (_rate_caused(c) or frozen)) else "info"
    if not whole and c.learned:
        severity = "info"
    if "underfitting" in _codes(found):            # a too-strong penalty came first: it is the cause
        severity = "info"
    # Killed by the rate's first big steps: a leaky ReLU at the same rate would only diverge (xor at lr 10),
    # and a smaller rate alone still kills narrow layers (xor 4-2 at lr 1), so both come first: the rate at
    # most 0.1 (a leaky ReLU at lr 1 diverged on xor 8-8).
    if _rate_caused(c):
        calm = {**activation(setup, "leaky_relu"), "lr": min(lower_lr(setup)["lr"], 0.1)}
        fixes = make_fixes(setup, calm, lower_lr(setup), activation(setup, "leaky_relu"))
    else:
        fixes = make_fixes(setup, activation(setup, "leaky_relu"), lower_lr(setup), activation(setup, "elu"))
    where = f"all of layer {worst + 1}" if whole else f"{dead} of {total} units"
    return Finding("dead_units", severity, worst + 1,
                   f"Dead ReLU units: {where} output 0 on every point and get no gradient.",
                   {"dead": list(last.dead), "units": list(last.units), "share": _r(share)}, fixes)


def _saturated(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    last = c.report.last
    if last is None or not any(last.saturated) or not c.enough or c.report.family != "backprop":
        return None
    idx = [i for i, a in enumerate(c.report.activations) if a in ("tanh", "logistic")]
    total = sum(last.units[i] for i in idx)
    sat = sum(last.saturated[i] for i in idx)
    share = sat / total if total else 0.0
    if share < SATURATED_SHARE:
        return None
    worst = max(idx, key=lambda i: last.saturated[i] / max(1, last.units[i]))
    hurt = c.hurt
    fixes = make_fixes(setup, lower_lr(setup), activation(setup, "relu"),
                       {"regularization": "l2", "reg_rate": 0.01})
    hurt = hurt and "underfitting" not in _codes(found)
    return Finding("saturated_units", "warning" if hurt else "info", worst + 1,
                   f"Saturated units: {sat} of {total} sit on the flat ends of {c.report.activations[worst]}.",
                   {"saturated": list(last.saturated), "units": list(last.units), "share": _r(share)}, fixes)


def _rate_caused(c: _Context) -> bool:
    """The loss climbed, or the first steps were big or left many units flat: the rate did the damage."""
    return c.ups >= CAUSE_UPS or c.early_update > UPDATE_EARLY_HIGH or c.early_flat >= EARLY_FLAT


def _lr_high(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    if c.report.family != "backprop" or not c.enough:
        return None
    warnings = _codes(found)
    upd = c.median_update
    rising = c.ups >= OSCILLATING_UPS and c.up_share >= OSCILLATING_SHARE
    big = upd > UPDATE_HIGH
    dead_high = bool(warnings & {"dead_units", "saturated_units"}) and _rate_caused(c)
    blown = c.overconfident and c.growth >= WEIGHT_BLOWUP
    if "diverged" in warnings or not (rising or big or dead_high or blown):
        return None
    if blown:
        msg = f"Learning rate too high: weights grew {_times(c.growth)}; wrong answers cost huge losses."
    elif rising:
        msg = "Learning rate too high: the loss jumps up and down instead of falling."
    elif big:
        size = f"{upd:.0%}" if upd < 10 else f"{_num(upd)}×"
        msg = f"Learning rate too high: each step moves the weights by {size} of their size."
    else:
        msg = "Learning rate too high: its first big steps pushed units into flat zones."
    fixes = make_fixes(setup, lower_lr(setup), lower_lr(setup, 100))
    return Finding("lr_too_high", "warning", None, msg,
                   {"lr": setup.lr, "update_ratio": _r(upd), "early_update_ratio": _r(c.early_update),
                    "loss_climbs": _r(c.ups), "up_share": _r(c.up_share),
                    "flat_units_at_first_look": _r(c.early_flat), "weight_growth": _r(c.growth)}, fixes)


def _lr_low(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    if c.report.family != "backprop" or not c.enough:
        return None
    if _codes(found) & {"diverged", "vanishing_gradients", "dead_units", "saturated_units", "lr_too_high"}:
        return None
    if "dead_units" in _codes(found, "info"):      # tiny steps because dead units pass no gradient, not the rate
        return None
    upd = c.median_update
    budget = _budget(c, setup)
    # ... a loss that moved, so a stuck net is not told to raise its rate; unless the budget is a tenth of that or
    # less, when the loss can't move (moons at lr 1e-4 with full batches, 500 updates, a budget of 0.05: 0.84 → 0.82
    # chance losses, where lr 0.03 reaches 0.27; own measurement)
    low = LOW_BUDGET_ADAM if setup.optimizer == "adam" else LOW_BUDGET
    short = budget < low and c.final_smooth >= SLOW_LEFT * c.chance \
        and (c.start - c.final_smooth > 0.02 * c.chance or budget < low / 10)
    # a run that barely moved, or one still creeping down: moons on ReLU 8 at lr 3e-5 crept from 1.61 to 0.36
    # (86 %) in 1,000 epochs with updates of 1e-5, where lr 0.03 reaches 100 % ("no problems found": a probe's find)
    creeping = c.creeping and setup.lr <= SLOW_RATE and setup.optimizer != "adam"
    # tiny steps that still move the loss are too small, not stuck (sine 8-8, Adam 1e-5: 1.4 → 0.66 chance losses
    # at updates of 7e-6 was "too low" until the loss passed half its start; own measurement)
    tiny = upd < UPDATE_LOW and (c.progress < LOW_PROGRESS or c.creeping)
    if not (tiny or creeping or short) or c.learned:
        return None
    if setup.optimizer == "adam" and setup.lr >= ADAM_DEFAULT_LR and not short:
        return None
    up = {"lr": 0.03} if setup.lr < 0.003 else higher_lr(setup)      # 0.03: the default, which trains
    fixes = make_fixes(setup, up, higher_lr(setup, 100), {"optimizer": "adam", "lr": 0.01})
    if tiny or creeping:
        message = f"Learning rate too low: a step moves the weights by only {_num(upd)} of their size."
    else:
        message = (f"Learning rate too low: {c.report.updates_per_epoch * _planned(c, setup):,} updates are too few "
                   "at this rate.")
    return Finding("lr_too_low", "warning", None, message,
                   {"lr": setup.lr, "update_ratio": _r(upd), "progress": _r(c.progress), "budget": _r(budget)},
                   fixes)


def _planned(c: _Context, setup: Setup) -> int:
    """The run's length in epochs: its limit, or (an open run) at least the 1,000 that `train` runs by default."""
    return setup.epochs if setup.epochs else max(c.report.epoch, 1000)


def _budget(c: _Context, setup: Setup) -> float:
    """The rate (momentum's effective rate) times the run's planned updates: see LOW_BUDGET."""
    lr = setup.lr / (1.0 - setup.momentum) if setup.optimizer == "momentum" and setup.momentum < 1 else setup.lr
    return lr * c.report.updates_per_epoch * _planned(c, setup)


def _overfitting(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    tests = [(s.epoch, s.test_loss) for s in c.samples if s.test_loss is not None and math.isfinite(s.test_loss)]
    if len(tests) < MIN_SAMPLES or not math.isfinite(c.chance):
        return None
    at = min(range(len(tests)), key=lambda i: tests[i][1])
    best_epoch, best = tests[at]
    final = c.test_final                                    # the median of the last three
    gap = final - c.final_smooth
    train_then = next(s.train_loss for s in c.samples if s.epoch == best_epoch)
    falling = c.final_smooth <= 1.05 * train_then          # the train loss kept falling meanwhile
    worse = final >= c.chance                              # new points predicted worse than by guessing
    poor = worse or (c.report.kind == "regression" and final >= MEMORISE_TEST_REGRESSION * c.chance)
    memorising = c.final_smooth <= MEMORISE_TRAIN * c.chance and poor
    # A rise needs its best before the last three samples (the median of which is "final"): a test loss still
    # falling fast has its best among them, below their median (spiral 32-32 ReLU, Adam 0.003: 0.80, 0.45, 0.095
    # chance losses at epochs 80-240 was told "rose from 0.066 to 0.31"; own measurement).
    rose = (at < len(tests) - 3 and final >= OVERFIT_INFO_RISE * best
            and final - best >= OVERFIT_INFO_DELTA * c.chance)
    if not (rose and gap > 0 and falling) and not memorising:
        return None
    risen = rose and final >= OVERFIT_RISE * best and final - best >= OVERFIT_DELTA * c.chance
    overconfident = memorising and not risen and c.overconfident    # loss of a few wrong points, not memorising
    big = risen or (memorising and not overconfident)
    # Neuroevolution's test loss jumps with each generation's best individual (the README's ga run on circle
    # rose 1.4× at 96 % test accuracy): for it, overfitting is worth knowing but never a warning.
    severity = "warning" if big and c.report.family == "backprop" else "info"
    # Few points are the cause a penalty or a smaller net can't cure (spiral with 20 points on 32-32 ReLU still
    # overfit with L2 0.01 or 16-16, and early stopping kept its epoch-2 weights: a probe's check): more first.
    # ... and with more points, early stopping: more points alone still overfit, later, in a big net on noisy data
    # (xor, 50 → 500 points at noise 50, and 40 → 400 multigauss points: both cured only with patience too; own
    # measurement). Its patience is a tenth of the run: patience 50 stopped 200 sine points at a test loss 20×
    # what 5,000 epochs reach, on a test loss that wanders while it still falls.
    patience = setup.patience or max(50, (setup.epochs or 1000) // 10)
    more = ({"points": max(FEW_POINTS, 10 * setup.points), "patience": patience}
            if setup.points is not None and setup.points < FEW_POINTS else {})
    l2 = L2_FIX_FEW if 0 < c.report.train_points < FEW_POINTS else L2_FIX
    fixes = make_fixes(setup, more, {"patience": 50}, {"regularization": "l2", "reg_rate": l2},
                       {"hidden": tuple(max(2, h // 2) for h in setup.hidden)} if setup.hidden else {})
    if overconfident:
        message = f"Overconfident: {c.test_acc or 0:.1%} of test points right; the wrong ones cost huge losses."
    elif rose:
        message = f"Overfitting: test loss rose from {_num(best)} to {_num(final)} while train loss fell."
    else:
        message = f"Overfitting: train loss {_num(c.final_smooth)} but test loss {_num(final)}, " + \
            ("worse than guessing." if worse else "it memorised its points.")
    return Finding("overfitting", severity, None, message,
                   {"best_test_loss": _r(best), "best_epoch": best_epoch, "test_loss": _r(final),
                    "train_loss": _r(c.final), "gap": _r(gap), "test_acc": c.test_acc}, fixes)


def _underfitting(c: _Context, setup: Setup, found: list[Finding]) -> Finding | None:
    """Near chance after many updates (learned nothing), or a run levelled off far above zero; as info, a run
    still crawling down far above zero after as many updates (too small to learn it soon)."""
    crawling = _crawling(c, setup)
    if not (c.hurt or crawling) or _codes(found):
        return None
    late = [s.train_loss for s in c.late]
    third = max(1, len(late) // 3)                  # medians of thirds: a noisy (batch 1) loss is not "falling"
    falling = not late or median(late[:third]) - median(late[-third:]) > 0.02 * c.chance
    # ... and a loss lower at every sample of the half is falling, however slowly (a sign test: a stuck loss is flat
    # or wanders). Spiral 8-8 with L2 0.001 crept 0.964 → 0.958 → 0.948 chance losses on its plateau at epoch 248
    # and was told it underfits; it learns from epoch 430 (own measurement).
    span = (c.late[-1].epoch - c.late[0].epoch) * c.report.updates_per_epoch if c.late else 0
    steady = len(late) >= 3 and all(b < a for a, b in zip(late, late[1:], strict=False)) \
        and late[0] - late[-1] > max(STEADY_DROP, STEADY_RATE * span) * c.chance
    falling = falling or steady
    # ... nor is a loss that climbs: it is not "staying" near chance but thrown about by its steps (sine on ReLU 64,
    # batch 1: 1.0 → 2.3 chance losses in 12 epochs, then down to 0.3; own measurement)
    rising = bool(late) and median(late[-third:]) - median(late[:third]) > 0.02 * c.chance
    # neuroevolution moves in jumps: near chance after this many generations it is stuck, jumps or not
    stuck = c.report.family == "evolution" and c.stalled and c.report.epoch >= EVOLUTION_STUCK
    if (falling or rising) and not (crawling or stuck):
        return None
    updates = c.report.epoch * c.report.updates_per_epoch
    severity = ("warning" if stuck or (c.report.family == "backprop" and updates >= UNDERFIT_UPDATES and not falling)
                else "info")
    bigger = tuple(h * 2 for h in setup.hidden) if setup.hidden else (8,)
    wide = tuple(max(8, h * 2) for h in setup.hidden) or (8,)
    deeper = (*wide, wide[-1])                     # one more layer, every layer at least 8 wide
    # One hidden layer too small grows a second first: twice as wide still levels off on the spiral (2 → 4) and
    # the checkerboard (4 → 8), where 8-8 learns them (0.90 → 0.08 and 0.94 → 0.46 chance losses; own measurement).
    grow = [{"hidden": bigger}, {"hidden": deeper}]
    if len(setup.hidden) == 1:
        grow.reverse()
    if stuck:
        population = setup.population or 50
        fixes = make_fixes(setup, {"sigma": None} if setup.sigma is not None else {},
                           {"population": min(10_000, population * 4)},
                           {"trainer": "backprop"} if setup.activation != "step" else {})
        at = f" at σ {setup.sigma:g}" if setup.sigma is not None else "; try a bigger population"
        message = f"Underfitting: near chance after {c.report.epoch:,} generations{at}."
    elif "linear" in c.report.activations:         # linear hidden layers draw only straight boundaries
        fixes = make_fixes(setup, activation(setup, "tanh"), activation(setup, "relu"), {"hidden": bigger})
        message = "Underfitting: linear layers draw only straight lines; use tanh or ReLU."
    elif c.stalled:
        fixes = make_fixes(setup, grow[0], higher_lr(setup, 3), {"optimizer": "adam", "lr": 0.01})
        message = "Underfitting: the train loss stays near chance; the net learned almost nothing."
    elif falling:
        fixes = make_fixes(setup, *grow, {"optimizer": "adam", "lr": 0.01})
        message = f"Underfitting: the train loss crawls down at {_num(c.final_smooth)}; the net may be too small."
    else:
        fixes = make_fixes(setup, *grow, {"optimizer": "adam", "lr": 0.01})
        message = f"Underfitting: the train loss levels off at {_num(c.final_smooth)}; the net may be too small."
    return Finding("underfitting", severity, None, message,
                   {"train_loss": _r(c.final), "chance_loss": _r(c.chance), "updates": updates}, fixes)


__all__ = ["Finding", "diagnose", "CODES", "SEVERITIES"]
